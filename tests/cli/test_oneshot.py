"""The one-shot CLI commands through click's CliRunner against the scripted server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.support.model_server import Reply, ScriptedModelServer


@pytest.fixture
def runner(model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    return CliRunner()


def test_version_and_help() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "coda, version" in result.output
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("ask", "config", "doctor", "models", "review"):
        assert command in result.output


def test_ask_streams_the_answer(runner: CliRunner, model_server: ScriptedModelServer) -> None:
    model_server.script(Reply(chunks=["The answer ", "is 42."]))
    result = runner.invoke(cli, ["ask", "what", "is", "it?"])
    assert result.exit_code == 0, result.output
    assert "The answer is 42." in result.output
    sent = model_server.chat_requests()[-1].body
    assert sent["messages"][0]["role"] == "system"
    assert sent["messages"][-1]["content"].endswith("what is it?")
    assert sent["model"] == "llama3.2:latest"  # the first model Ollama lists


def test_ask_json_and_stdin(runner: CliRunner, model_server: ScriptedModelServer) -> None:
    model_server.script(Reply(text="It adds numbers.", prompt_tokens=30, completion_tokens=4))
    result = runner.invoke(cli, ["ask", "--json", "what does this do?"], input="def add(a, b): ...")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # stderr says which provider was chosen automatically
    assert data["answer"] == "It adds numbers."
    assert data["usage"]["input_tokens"] == 30
    assert "def add(a, b)" in model_server.chat_requests()[-1].body["messages"][-1]["content"]


def test_no_provider_reachable_gives_guidance_and_exit_2() -> None:
    result = CliRunner().invoke(cli, ["ask", "hello"])  # OLLAMA_HOST points at a closed port
    assert result.exit_code == 2
    assert "no model provider is reachable" in result.output
    assert "ollama serve" in result.output
    assert "Traceback" not in result.output


def test_unknown_model_lists_close_matches(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["ask", "--model", "qwen2.5-coder:8b", "hi"])
    assert result.exit_code == 1
    assert "unknown model 'qwen2.5-coder:8b'" in result.output
    assert "qwen2.5-coder:7b" in result.output


def test_debug_shows_traceback() -> None:
    import logging

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        result = CliRunner().invoke(cli, ["--debug", "ask", "hello"])
    finally:  # --debug configures the process's logging; later tests must not inherit it
        root.setLevel(level)
        root.handlers[:] = handlers
    assert result.exit_code == 2
    assert "Traceback" in result.output
    assert " INFO " in result.stderr or " DEBUG " in result.stderr  # logging is on


def test_provider_error_mid_request(runner: CliRunner, model_server: ScriptedModelServer) -> None:
    model_server.script(Reply(status=500, error="model crashed"))
    result = runner.invoke(cli, ["ask", "hi"])
    assert result.exit_code == 1
    assert "model crashed" in result.output


def test_explain_sends_the_numbered_range(
    runner: CliRunner, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    source = tmp_path / "calc.py"
    source.write_text("import os\n\n\ndef add(a, b):\n    return a + b\n")
    model_server.script(Reply(text="It adds two numbers."))
    result = runner.invoke(cli, ["explain", f"{source}:4-5"])
    assert result.exit_code == 0, result.output
    assert "It adds two numbers." in result.output
    prompt = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "selected lines 4-5" in prompt and "def add(a, b):" in prompt


def test_explain_missing_file_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["explain", "nope.py:1-2"])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_review_prints_findings(
    runner: CliRunner, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    source = tmp_path / "bad.py"
    source.write_text("def div(a, b):\n    return a / b\n")
    findings = {
        "summary": "One risk.",
        "findings": [
            {
                "file": "bad.py",
                "start_line": 2,
                "end_line": 2,
                "severity": "warning",
                "message": "division by zero when b is 0",
                "suggestion": "    return a / b if b else 0",
            }
        ],
    }
    model_server.script(Reply(text=json.dumps(findings)))
    result = runner.invoke(cli, ["review", str(source)])
    assert result.exit_code == 0, result.output
    assert "division by zero" in result.output
    assert "warning" in result.output


def test_review_of_piped_diff(runner: CliRunner, model_server: ScriptedModelServer) -> None:
    model_server.script(Reply(text='{"summary": "fine", "findings": []}'))
    result = runner.invoke(cli, ["review", "-"], input="--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
    assert result.exit_code == 0, result.output
    assert "No findings" in result.output
    assert "+++ b/x" in model_server.chat_requests()[-1].body["messages"][-1]["content"]


def test_refactor_shows_diff_and_applies(
    runner: CliRunner, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f(x):\n    y = x*2\n    return y\n")
    edits = {
        "summary": "inline",
        "edits": [
            {
                "file": "m.py",
                "search": "    y = x*2\n    return y\n",
                "replace": "    return x * 2\n",
            }
        ],
    }
    model_server.script(Reply(text=json.dumps(edits)), Reply(text=json.dumps(edits)))
    result = runner.invoke(cli, ["refactor", f"{source}:2-3", "inline y"])
    assert result.exit_code == 0, result.output
    assert "+    return x * 2" in result.output
    assert "not applied" in result.output
    assert "y = x*2" in source.read_text()
    result = runner.invoke(cli, ["refactor", "--apply", f"{source}:2-3", "inline y"])
    assert result.exit_code == 0, result.output
    assert source.read_text() == "def f(x):\n    return x * 2\n"


def test_models_table_and_unreachable(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["models"])
    assert result.exit_code == 0, result.output
    assert "qwen2.5-coder:7b" in result.output and "32,768" in result.output
    result = CliRunner().invoke(cli, ["models"], env={"OLLAMA_HOST": "http://127.0.0.1:9"})
    assert "ollama: unreachable" in result.output
    assert "No models available" in result.output


def test_models_pull_and_delete(runner: CliRunner, model_server: ScriptedModelServer) -> None:
    result = runner.invoke(cli, ["models", "pull", "phi4"])
    assert result.exit_code == 0, result.output
    assert model_server.pulled == ["phi4"]
    result = runner.invoke(cli, ["models", "delete", "-y", "phi4"])
    assert result.exit_code == 0, result.output
    assert model_server.deleted == ["phi4"]


def test_config_show_path_and_set(
    isolated_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["config", "set", "providers.litellm.api_key", "sk-secret-value-1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["config", "set", "repomap.tokens", "2048"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["config", "show", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in json.loads(result.output)}
    assert rows["repomap.tokens"]["value"] == "2048"
    assert rows["repomap.tokens"]["source"].startswith("user file")
    assert rows["providers.litellm.api_key"]["value"] == "********"
    assert "sk-secret" not in result.output
    result = runner.invoke(cli, ["config", "set", "repomap.tokens", "many"])
    assert result.exit_code == 2 and "integer" in result.output
    result = runner.invoke(cli, ["config", "path"])
    assert str(isolated_env / ".config" / "coda" / "config.toml") in result.output


def test_bad_config_file_is_reported_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".coda").mkdir()
    (tmp_path / ".coda" / "config.toml").write_text("[providers.ollama]\nhost = 5\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 2
    assert "config.toml:2" in result.output and "providers.ollama.host" in result.output
    assert "Traceback" not in result.output


def test_doctor_offline_says_how_to_connect() -> None:
    # OLLAMA_HOST is set (to a closed port) by the test environment: a provider the user
    # configured does not answer, so doctor fails (#26); unset, it is informational.
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1, result.output
    assert "No model provider is reachable" in result.output
    assert "ollama serve" in result.output
    for check in ("grammars", "queries compile", "database", "vcs"):
        assert check in result.output


def _write_call(path: str) -> Reply:
    return Reply(
        text="",
        chunks=[],
        tool_calls=[{"name": "write_file", "arguments": {"path": path, "content": "hello\n"}}],
    )


@pytest.mark.parametrize(("answer", "written"), [("n", False), ("y", True), ("a", True)])
def test_permission_prompt_decides_whether_a_write_happens(
    runner: CliRunner,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    written: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("coda_cli.asker.stdin_is_terminal", lambda: True)
    model_server.script(_write_call("out.txt"), Reply(text="done"))
    result = runner.invoke(cli, ["ask", "write hello to out.txt"], input=f"{answer}\n")
    assert result.exit_code == 0, result.output
    assert "Write out.txt" in result.output or "out.txt" in result.output
    assert "+hello" in result.output  # the diff is shown before asking
    assert (tmp_path / "out.txt").exists() is written


def test_without_a_terminal_writes_are_refused(
    runner: CliRunner,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    model_server.script(_write_call("out.txt"), Reply(text="could not"))
    result = runner.invoke(cli, ["ask", "write it"])
    assert result.exit_code == 0, result.output
    assert "permissions.write" in result.output
    assert not (tmp_path / "out.txt").exists()


def test_an_openai_compatible_server_works_with_no_config(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OPENAI_BASE_URL alone: Ollama is down, so the native provider and its first model."""
    monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    model_server.script(Reply(chunks=["via ", "the OpenAI API"]))
    result = CliRunner().invoke(cli, ["ask", "--json", "hello"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # stdout holds only the JSON; logs go to stderr
    assert data["answer"] == "via the OpenAI API"
    assert data["provider"] == "openai"
    assert model_server.chat_requests()[-1].path == "/v1/chat/completions"
    assert model_server.chat_requests()[-1].body["model"] == "llama3.2:latest"


def test_a_bug_is_reported_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("coda_ls.config.effective_items", broken)
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: boom" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
