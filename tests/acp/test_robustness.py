"""Malformed and out-of-order ACP messages, written as raw lines to a real `coda acp`:
each is answered with a JSON-RPC error, and the agent keeps serving afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.model_server import Reply, ScriptedModelServer


class RawAgent:
    """`coda acp` spoken to line by line, with responses collected by id."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.messages: list[dict[str, Any]] = []

    async def send(self, line: str | dict[str, Any]) -> None:
        assert self.process.stdin is not None
        data = line if isinstance(line, str) else json.dumps(line)
        self.process.stdin.write(data.encode() + b"\n")
        await self.process.stdin.drain()

    async def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 30)
        assert line, "the agent closed its output (it died)"
        message: dict[str, Any] = json.loads(line)
        self.messages.append(message)
        return message

    async def response(self, request_id: Any) -> dict[str, Any]:
        """The response with this id (notifications and other responses are kept)."""
        for message in self.messages:
            if message.get("id") == request_id and "method" not in message:
                return message
        while True:
            message = await self.read()
            if message.get("id") == request_id and "method" not in message:
                return message

    async def request(self, request_id: int, method: str, params: Any) -> dict[str, Any]:
        await self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return await self.response(request_id)


@pytest.fixture
async def raw(model_server: ScriptedModelServer, workspace: Path) -> Any:
    env = {**os.environ, "OLLAMA_HOST": model_server.url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coda_cli", "acp",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, env=env, cwd=workspace,
    )  # fmt: skip
    agent = RawAgent(process)
    yield agent
    if process.returncode is None:
        assert process.stdin is not None
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


INITIALIZE = {"protocolVersion": 1, "clientCapabilities": {}}


async def test_out_of_order_requests_are_errors(raw: RawAgent, workspace: Path) -> None:
    early = await raw.request(1, "session/new", {"cwd": str(workspace), "mcpServers": []})
    assert early["error"]["code"] == -32600
    assert "initialize" in early["error"]["data"]["message"]
    prompt = {"sessionId": "abc", "prompt": [{"type": "text", "text": "hi"}]}
    assert (await raw.request(2, "session/prompt", prompt))["error"]["code"] == -32600

    assert "result" in await raw.request(3, "initialize", INITIALIZE)
    # Initialized, but no such session: prompt, set_mode and load name it.
    unknown = await raw.request(4, "session/prompt", prompt)
    assert unknown["error"]["code"] == -32602
    assert "session/new" in unknown["error"]["data"]["message"]
    mode = await raw.request(5, "session/set_mode", {"sessionId": "abc", "modeId": "code"})
    assert mode["error"]["code"] == -32602
    load = {"cwd": str(workspace), "sessionId": "ffff0000", "mcpServers": []}
    assert (await raw.request(6, "session/load", load))["error"]["code"] == -32602
    # A relative cwd, a missing one.
    for n, cwd in ((7, "relative/dir"), (8, str(workspace / "missing"))):
        bad = await raw.request(n, "session/new", {"cwd": cwd, "mcpServers": []})
        assert bad["error"]["code"] == -32602
    # Cancelling a session that does not exist is a notification: nothing to answer.
    await raw.send({"jsonrpc": "2.0", "method": "session/cancel", "params": {"sessionId": "x"}})
    ok = await raw.request(9, "session/new", {"cwd": str(workspace), "mcpServers": []})
    assert ok["result"]["sessionId"]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("this is not json", -32700),
        ('{"jsonrpc": "2.0", "id": 5, "method": "initialize", "params": {', -32700),
        ("[1, 2, 3]", -32600),
        ("42", -32600),
        ('{"jsonrpc": "2.0", "id": 7}', -32600),
        ('{"jsonrpc": "2.0", "id": 8, "method": 12}', -32600),
        ('{"jsonrpc": "2.0", "id": {"a": 1}, "method": "initialize"}', -32600),
        ('{"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": "x"}', -32602),
        ('{"jsonrpc": "2.0", "id": 10, "method": "no/such/method", "params": {}}', -32601),
        ('{"jsonrpc": "2.0", "id": 11, "method": "session/new", "params": {"cwd": 3}}', -32602),
        ('{"jsonrpc": "2.0", "id": 12, "method": "session/prompt", "params": {}}', -32602),
    ],
)
async def test_malformed_lines_are_answered_and_the_agent_lives_on(
    raw: RawAgent, line: str, code: int, model_server: ScriptedModelServer, workspace: Path
) -> None:
    assert "result" in await raw.request(1, "initialize", INITIALIZE)
    await raw.send(line)
    error = await raw.read()
    assert error["error"]["code"] == code, error
    # Still serving: a whole turn works after it.
    model_server.script(Reply(text="Still here."))
    new = await raw.request(2, "session/new", {"cwd": str(workspace), "mcpServers": []})
    session_id = new["result"]["sessionId"]
    prompt = {"sessionId": session_id, "prompt": [{"type": "text", "text": "alive?"}]}
    done = await raw.request(3, "session/prompt", prompt)
    assert done["result"]["stopReason"] == "end_turn"
    chunks = [
        m["params"]["update"]["content"]["text"]
        for m in raw.messages
        if m.get("method") == "session/update"
        and m["params"]["update"]["sessionUpdate"] == "agent_message_chunk"
    ]
    assert "".join(chunks) == "Still here."


async def test_a_second_prompt_while_one_runs_is_refused(
    raw: RawAgent, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.script(Reply(chunks=["slow "] * 20, chunk_delay=0.1))
    await raw.request(1, "initialize", INITIALIZE)
    new = await raw.request(2, "session/new", {"cwd": str(workspace), "mcpServers": []})
    session_id = new["result"]["sessionId"]
    prompt = {"sessionId": session_id, "prompt": [{"type": "text", "text": "go"}]}
    await raw.send({"jsonrpc": "2.0", "id": 3, "method": "session/prompt", "params": prompt})
    while not any(m.get("method") == "session/update" and
                  m["params"]["update"]["sessionUpdate"] == "agent_message_chunk"
                  for m in raw.messages):  # fmt: skip
        await raw.read()
    busy = await raw.request(4, "session/prompt", prompt)
    assert busy["error"]["code"] == -32600
    await raw.send(
        {"jsonrpc": "2.0", "method": "session/cancel", "params": {"sessionId": session_id}}
    )
    assert (await raw.response(3))["result"]["stopReason"] == "cancelled"


async def test_a_new_session_s_commands_follow_its_answer(raw: RawAgent, workspace: Path) -> None:
    """The client learns a new session's id from the answer; an update naming it before
    that could not be placed."""
    await raw.request(1, "initialize", INITIALIZE)
    new = await raw.request(2, "session/new", {"cwd": str(workspace), "mcpServers": []})
    session_id = new["result"]["sessionId"]
    answered_at = raw.messages.index(new)
    before = [m for m in raw.messages[:answered_at] if m.get("method") == "session/update"]
    assert before == []
    update = await raw.read()
    assert update["method"] == "session/update"
    assert update["params"]["sessionId"] == session_id
    assert update["params"]["update"]["sessionUpdate"] == "available_commands_update"
