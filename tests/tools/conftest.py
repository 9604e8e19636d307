"""Fixtures for the tool tests: a workspace, settings with chosen permissions, a scripted
asker that records every request, and a one-line way to call a tool."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coda_ls.config import Settings
from coda_ls.providers.base import ToolCall
from coda_ls.tools import Decision, PermissionRequest, Toolbox, ToolResult


class ScriptedAsker:
    """Answers permission requests from a script (default: `answer`), recording each."""

    def __init__(self, *answers: Decision, answer: Decision = Decision.NO) -> None:
        self.answers = list(answers)
        self.default = answer
        self.requests: list[PermissionRequest] = []

    async def ask(self, request: PermissionRequest) -> Decision:
        self.requests.append(request)
        return self.answers.pop(0) if self.answers else self.default


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("def main():\n    print('hello')\n\nmain()\n")
    (root / "README.md").write_text("# Demo\n")
    return root


def make_settings(**permissions: Any) -> Settings:
    return Settings.model_validate({"permissions": permissions})


MakeToolbox = Callable[..., Toolbox]


@pytest.fixture
def toolbox(workspace: Path) -> MakeToolbox:
    """`toolbox(asker=..., **permissions)`: a Toolbox on the workspace; everything allowed
    unless a permission is given."""

    def make(asker: Any = None, **permissions: Any) -> Toolbox:
        perms = {"read": "allow", "write": "allow", "shell": "allow", "web": "allow"}
        perms.update(permissions)
        return Toolbox(workspace, make_settings(**perms), asker or ScriptedAsker())

    return make


async def call(box: Toolbox, tool: str, /, **arguments: Any) -> ToolResult:
    return await box.execute(ToolCall(id="c1", name=tool, arguments=arguments))
