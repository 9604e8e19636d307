"""A shell (real engine, session store and toolbox) talking to the scripted model server,
with its output captured in a string."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rich.console import Console

from coda_cli.shell.app import build_shell
from coda_cli.shell.state import ShellState
from coda_cli.state import AppState
from tests.support.model_server import ScriptedModelServer


class Captured:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.console = Console(file=self.buffer, width=120, color_system=None)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    (root / "notes.md").write_text("# Notes\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def out() -> Captured:
    return Captured()


@pytest.fixture
async def shell(
    model_server: ScriptedModelServer,
    workspace: Path,
    out: Captured,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ShellState]:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    app = AppState(_console=out.console, _err_console=out.console)
    state = build_shell(app, with_map=False)
    yield state
    await state.engine.aclose()
    if state.engine.store is not None:
        state.engine.store.close()
