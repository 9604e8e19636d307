"""`coda chat` over the core Workspace: the configured MCP servers reach the model, and
the session is the shell's from the first answer's start on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from coda_cli.shell.app import build_shell
from coda_cli.shell.slash import Outcome
from coda_cli.shell.turn import run_line
from coda_cli.state import AppState
from tests.shell.conftest import Captured
from tests.support.model_server import Reply, ScriptedModelServer

REFERENCE = str(Path(__file__).parents[1] / "tools" / "reference_mcp_server.py")


async def test_mcp_servers_configured_for_the_project_are_used_in_the_shell(
    model_server: ScriptedModelServer,
    workspace: Path,
    out: Captured,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    config = workspace / ".coda" / "config.toml"
    config.parent.mkdir()
    config.write_text(
        '[permissions]\nmcp = "allow"\n\n'
        f"[mcp_servers.ref]\ncommand = [{sys.executable!r}, {REFERENCE!r}]\n",
        encoding="utf-8",
    )
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[{"name": "ref__add", "arguments": {"a": 4, "b": 5}}]),
        Reply(text="Four and five make 9."),
    )
    app = AppState(_console=out.console, _err_console=out.console)
    shell = build_shell(app, with_map=False)
    try:
        assert await run_line(shell, "what is 4 + 5?") is Outcome.DONE
        assert "Four and five make 9." in out.take()
        first, second = model_server.chat_requests()[-2:]
        assert "ref__add" in {tool["function"]["name"] for tool in first.body["tools"]}
        last = second.body["messages"][-1]
        assert last["role"] == "tool" and last["content"].strip() == "9"
        assert shell.session_id is not None
        titles = [s.title for s in shell.store.list_sessions()]
        assert titles == ["what is 4 + 5?"]
    finally:
        await shell.core.aclose()
        shell.store.close()
