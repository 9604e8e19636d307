"""`coda vcs` / `coda status` and `coda project` through the real click group."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.vcs.repos import RECIPES, make_scenario


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_vcs_json_and_table(tmp_path: Path) -> None:
    root = make_scenario(RECIPES["git"], tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["vcs", "--json", str(root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["system"] == "git" and data["branch"] == "main"
    assert data["root"] == str(root.resolve())
    assert data["status"]["changed"] == ["a.txt"]
    assert data["status"]["untracked"] == ["untracked.txt"]

    table = runner.invoke(cli, ["--no-color", "status", str(root)])
    assert table.exit_code == 0, table.output
    assert "Git" in table.output and "main" in table.output and "new.txt" in table.output


def test_vcs_on_a_plain_directory_and_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\ndependencies=["click>=8"]\n')
    (tmp_path / "x.py").write_text("print()\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["vcs", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "no version control" in result.output

    data = json.loads(runner.invoke(cli, ["project", "--json", str(tmp_path)]).output)
    assert data["languages"][0]["name"] == "Python"
    assert data["dependencies"] == [
        {"name": "click", "constraint": ">=8", "group": "runtime", "manifest": "pyproject.toml"}
    ]
    table = runner.invoke(cli, ["--no-color", "project", str(tmp_path)])
    assert table.exit_code == 0 and "click" in table.output
    brief = runner.invoke(cli, ["project", "--summary", str(tmp_path)])
    assert brief.output.startswith("Languages: Python")
