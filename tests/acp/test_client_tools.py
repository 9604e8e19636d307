"""What the ACP client brings to a session: its MCP servers and its terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from acp.schema import (
    ContentToolCallContent,
    McpServerStdio,
    TerminalToolCallContent,
    ToolCallProgress,
    ToolCallStart,
)

from tests.acp.conftest import Connect, text
from tests.support.model_server import Reply, ScriptedModelServer

REFERENCE = str(Path(__file__).parents[1] / "tools" / "reference_mcp_server.py")


def _results(progress: list[ToolCallProgress]) -> list[str]:
    return [
        c.content.text
        for p in progress
        if p.status in ("completed", "failed")
        for c in (p.content or [])
        if isinstance(c, ContentToolCallContent) and c.content.type == "text"
    ]


async def test_the_client_s_mcp_servers_are_connected_and_always_is_remembered(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    add = {"name": "reference__add", "arguments": {"a": 2, "b": 3}}
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[add]),
        Reply(text="", chunks=[], tool_calls=[add]),
        Reply(text="2 + 3 = 5, twice."),
    )
    server = McpServerStdio(name="reference", command=sys.executable, args=[REFERENCE], env=[])
    async with connect() as (conn, client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[server])
        client.permission_answers = ["allow-always"]
        response = await conn.prompt(session_id=session.session_id, prompt=text("add them"))

    assert response.stop_reason == "end_turn"
    tools = [t["function"]["name"] for t in model_server.chat_requests()[0].body.get("tools", [])]
    assert "reference__add" in tools
    assert len(client.permission_requests) == 1, "allow-always: asked once for two calls"
    assert [s.kind for s in client.of(ToolCallStart)] == ["other", "other"]
    results = _results(client.of(ToolCallProgress))
    assert len(results) == 2 and all("5" in r for r in results)


async def test_the_shell_runs_in_the_client_s_terminal(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    shell = {"name": "shell", "arguments": {"command": "echo hi-from-terminal"}}
    model_server.script(Reply(text="", chunks=[], tool_calls=[shell]), Reply(text="It said hi."))
    async with connect(terminal=True) as (conn, client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        client.permission_answers = ["allow-once"]
        await conn.prompt(session_id=session.session_id, prompt=text("say hi"))

    assert client.commands == [["/bin/sh", "-c", "echo hi-from-terminal"]]
    assert client.released == ["term-0"]
    progress = client.of(ToolCallProgress)
    shown = [
        c for p in progress for c in (p.content or []) if isinstance(c, TerminalToolCallContent)
    ]
    assert [c.terminal_id for c in shown] == ["term-0"]
    assert _results(progress) == ["exit code 0\nhi-from-terminal\n"]
    assert client.of(ToolCallStart)[0].kind == "execute"
    tool_message = [
        m for m in model_server.chat_requests()[-1].body["messages"] if m["role"] == "tool"
    ]
    assert "hi-from-terminal" in tool_message[0]["content"]
