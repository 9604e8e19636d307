"""`/mode test` in the shell: a question naming a file writes, runs (a real unittest run)
and fixes tests for it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coda_cli.shell.slash import dispatch
from coda_cli.shell.state import ShellState
from coda_cli.shell.turn import run_line
from tests.shell.conftest import Captured
from tests.support.model_server import Reply, ScriptedModelServer

WRONG = "import unittest\n\nfrom calc import add\n\n\nclass T(unittest.TestCase):\n" \
    "    def test_add(self):\n        self.assertEqual(add(1, 1), 3)\n"  # fmt: skip
RIGHT = WRONG.replace("add(1, 1), 3", "add(1, 1), 2")


@pytest.fixture(autouse=True)
def allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    # No terminal to answer prompts in these tests: the policy allows the write and run.
    monkeypatch.setenv("CODA_PERMISSIONS__WRITE", "allow")
    monkeypatch.setenv("CODA_PERMISSIONS__SHELL", "allow")


async def test_mode_test_writes_runs_and_fixes(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer, workspace: Path
) -> None:
    await dispatch(shell, "/mode test")
    assert shell.mode == "test" and "write and run tests" in out.take()
    model_server.script(
        Reply(text=json.dumps({"content": WRONG})), Reply(text=json.dumps({"content": RIGHT}))
    )
    await run_line(shell, "tests for @calc.py, one case is enough")
    text = out.take()
    assert "round 1: created tests/test_calc.py; tests failed (exit 1)" in text
    assert "round 2: rewrote tests/test_calc.py; tests passed: 1 passed, 0 failed" in text
    assert "tests passed" in text
    assert (workspace / "tests" / "test_calc.py").read_text() == RIGHT
    assert shell.session_id is not None and shell.failures == 0
    first = model_server.chat_requests()[0].body["messages"][-1]["content"]
    assert "Also: tests for calc.py, one case is enough" in first


async def test_mode_test_without_a_file_says_how(shell: ShellState, out: Captured) -> None:
    await dispatch(shell, "/mode test")
    out.take()
    await run_line(shell, "write some tests")
    text = out.take()
    assert "needs the code to test" in text and "@path" in text


async def test_context_lists_the_rules_files(
    shell: ShellState, out: Captured, workspace: Path
) -> None:
    (workspace / "AGENTS.md").write_text("Use four spaces.\n")
    (workspace / "CLAUDE.md").write_text("Use four spaces.\n")
    await dispatch(shell, "/context")
    text = out.take()
    assert "AGENTS.md: " in text and "tokens" in text
    assert "CLAUDE.md: skipped (duplicate); same text as AGENTS.md" in text
    assert "(rules_max_tokens)" in text
