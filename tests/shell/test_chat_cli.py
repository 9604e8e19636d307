"""`coda chat` without a terminal (piped stdin) and `coda serve`, through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from prompt_toolkit.document import Document

from coda_cli.main import cli
from coda_cli.shell.completion import ShellCompleter, path_candidates
from coda_cli.shell.state import ShellState
from tests.support.model_server import Reply, ScriptedModelServer


@pytest.fixture
def runner(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> CliRunner:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("print('hi')\n", encoding="utf-8")
    return CliRunner()


def test_piped_chat_answers_each_line_and_prints_stats(
    runner: CliRunner, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text="One."), Reply(text="Two."))
    stdin = "first question\n\n/mode debug\nsecond question\n"
    result = runner.invoke(cli, ["chat", "--no-map"], input=stdin)
    assert result.exit_code == 0, result.output
    assert result.stdout.index("One.") < result.stdout.index("mode: debug")
    assert result.stdout.index("mode: debug") < result.stdout.index("Two.")
    assert "Session stats" in result.stderr and "Model requests" in result.stderr
    assert "Session stats" not in result.stdout  # answers stay clean for a pipe
    assert len(model_server.chat_requests()) == 2
    assert "root cause" in model_server.chat_requests()[-1].body["messages"][0]["content"]


def test_piped_chat_continues_a_session_and_exit_stops(
    runner: CliRunner, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text="Remember 42."))
    first = runner.invoke(cli, ["chat", "--no-map"], input="remember a number\n")
    assert first.exit_code == 0, first.output
    session_id = first.stderr.split("Session ID")[1].split()[0]
    model_server.script(Reply(text="It was 42."))
    second = runner.invoke(
        cli,
        ["chat", "--no-map", "--session", session_id[:8], "--model", "qwen2.5-coder:7b"],
        input="which number?\n/exit\nnever asked\n",
    )
    assert second.exit_code == 0, second.output
    assert "It was 42." in second.stdout
    body = model_server.chat_requests()[-1].body
    assert body["model"] == "qwen2.5-coder:7b"
    assert any(m["content"] == "Remember 42." for m in body["messages"])
    assert len(model_server.chat_requests()) == 2  # the line after /exit was not asked


def test_piped_chat_failure_sets_exit_status(
    runner: CliRunner, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(status=500, error="model crashed"), Reply(text="fine"))
    result = runner.invoke(cli, ["chat", "--no-map"], input="a\nb\n")
    assert result.exit_code == 1
    assert "model crashed" in result.output and "fine" in result.stdout


def test_piped_chat_without_provider_explains() -> None:
    result = CliRunner().invoke(cli, ["chat", "--no-map"], input="hello\n")
    assert result.exit_code == 2
    assert "no model provider is reachable" in result.output
    assert "Traceback" not in result.output


def test_chat_help_and_unknown_session(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chat", "--help"])
    assert result.exit_code == 0
    assert "--session" in result.output and "piped input" in result.output
    result = runner.invoke(cli, ["chat", "--no-map", "--session", "abc123"], input="hi\n")
    assert result.exit_code != 0 and "no session 'abc123'" in result.output


def test_serve_help_is_the_language_servers() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "coda-ls" in result.output and "--tcp" in result.output and "--stdio" in result.output
    listing = CliRunner().invoke(cli, ["--help"])
    assert "serve" in listing.output and "chat" in listing.output


# -- completion -----------------------------------------------------------------------------


def _complete(shell: ShellState, text: str) -> list[str]:
    completer = ShellCompleter(shell)
    return [c.text for c in completer.get_completions(Document(text), None)]  # type: ignore[arg-type]


def test_path_candidates(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("", encoding="utf-8")
    (tmp_path / "setup.py").write_text("", encoding="utf-8")
    (tmp_path / ".hidden").write_text("", encoding="utf-8")
    assert path_candidates(tmp_path, "s") == ["setup.py", "src/"]
    assert path_candidates(tmp_path, "src/m") == ["src/main.py"]
    assert path_candidates(tmp_path, ".h") == [".hidden"]
    assert ".hidden" not in path_candidates(tmp_path, "")
    assert path_candidates(tmp_path, "nope/x") == []


async def test_completion_of_commands_arguments_and_mentions(shell: ShellState) -> None:
    assert _complete(shell, "/mo") == ["/mode", "/model"]
    assert "/session" in _complete(shell, "/s")
    assert _complete(shell, "/mode re") == ["review", "refactor"]
    shell.models = ["llama3.2:latest", "qwen2.5-coder:7b"]
    assert _complete(shell, "/model q") == ["qwen2.5-coder:7b"]
    assert _complete(shell, "/theme d") == ["default", "dracula"]
    assert _complete(shell, "/session b") == ["branch"]
    assert _complete(shell, "/add cal") == ["calc.py"]
    assert _complete(shell, "explain @ca") == ["@calc.py"]
    assert _complete(shell, "/tools off we") == ["web_fetch"]
    assert _complete(shell, "plain words") == []
