"""The prompt library in the shell: each prompt a slash command, listed in /help and
completed, run against the scripted model server in the prompt's mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from prompt_toolkit.document import Document

from coda_cli.main import cli
from coda_cli.shell.app import build_shell
from coda_cli.shell.completion import ShellCompleter
from coda_cli.shell.slash import Outcome, dispatch, registry
from coda_cli.shell.state import ShellState
from coda_cli.shell.turn import run_line
from coda_cli.state import AppState
from coda_ls.modes import MODES
from tests.prompts.helpers import write_prompts
from tests.shell.conftest import Captured
from tests.support.model_server import Reply, ScriptedModelServer


@pytest.fixture
async def prompt_shell(
    model_server: ScriptedModelServer,
    workspace: Path,
    isolated_env: Path,
    out: Captured,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[ShellState]:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    write_prompts(workspace, isolated_env)
    (workspace / "query.sql").write_text("SELECT 1;\nSELECT 2;\n")
    state = build_shell(AppState(_console=out.console, _err_console=out.console), with_map=False)
    yield state
    await state.core.aclose()


async def test_prompts_are_slash_commands_in_help_and_completion(
    prompt_shell: ShellState, out: Captured
) -> None:
    startup = out.take()
    assert "broken.md" in startup and "descripton" in startup  # reported, not fatal
    await dispatch(prompt_shell, "/help")
    text = out.take()
    assert "/explain-sql [dialect=postgres] @FILE[:LINES]" in text
    assert "Explain a SQL query (explain mode) [project prompt]" in text
    assert "/commit <topic>" in text and "Project style check" in text
    completions = [
        c.text
        for c in ShellCompleter(prompt_shell).get_completions(Document("/ex"), None)  # type: ignore[arg-type]
    ]
    assert "/explain-sql" in completions

    def complete(text: str) -> list[str]:
        completer = ShellCompleter(prompt_shell)
        return [c.text for c in completer.get_completions(Document(text), None)]  # type: ignore[arg-type]

    assert complete("/explain-sql d") == ["dialect="]
    assert complete("/explain-sql dialect=x ") == []
    assert complete("/explain-sql @que") == ["@query.sql"]
    assert registry()["help"].name == "help"  # built-ins are untouched


async def test_slash_prompt_reaches_the_model_in_its_mode(
    prompt_shell: ShellState, model_server: ScriptedModelServer, out: Captured
) -> None:
    model_server.script(Reply(text="Two selects."))
    assert await run_line(prompt_shell, "/explain-sql sqlite @query.sql:2") is Outcome.DONE
    assert "Two selects." in out.take()
    messages = model_server.chat_requests()[-1].body["messages"]
    assert messages[-1]["content"].endswith("Explain this sqlite query step by step:\n\nSELECT 2;")
    assert messages[0]["content"].startswith(MODES["explain"].system_prompt)
    assert prompt_shell.mode == "chat", "the prompt's mode is for its turn only"

    await run_line(prompt_shell, "/commit")  # a missing argument: said, not raised
    assert "needs the argument 'topic'" in out.take()
    await run_line(prompt_shell, "/explain-sql @missing.sql")
    assert "missing.sql: no such file" in out.take()
    await run_line(prompt_shell, "/explain-sql")
    assert "works on a selection and none was given" in out.take()
    assert len(model_server.chat_requests()) == 1, "no request for a prompt that failed"


def test_piped_chat_runs_a_prompt_command(
    model_server: ScriptedModelServer,
    tmp_path: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    monkeypatch.chdir(tmp_path)
    write_prompts(tmp_path, isolated_env)
    model_server.script(Reply(text="docs: typo"))
    result = CliRunner().invoke(cli, ["chat", "--no-map"], input="/commit fix a typo\n")
    assert result.exit_code == 0, result.output
    assert "docs: typo" in result.stdout
    question = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert question.endswith("Write a one-line commit message about fix a typo.")
