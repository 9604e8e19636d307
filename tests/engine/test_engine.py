"""The engine against the real Ollama provider and the scripted model server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from coda_ls.config import Settings
from coda_ls.context import CodeSelection
from coda_ls.engine import COMPACT_PROMPT, AskRequest, Engine
from coda_ls.errors import StreamInterrupted
from coda_ls.sessions import SessionStore
from coda_ls.tokens import count_tokens
from coda_ls.tools import Toolbox
from coda_ls.tools.permissions import Decision, PermissionRequest
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer


def settings_for(server: ScriptedModelServer, **extra: object) -> Settings:
    return Settings.model_validate(
        {"providers": {"ollama": {"host": server.url}}, "provider": "ollama", **extra}
    )


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "sessions.db")


@pytest.fixture
async def engine(
    model_server: ScriptedModelServer, store: SessionStore, tmp_path: Path
) -> AsyncIterator[Engine]:
    instance = Engine(settings_for(model_server), tmp_path, store=store)
    yield instance
    await instance.aclose()


async def test_history_grows_within_a_session(
    engine: Engine, model_server: ScriptedModelServer, store: SessionStore
) -> None:
    model_server.script(Reply(text="Paris."), Reply(text="About 2 million."))
    first = await engine.ask(AskRequest(question="Capital of France?"))
    second = await engine.ask(AskRequest(question="Population?", session_id=first.session_id))
    assert second.session_id == first.session_id
    sent = model_server.chat_requests()[-1].body["messages"]
    assert [m["content"] for m in sent[1:]] == ["Capital of France?", "Paris.", "Population?"]
    history = store.history(first.session_id or "")
    assert [m.role for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[-1].provider == "ollama" and history[-1].output_tokens == 7
    assert history[-1].ttft_ms is not None


async def test_a_branch_continues_from_its_fork_point(
    engine: Engine, model_server: ScriptedModelServer, store: SessionStore
) -> None:
    model_server.script(Reply(text="A1"), Reply(text="A2"), Reply(text="B2"))
    first = await engine.ask(AskRequest(question="Q1"))
    sid = first.session_id or ""
    await engine.ask(AskRequest(question="Q2", session_id=sid))
    fork = store.fork(sid, at_message_id=first.message_id)
    await engine.ask(AskRequest(question="Q2 on the branch", session_id=fork.id))
    sent = model_server.chat_requests()[-1].body["messages"]
    assert [m["content"] for m in sent[1:]] == ["Q1", "A1", "Q2 on the branch"]
    assert [m.content for m in store.history(sid)][-1] == "A2"  # the original is untouched


async def test_compaction_keeps_summary_and_newest_turns_within_the_window(
    store: SessionStore, tmp_path: Path
) -> None:
    window = 1500
    with ScriptedModelServer(models=[ScriptedModel("tiny", context_length=window)]) as server:
        engine = Engine(settings_for(server, max_tokens=200), tmp_path, store=store)
        long_answer = "word " * 150  # ~150 tokens a turn: the history soon overflows
        server.default_reply = Reply(text=long_answer)
        session_id = None
        for turn in range(12):
            answer = await engine.ask(
                AskRequest(question=f"question {turn}", session_id=session_id)
            )
            session_id = answer.session_id
        compactions = [
            r for r in server.chat_requests() if r.body["messages"][0]["content"] == COMPACT_PROMPT
        ]
        assert compactions, "the history overflowed but was never compacted"
        last = server.chat_requests()[-1].body["messages"]
        assert last[-1]["content"] == "question 11"
        assert any("[Summary of the earlier conversation]" in m["content"] for m in last)
        assert "question 10" in [m["content"] for m in last]  # the newest turns stay verbatim
        total = sum(count_tokens(m["content"]) + 4 for m in last)
        assert total <= window - 200
        # nothing was deleted: every turn is still in the session
        assert len([r for r in store.history(session_id or "") if r.role == "user"]) == 12
        await engine.aclose()


async def test_interrupted_stream_keeps_the_partial_answer(
    engine: Engine, model_server: ScriptedModelServer, store: SessionStore
) -> None:
    model_server.script(Reply(chunks=["half ", "an ", "answer"], drop_after=2))
    seen: list[str] = []
    with pytest.raises(StreamInterrupted):
        await engine.ask(AskRequest(question="tell me"), seen.append)
    assert "".join(seen) == "half an "
    session = store.list_sessions()[0]
    reply = store.history(session.id)[-1]
    assert reply.status == "interrupted"
    assert reply.content == "half an "


async def test_cancelling_the_task_marks_the_reply_interrupted(
    engine: Engine, model_server: ScriptedModelServer, store: SessionStore
) -> None:
    model_server.script(Reply(chunks=[f"t{i} " for i in range(50)], chunk_delay=0.05))
    seen: list[str] = []
    task = asyncio.ensure_future(engine.ask(AskRequest(question="long"), seen.append))
    while len(seen) < 3:
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    reply = store.history(store.list_sessions()[0].id)[-1]
    assert reply.status == "interrupted"
    assert reply.content.startswith("t0 t1 t2")


async def test_selection_and_mentions_reach_the_prompt(
    engine: Engine, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    (tmp_path / "util.py").write_text("def helper():\n    return 42\n")
    main = tmp_path / "main.py"
    main.write_text("import util\n\nprint(util.helper())\n")
    model_server.script(Reply(text="ok"))
    await engine.ask(
        AskRequest(question="How does this use @util.py?", selection=CodeSelection(main, 3, 3))
    )
    prompt = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "File `util.py`" in prompt and "return 42" in prompt
    assert "selected lines 3-3" in prompt


class YesAsker:
    def __init__(self, answer: Decision) -> None:
        self.answer = answer
        self.asked: list[PermissionRequest] = []

    async def ask(self, request: PermissionRequest) -> Decision:
        self.asked.append(request)
        return self.answer


async def test_tool_loop_runs_tools_and_records_them(
    model_server: ScriptedModelServer, store: SessionStore, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("the secret number is 7\n")
    settings = settings_for(model_server)
    asker = YesAsker(Decision.YES)
    toolbox = Toolbox(tmp_path, settings, asker)
    engine = Engine(settings, tmp_path, store=store, toolbox=toolbox)
    model_server.script(
        Reply(
            text="",
            chunks=[],
            tool_calls=[{"name": "read_file", "arguments": {"path": "notes.txt"}}],
        ),
        Reply(
            text="",
            chunks=[],
            tool_calls=[
                {"name": "write_file", "arguments": {"path": "answer.txt", "content": "7\n"}}
            ],
        ),
        Reply(text="The number is 7; I wrote it down."),
    )
    answer = await engine.ask(AskRequest(question="What is the number? Save it."))
    assert answer.text == "The number is 7; I wrote it down."
    assert answer.tool_calls == 2
    assert (tmp_path / "answer.txt").read_text() == "7\n"
    assert asker.asked and asker.asked[0].diff  # the write was shown as a diff first
    second = model_server.chat_requests()[1].body["messages"]
    assert second[-1]["role"] == "tool" and "secret number is 7" in second[-1]["content"]
    assert "tools" in model_server.chat_requests()[0].body
    tool_rows = [r for r in store.history(answer.session_id or "") if r.role == "tool"]
    assert [r.tool_calls[0]["name"] for r in tool_rows] == ["read_file", "write_file"]
    await engine.aclose()


async def test_refused_permission_writes_nothing(
    model_server: ScriptedModelServer, store: SessionStore, tmp_path: Path
) -> None:
    settings = settings_for(model_server)
    engine = Engine(
        settings, tmp_path, store=store, toolbox=Toolbox(tmp_path, settings, YesAsker(Decision.NO))
    )
    model_server.script(
        Reply(
            text="",
            chunks=[],
            tool_calls=[{"name": "write_file", "arguments": {"path": "x.txt", "content": "data"}}],
        ),
        Reply(text="I could not write it."),
    )
    answer = await engine.ask(AskRequest(question="write x"))
    assert not (tmp_path / "x.txt").exists()
    result = model_server.chat_requests()[1].body["messages"][-1]
    assert result["role"] == "tool" and "declined" in result["content"].lower()
    assert answer.text == "I could not write it."
    await engine.aclose()
