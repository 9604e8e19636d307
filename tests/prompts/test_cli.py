"""`coda prompts` and `coda ask --prompt` through click against the scripted model server:
the filled prompt is what reaches the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.modes import MODES
from tests.prompts.helpers import write_prompts
from tests.support.model_server import Reply, ScriptedModelServer


@pytest.fixture
def project(tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    write_prompts(root, isolated_env)
    (root / "query.sql").write_text("-- header\nSELECT name\nFROM users\nWHERE id = 1;\n")
    monkeypatch.chdir(root)
    return root


def test_prompts_lists_both_dirs_and_reports_the_broken_file(project: Path) -> None:
    result = CliRunner().invoke(cli, ["prompts"])
    assert result.exit_code == 0, result.output
    assert "explain-sql" in result.output and "commit" in result.output
    assert "Project style check" in result.output
    assert "My personal style check" not in result.stdout  # the project's wins
    assert "broken.md" in result.stderr and "descripton" in result.stderr
    data = json.loads(CliRunner().invoke(cli, ["prompts", "list", "--json"]).stdout)
    scopes = {p["name"]: p["scope"] for p in data["prompts"]}
    assert scopes == {"commit": "user", "explain-sql": "project", "style": "project"}
    assert data["problems"][0]["path"].endswith("broken.md")


def test_run_sends_the_filled_prompt_in_its_mode(
    project: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    model_server.script(Reply(text="It selects a name."))
    result = CliRunner().invoke(
        cli, ["prompts", "run", "explain-sql", "mysql", "--selection", "query.sql:2-4"]
    )
    assert result.exit_code == 0, result.output
    assert "It selects a name." in result.stdout
    messages = model_server.chat_requests()[-1].body["messages"]
    question = messages[-1]["content"]
    assert "Explain this mysql query step by step:\n\nSELECT name\nFROM users\nWHERE id = 1;" in (
        question
    )
    assert "-- header" not in question  # only the selected lines
    assert messages[0]["content"].startswith(MODES["explain"].system_prompt)


def test_ask_prompt_uses_the_words_as_arguments(
    project: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    model_server.script(Reply(text="fix: parser"))
    result = CliRunner().invoke(cli, ["ask", "--prompt", "commit", "fix", "the", "parser"])
    assert result.exit_code == 0, result.output
    question = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert question.endswith("Write a one-line commit message about fix the parser.")


def test_missing_argument_and_unknown_prompt_are_clear_errors(project: Path) -> None:
    result = CliRunner().invoke(cli, ["prompts", "run", "commit"])
    assert result.exit_code == 1
    assert "needs the argument 'topic'" in result.output and "/commit <topic>" in result.output
    result = CliRunner().invoke(cli, ["prompts", "run", "nope"])
    assert "no prompt named 'nope'" in result.output and "Traceback" not in result.output
    dry = CliRunner().invoke(cli, ["prompts", "run", "commit", "topic=docs", "--dry-run"])
    assert dry.stdout.strip() == "Write a one-line commit message about docs."
