"""A small Python project in a temporary folder, whose tests really run with pytest."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from coda_ls.tools import Decision, PermissionRequest

CALC = """def add(a, b):
    return a + b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError("b must not be zero")
    return a / b
"""

FAILING_TESTS = """from calc import add


def test_add():
    assert add(2, 2) == 5
"""

PASSING_TESTS = """import pytest

from calc import add, div


def test_add():
    assert add(2, 2) == 4


def test_div_by_zero():
    with pytest.raises(ZeroDivisionError):
        div(1, 0)
"""


def plan(content: str | None = None, **extra: object) -> str:
    """A `test` mode answer in the JSON shape."""
    body: dict[str, object] = {"summary": "tests for calc", "file": "tests/test_calc.py"}
    if content is not None:
        body["content"] = content
    body.update(extra)
    return json.dumps(body)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """calc.py, a pytest config, and the project's interpreter at .venv/bin/python (a
    wrapper around the one running these tests, which has pytest installed)."""
    # The project's pytest run needs none of this environment's plugins; scanning for
    # them takes seconds on a busy machine.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text(CALC)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "calc"\nversion = "0.1"\n\n[tool.pytest.ini_options]\n'
        'pythonpath = ["."]\n'
    )
    venv = root / ".venv" / "bin"
    venv.mkdir(parents=True)
    python = venv / "python"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(python.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    assert os.access(python, os.X_OK)
    return root


class ScriptedAsker:
    """Answers permission requests from a list (default yes) and records them."""

    def __init__(self, *answers: Decision) -> None:
        self.answers = list(answers)
        self.requests: list[PermissionRequest] = []

    async def ask(self, request: PermissionRequest) -> Decision:
        self.requests.append(request)
        return self.answers.pop(0) if self.answers else Decision.YES
