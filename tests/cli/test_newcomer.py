"""What a newcomer trips over (#26): JSON errors, piped output, range errors, `config set`
validation, `serve --help`, the `status` alias, and explain/review session titles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.support.model_server import Reply, ScriptedModelServer


def coda(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `coda` in a subprocess: exit codes and piped stdout as a script sees them."""
    return subprocess.run(
        [sys.executable, "-m", "coda_cli", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "--json", "hello"],
        ["explain", "--json", "code.py:1"],
        ["review", "--json", "code.py"],
        ["models", "--json"],
    ],
)
def test_json_commands_print_a_json_error_when_no_provider_is_reachable(
    tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "code.py").write_text("def f():\n    return 1\n")
    result = coda(*args, cwd=tmp_path, env={"OLLAMA_HOST": "http://127.0.0.1:9"})
    if args[0] == "models":  # listing reports unreachable providers as data, exit 0
        data = json.loads(result.stdout)
        assert data["models"] == [] and data["unreachable"][0]["provider"] == "ollama"
        return
    assert result.returncode != 0
    error = json.loads(result.stdout)["error"]
    assert error["kind"] == "ProviderUnavailableError"
    assert "reachable" in error["message"] and error["hint"]


def test_a_usage_error_with_json_is_json_too(tmp_path: Path) -> None:
    result = coda("ask", "--json", cwd=tmp_path)
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["kind"] == "UsageError"


def test_piped_output_is_not_wrapped_and_paths_are_whole(tmp_path: Path) -> None:
    deep = tmp_path / "examples" / "celery_with_a_rather_long_name" / "requirements_for_docs"
    deep.mkdir(parents=True)
    (deep / "requirements.txt").write_text("flask\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\ndependencies = ["x"]\n')
    env = {"COLUMNS": ""}
    result = coda("doctor", cwd=tmp_path, env=env)
    lines = result.stdout.splitlines()
    assert any(str(Path.home()) in line for line in lines)
    assert all(not line.endswith("…") for line in lines)
    table_rows = [line for line in lines if line.startswith("│")]
    assert table_rows and len({len(line) for line in table_rows}) == 1  # one row, one line
    path_cells = [line for line in table_rows if ".local/share/coda/sessions.db" in line]
    assert path_cells, "the session database path was split across lines"


def test_explain_names_a_bad_range(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("a = 1\nb = 2\n")
    for spec, expected in [
        ("app.py:x-y", "the line range 'x-y' is not LINE or START-END"),
        ("app.py:9", "app.py has 2 lines; line 9 is past the end"),
        ("app.py:2-1", "the range ends before it starts"),
        ("missing.py:3", "missing.py: no such file"),
    ]:
        result = CliRunner().invoke(cli, ["explain", spec])
        assert result.exit_code == 2 and expected in result.output, result.output


def test_config_set_validates_before_writing(tmp_path: Path) -> None:
    home = Path(os.environ["HOME"])
    result = CliRunner().invoke(cli, ["config", "set", "repomap.tokens", "lots"])
    assert result.exit_code != 0
    assert "cannot set repomap.tokens to 'lots'" in result.output
    assert "valid integer" in result.output and ".new" not in result.output
    assert not (home / ".config" / "coda" / "config.toml").exists()
    result = CliRunner().invoke(cli, ["config", "set", "repomap.tokens", "2048"])
    assert result.exit_code == 0
    assert "tokens = 2048" in (home / ".config" / "coda" / "config.toml").read_text()


def test_serve_help_is_click_styled_and_status_is_listed() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"], prog_name="coda")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: coda serve [OPTIONS]")
    assert "--tcp HOST:PORT" in result.output and "--log-level" in result.output
    listing = CliRunner().invoke(cli, ["--help"]).output
    assert "status" in listing and "The same as `coda vcs`." in listing
    for command in (["doctor", "--help"], ["models", "--help"]):
        text = CliRunner().invoke(cli, command).output
        assert "--json" in text and "Print JSON on stdout" in text


def test_explain_and_review_sessions_are_titled_by_file_and_range(
    model_server: ScriptedModelServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("def f():\n    return 1\n\n\ndef g():\n    return 2\n")
    model_server.script(Reply(text="It returns one."), Reply(text='{"findings": []}'))
    assert CliRunner().invoke(cli, ["explain", "app.py:1-2"]).exit_code == 0
    assert CliRunner().invoke(cli, ["review", "app.py"]).exit_code == 0
    listed = CliRunner().invoke(cli, ["sessions", "list", "--json"])
    titles = {session["title"] for session in json.loads(listed.output)}
    assert titles == {"Explain app.py:1-2", "Review app.py"}


def test_doctor_exit_status_follows_the_checks(
    tmp_path: Path, model_server: ScriptedModelServer
) -> None:
    def rows(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
        report = json.loads(result.stdout)
        assert report["exit_code"] == result.returncode
        assert report["ok"] is (result.returncode == 0)
        return {c["name"]: c["ok"] for c in report["checks"] if c["area"] == "provider"}

    fresh = coda("doctor", "--json", cwd=tmp_path, env={"OLLAMA_HOST": ""})
    assert fresh.returncode == 0  # nothing configured and nothing broken
    assert rows(fresh)["ollama"] is None
    strict = coda("doctor", "--require-provider", cwd=tmp_path, env={"OLLAMA_HOST": ""})
    assert strict.returncode == 1
    asked = coda("doctor", "--json", cwd=tmp_path, env={"OLLAMA_HOST": "http://127.0.0.1:9"})
    assert asked.returncode == 1  # configured (OLLAMA_HOST) and not answering: a failure
    assert rows(asked)["ollama"] is False
    table = coda("doctor", cwd=tmp_path, env={"OLLAMA_HOST": "http://127.0.0.1:9"})
    assert "fail" in table.stdout and "Failed: provider/ollama (exit status 1)." in table.stdout
    working = coda("doctor", "--json", cwd=tmp_path, env={"OLLAMA_HOST": model_server.url})
    assert working.returncode == 0 and rows(working)["ollama"] is True


def test_models_lists_in_the_order_questions_use_and_marks_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.support.model_server import ScriptedModel

    models = [ScriptedModel("zeta-coder:7b"), ScriptedModel("alpha:1b")]
    with ScriptedModelServer(models=models) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        data = json.loads(CliRunner().invoke(cli, ["models", "--json"]).stdout)
        assert [m["name"] for m in data["models"]] == ["zeta-coder:7b", "alpha:1b"]
        assert data["default"] == {"provider": "ollama", "model": "zeta-coder:7b"}
        assert [m["default"] for m in data["models"]] == [True, False]
        table = CliRunner().invoke(cli, ["models"]).output
        assert table.index("zeta-coder:7b") < table.index("alpha:1b")
        assert "* ollama/zeta-coder:7b answers when no model is named" in table
        server.script(Reply(text="hi"))
        asked = json.loads(CliRunner().invoke(cli, ["ask", "--json", "hello"]).stdout)
        assert asked["model"] == "zeta-coder:7b"  # the marked one is the one that answers
