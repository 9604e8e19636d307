"""`coda acp` end to end over stdio: the SDK's client side, the real agent process, the
scripted model server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from acp.schema import (
    AvailableCommandsUpdate,
    CurrentModeUpdate,
    EmbeddedResourceContentBlock,
    FileEditToolCallContent,
    ResourceContentBlock,
    SessionInfoUpdate,
    TextContentBlock,
    TextResourceContents,
    ToolCallProgress,
    ToolCallStart,
    UsageUpdate,
    UserMessageChunk,
)

from coda_ls.modes import MODES
from coda_ls.sessions import SessionStore
from tests.acp.conftest import SAMPLE, Connect, text
from tests.support.model_server import Reply, ScriptedModelServer


async def test_new_session_streams_a_prompt(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.script(Reply(chunks=["Areas ", "are ", "width × height."], prompt_tokens=40))
    async with connect() as (conn, client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        assert session.modes is not None
        assert [m.id for m in session.modes.available_modes] == [
            "chat", "code", "explain", "review", "refactor", "debug"
        ]  # fmt: skip
        response = await conn.prompt(session_id=session.session_id, prompt=text("What is area?"))
        # A new session's commands come after session/new is answered (the client could
        # not place them before): wait for them.
        for _ in range(100):
            if client.of(AvailableCommandsUpdate):
                break
            await asyncio.sleep(0.05)

    assert response.stop_reason == "end_turn"
    assert response.usage is not None and response.usage.input_tokens == 40
    assert client.text() == "Areas are width × height."
    chunks = [u for u in client.updates if type(u[1]).__name__ == "AgentMessageChunk"]
    assert len(chunks) == 3, "one agent_message_chunk per streamed delta"
    commands = client.of(AvailableCommandsUpdate)[0].available_commands
    assert {"explain", "review", "compact", "cost"} <= {c.name for c in commands}
    usage = client.of(UsageUpdate)
    assert usage and usage[-1].used > 0 and usage[-1].size >= usage[-1].used


async def test_permission_allowed_once_then_rejected_with_edits_through_the_editor(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    target = workspace / "geometry.py"
    unsaved = SAMPLE.replace('"""Area of a rectangle."""', '"""Area (unsaved docstring)."""')
    edit = {
        "name": "edit_file",
        "arguments": {
            "path": "geometry.py",
            "edits": [{"search": "return width * height", "replace": "return height * width"}],
        },
    }
    again = {
        "name": "edit_file",
        "arguments": {
            "path": "geometry.py",
            "edits": [{"search": "Geometry helpers.", "replace": "Shapes."}],
        },
    }
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[edit]),
        Reply(text="Swapped the factors."),
        Reply(text="", chunks=[], tool_calls=[again]),
        Reply(text="Understood, left it."),
    )
    async with connect() as (conn, client):
        client.buffers[str(target)] = unsaved
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        client.permission_answers = ["allow-once", "reject-once"]
        first = await conn.prompt(session_id=session.session_id, prompt=text("swap them"))
        written = list(client.writes)
        second = await conn.prompt(session_id=session.session_id, prompt=text("again"))

    assert first.stop_reason == second.stop_reason == "end_turn"
    # Allowed once: the edit went to the editor, made on its unsaved buffer; disk untouched.
    assert written == [(str(target), unsaved.replace("width * height", "height * width"))]
    assert target.read_text() == SAMPLE
    assert str(target) in client.reads
    # "Once" is not remembered: the second call asked again, was rejected, wrote nothing.
    assert len(client.permission_requests) == 2
    assert client.writes == written
    asked, options = client.permission_requests[0]
    assert asked.title and "geometry.py" in asked.title
    assert {o.kind for o in options} == {
        "allow_once", "allow_always", "reject_once", "reject_always"
    }  # fmt: skip
    starts = client.of(ToolCallStart)
    assert [s.kind for s in starts] == ["edit", "edit"]
    assert starts[0].locations and starts[0].locations[0].path == str(target)
    assert asked.tool_call_id == starts[0].tool_call_id
    progress = client.of(ToolCallProgress)
    diffs = [
        c for p in progress for c in (p.content or []) if isinstance(c, FileEditToolCallContent)
    ]
    assert diffs and diffs[0].old_text == unsaved and "height * width" in diffs[0].new_text
    ends = [p.status for p in progress if p.status in ("completed", "failed")]
    assert ends == ["completed", "failed"]


async def test_cancel_keeps_the_partial_answer_marked_interrupted(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path, store_path: Path
) -> None:
    words = [f"word{i} " for i in range(60)]
    model_server.script(Reply(chunks=words, chunk_delay=0.1))
    async with connect() as (conn, client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        prompt = asyncio.ensure_future(
            conn.prompt(session_id=session.session_id, prompt=text("talk at length"))
        )
        await asyncio.wait_for(client.chunk_seen.wait(), 30)
        await conn.cancel(session_id=session.session_id)
        response = await asyncio.wait_for(prompt, 10)
        partial = client.text()

    assert response.stop_reason == "cancelled"
    assert partial.startswith("word0 ") and len(partial) < len("".join(words))
    with SessionStore(store_path) as store:
        reply = [m for m in store.history(session.session_id) if m.role == "assistant"][-1]
    assert reply.status == "interrupted"
    assert reply.content.startswith("word0 ")


async def test_load_replays_history_and_the_session_is_coda_s(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.script(Reply(text="Two plus two is four."))
    async with connect() as (conn, _client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        await conn.prompt(session_id=session.session_id, prompt=text("What is 2+2?"))
        empty = await conn.new_session(cwd=str(workspace), mcp_servers=[])

    async with connect() as (conn, client):
        listed = await conn.list_sessions(cwd=str(workspace))
        loaded = await conn.load_session(
            cwd=str(workspace), session_id=session.session_id, mcp_servers=[]
        )
        await conn.set_session_mode(session_id=session.session_id, mode_id="explain")

    assert loaded.modes is not None
    ids = [s.session_id for s in listed.sessions]
    assert session.session_id in ids
    assert empty.session_id not in ids, "a session that got no message is not kept"
    assert listed.sessions[ids.index(session.session_id)].title == "What is 2+2?"
    users = [u.content.text for u in client.of(UserMessageChunk)]
    assert users == ["What is 2+2?"]
    assert client.text() == "Two plus two is four."
    assert client.of(CurrentModeUpdate)[0].current_mode_id == "explain"

    # The same session from the CLI: listed, and resumable (`coda chat --session`).
    env = {**os.environ, "OLLAMA_HOST": model_server.url}
    out = subprocess.run(
        [sys.executable, "-m", "coda_cli", "sessions", "list", "--json"],
        capture_output=True, text=True, env=env, cwd=workspace, timeout=60, check=True,
    )  # fmt: skip
    assert session.session_id in [s["id"] for s in json.loads(out.stdout)]
    model_server.script(Reply(text="Still four."))
    chat = subprocess.run(
        [sys.executable, "-m", "coda_cli", "chat", "--no-map", "--session", session.session_id[:8]],
        input="sure?\n", capture_output=True, text=True, env=env, cwd=workspace, timeout=60,
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    assert "Still four." in chat.stdout
    last = model_server.chat_requests()[-1].body["messages"]
    assert any(m["content"] == "Two plus two is four." for m in last), "history carried over"


async def test_set_mode_changes_the_prompt_and_unknown_modes_are_refused(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    from acp import RequestError

    model_server.script(Reply(text="It multiplies."))
    async with connect() as (conn, _client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        await conn.set_session_mode(session_id=session.session_id, mode_id="explain")
        await conn.prompt(session_id=session.session_id, prompt=text("/review geometry.py please"))
        try:
            await conn.set_session_mode(session_id=session.session_id, mode_id="poetry")
        except RequestError as exc:
            refused = exc.code
        else:
            refused = 0
    assert refused == -32602
    system = model_server.chat_requests()[-1].body["messages"][0]["content"]
    assert system.startswith(MODES["review"].system_prompt), "/review ran this turn in review mode"


async def test_linked_and_embedded_context_reach_the_model(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.script(Reply(text="Seen both."))
    target = workspace / "geometry.py"
    prompt = [
        TextContentBlock(type="text", text="Compare these"),
        ResourceContentBlock(type="resource_link", uri=target.as_uri(), name="geometry.py"),
        EmbeddedResourceContentBlock(
            type="resource",
            resource=TextResourceContents(
                uri=(workspace / "notes.md").as_uri(), text="NOTE: prefer integers"
            ),
        ),
    ]
    async with connect() as (conn, client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        await conn.prompt(session_id=session.session_id, prompt=prompt)

    question = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "return width * height" in question, "the linked file's text"
    assert "NOTE: prefer integers" in question and "notes.md" in question
    assert question.rstrip().endswith("Compare these")
    titles = [u.title for u in client.of(SessionInfoUpdate)]
    assert titles == ["Compare these"]


async def test_a_model_error_is_an_error_response_with_the_hint(
    connect: Connect, workspace: Path
) -> None:
    from acp import RequestError

    async with connect(model_host="http://127.0.0.1:9") as (conn, _client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        try:
            await conn.prompt(session_id=session.session_id, prompt=text("hello?"))
        except RequestError as exc:
            error = exc
        else:
            raise AssertionError("the prompt should have failed")
        # The agent is still there: the session still answers.
        await conn.set_session_mode(session_id=session.session_id, mode_id="code")
    assert error.code == -32000
    assert "provider" in str(error).lower()
    assert isinstance(error.data, dict) and error.data.get("hint")
