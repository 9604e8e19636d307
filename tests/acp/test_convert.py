"""The translations between ACP's schema and the core, on their own."""

from __future__ import annotations

from pathlib import Path

from acp.schema import (
    AgentMessageChunk,
    EnvVariable,
    HttpHeader,
    HttpMcpServer,
    ImageContentBlock,
    McpServerStdio,
    ResourceContentBlock,
    SseMcpServer,
    TextContentBlock,
    ToolCallStart,
    UserMessageChunk,
)

from coda_ls.acp.convert import INTERRUPTED_MARK, read_prompt, replay
from coda_ls.acp.session import mcp_overrides
from coda_ls.sessions import SessionStore
from coda_ls.wire import ToolCall


def _text(value: str) -> TextContentBlock:
    return TextContentBlock(type="text", text=value)


def test_slash_commands_and_what_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    outside = tmp_path.parent / "elsewhere.py"
    prompt = read_prompt(
        [
            _text("/explain how does"),
            _text("this work"),
            ResourceContentBlock(type="resource_link", uri=(tmp_path / "a.py").as_uri(), name="a"),
            ResourceContentBlock(type="resource_link", uri=outside.as_uri(), name="elsewhere"),
            ImageContentBlock(type="image", data="AAAA", mime_type="image/png"),
        ],
        tmp_path,
    )
    assert prompt.command == "explain"
    assert prompt.question.startswith("how does\nthis work")
    assert prompt.files == [(tmp_path / "a.py").resolve()]
    assert f"[elsewhere]({outside.as_uri()})" in prompt.question, "outside the root: a link"
    assert len(prompt.ignored) == 1 and "image 1 is not an image" in prompt.ignored[0]
    assert read_prompt([_text("/nonsense here")], tmp_path).command is None
    assert read_prompt([_text("/cost")], tmp_path).command == "cost"


def test_replay_marks_interruptions_and_failed_tools(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "s.db") as store:
        session = store.create_session()
        store.add_message(session.id, "user", "read a.py")
        call = ToolCall(id="c1", name="read_file", arguments={"path": "a.py"})
        store.add_message(
            session.id, "tool", "a.py does not exist", tool_calls=[call], tool_call_id="c1",
            error="tool failed",
        )  # fmt: skip
        reply = store.start_reply(session.id, mode="chat", provider="ollama", model="m")
        reply.append("It is miss")
        reply.interrupt("cancelled")
        updates = replay(store.history(session.id))
    assert [type(u) for u in updates] == [UserMessageChunk, ToolCallStart, AgentMessageChunk]
    tool = updates[1]
    assert isinstance(tool, ToolCallStart)
    assert (tool.tool_call_id, tool.kind, tool.status) == ("c1", "read", "failed")
    answer = updates[2]
    assert isinstance(answer, AgentMessageChunk) and isinstance(answer.content, TextContentBlock)
    assert answer.content.text == "It is miss" + INTERRUPTED_MARK


def test_the_client_s_mcp_servers_as_settings() -> None:
    settings, problems = mcp_overrides(
        [
            McpServerStdio(
                name="files",
                command="/usr/bin/mcp-files",
                args=["--root", "/x"],
                env=[EnvVariable(name="TOKEN", value="t")],
            ),
            HttpMcpServer(
                type="http",
                name="web",
                url="http://127.0.0.1:9/mcp",
                headers=[HttpHeader(name="Authorization", value="Bearer x")],
            ),
            SseMcpServer(type="sse", name="old", url="http://127.0.0.1:9/sse", headers=[]),
        ]
    )
    assert settings == {
        "mcp_servers": {
            "files": {"command": ["/usr/bin/mcp-files", "--root", "/x"], "env": {"TOKEN": "t"}},
            "web": {"url": "http://127.0.0.1:9/mcp"},
        }
    }
    assert len(problems) == 2 and "headers" in problems[0] and "sse" in problems[1]
    assert mcp_overrides([]) == ({}, [])
