"""Prompts through the team store: `coda prompts push` on one machine, `coda prompts pull`
on another (another data dir, same PostgreSQL), then listed as `team` and runnable; a
project prompt of the same name still wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.prompts.helpers import write_prompts


def test_push_then_pull_on_another_machine(
    tmp_path: Path, team_url: str, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[team]\ndatabase_url = "{team_url}"\n')
    monkeypatch.setenv("CODA_CONFIG_FILE", str(config))
    here = tmp_path / "here"
    write_prompts(here, isolated_env)
    monkeypatch.chdir(here)
    pushed = CliRunner().invoke(cli, ["prompts", "push"])
    assert pushed.exit_code == 0, pushed.output
    assert "pushed 2 prompt(s)" in pushed.output  # the project's explain-sql and style

    # Another machine: another data dir, a project with its own `style` prompt.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "other-data"))
    there = tmp_path / "there" / ".coda" / "prompts"
    there.mkdir(parents=True)
    (there / "style.md").write_text("---\ndescription: Their style\n---\nTheir style.")
    monkeypatch.chdir(there.parent.parent)
    pulled = CliRunner().invoke(cli, ["prompts", "pull"])
    assert pulled.exit_code == 0 and "pulled 2 prompt(s)" in pulled.output, pulled.output
    listed = json.loads(CliRunner().invoke(cli, ["prompts", "list", "--json"]).stdout)
    scopes = {p["name"]: (p["scope"], p["description"]) for p in listed["prompts"]}
    assert scopes["explain-sql"] == ("team", "Explain a SQL query")
    assert scopes["style"] == ("project", "Their style")
    (there.parent.parent / "q.sql").write_text("SELECT 1;\n")
    dry = CliRunner().invoke(
        cli, ["prompts", "run", "explain-sql", "--selection", "q.sql", "--dry-run"]
    )
    assert dry.stdout.strip() == "Explain this postgres query step by step:\n\nSELECT 1;"
