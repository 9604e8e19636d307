"""`coda mcp tools`: the configured servers and the tools they offer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.tools.test_mcp import REFERENCE


def test_no_servers_configured(workspace: Path) -> None:
    result = CliRunner().invoke(cli, ["mcp", "tools", "--root", str(workspace)])
    assert result.exit_code == 0
    assert "No MCP servers configured" in result.output
    assert '[mcp_servers.coda]\ncommand = ["coda", "mcp"]' in result.output


def test_lists_tools_and_failures(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / ".coda").mkdir()
    (workspace / ".coda" / "config.toml").write_text(
        f"[mcp_servers.ref]\ncommand = [{sys.executable!r}, {REFERENCE!r}]\n"
        '[mcp_servers.bad]\ncommand = ["/nonexistent/server"]\n'
    )
    monkeypatch.chdir(workspace)
    result = CliRunner().invoke(cli, ["--no-color", "mcp", "tools", "--root", str(workspace)])
    assert result.exit_code == 0, result.output
    assert "ref__add" in result.output and "ref__write_note" in result.output
    assert "MCP server 'bad'" in result.output
    assert "permissions.mcp = ask" in result.output
