"""`coda test` end to end: click, the Workspace, the Ollama provider against the scripted
server, the toolbox, and a real pytest run in a temporary project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.support.model_server import Reply, ScriptedModelServer
from tests.testgen.conftest import FAILING_TESTS, PASSING_TESTS, plan


@pytest.fixture
def runner(
    model_server: ScriptedModelServer, project: Path, monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    monkeypatch.chdir(project)
    return CliRunner()


def test_coda_test_writes_runs_and_retries(
    runner: CliRunner, model_server: ScriptedModelServer, project: Path
) -> None:
    model_server.script(Reply(text=plan(FAILING_TESTS)), Reply(text=plan(PASSING_TESTS)))
    result = runner.invoke(cli, ["test", "calc.py:1-2", "--yes", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "passed"
    assert data["framework"] == "pytest" and data["test_file"] == "tests/test_calc.py"
    assert [(r["action"], r["exit_code"]) for r in data["rounds"]] == [
        ("created", 1),
        ("rewrote", 0),
    ]
    assert data["rounds"][1]["passed"] == 2
    assert (project / "tests" / "test_calc.py").read_text() == PASSING_TESTS
    assert "assert 4 == 5" in model_server.chat_requests()[1].body["messages"][-1]["content"]
    system = model_server.chat_requests()[0].body["messages"][0]["content"]
    assert "Repository map" in system and "div" in system  # what the tests can import


def test_coda_test_reports_a_failure_with_exit_1(
    runner: CliRunner, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=plan(FAILING_TESTS)))
    result = runner.invoke(cli, ["test", "calc.py", "--yes", "--rounds", "0"])
    assert result.exit_code == 1
    assert "tests failed" in result.stdout
    assert "round 1: created tests/test_calc.py; tests failed (exit 1): 0 passed, 1 failed" in (
        result.stdout
    )
    assert "assert 4 == 5" in result.stdout  # the end of the failing run is shown
    assert len(model_server.chat_requests()) == 1


def test_without_a_terminal_nothing_is_written_unless_allowed(
    runner: CliRunner, model_server: ScriptedModelServer, project: Path
) -> None:
    model_server.script(Reply(text=plan(PASSING_TESTS)))
    result = runner.invoke(cli, ["test", "calc.py"])
    assert result.exit_code == 1
    assert "refused" in result.output and "permissions.write" in result.output
    assert not (project / "tests").exists()


def test_existing_test_file_is_never_overwritten_without_a_terminal(
    runner: CliRunner, model_server: ScriptedModelServer, project: Path
) -> None:
    (project / "tests").mkdir()
    mine = "def test_mine():\n    assert True\n"
    (project / "tests" / "test_calc.py").write_text(mine)
    model_server.script(Reply(text=plan(PASSING_TESTS)))
    result = runner.invoke(cli, ["test", "calc.py", "--yes"])  # --yes covers new files only
    assert result.exit_code == 1
    assert "tests refused" in result.stdout
    assert "-def test_mine():" in result.stderr  # the diff was shown
    assert (project / "tests" / "test_calc.py").read_text() == mine


def test_test_mode_is_listed_and_the_help_describes_it() -> None:
    result = CliRunner().invoke(cli, ["test", "--help"])
    assert result.exit_code == 0
    assert "--rounds" in result.output and "FILE[:LINE[-LINE]]" in result.output
    listed = CliRunner().invoke(cli, ["--help"])
    assert " test " in listed.output and " context " in listed.output
    # Not a plain question's mode: it writes and runs files.
    assert "test" not in CliRunner().invoke(cli, ["ask", "--help"]).output.split("--mode")[1][:80]


def test_each_round_is_held_to_the_cost_confirmation(
    runner: CliRunner,
    model_server: ScriptedModelServer,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = project.parent / "config.toml"
    config.write_text(
        'provider = "openai"\nmodel = "llama3.2:latest"\n'
        f'[providers.openai]\nbase_url = "{model_server.url}/v1"\n'
        '[providers.openai.prices."llama3.2:latest"]\ninput = 1000000.0\noutput = 0.0\n'
        "[preview]\nconfirm_above = 0.01\n"
    )
    monkeypatch.setenv("CODA_CONFIG_FILE", str(config))
    result = runner.invoke(cli, ["test", "calc.py", "--yes"])
    assert result.exit_code != 0
    assert "no terminal to confirm" in result.output
    assert not model_server.chat_requests()  # nothing was sent
    assert not (project / "tests").exists()
