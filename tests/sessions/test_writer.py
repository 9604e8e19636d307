from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coda_ls.errors import StreamInterrupted
from coda_ls.providers.base import ToolCall, Usage
from coda_ls.sessions import SessionStore

HERE = Path(__file__).parent


def _stored(store: SessionStore, message_id: int) -> tuple[str, str]:
    record = store.get_message(message_id)
    return record.content, record.status


def test_finish_records_text_usage_and_timing(store: SessionStore) -> None:
    session = store.create_session()
    with store.start_reply(session.id, mode="code", provider="ollama", model="qwen") as reply:
        reply.append("Hello")
        reply.append(", world")
        record = reply.finish(
            usage=Usage(input_tokens=10, output_tokens=3, cached_tokens=4, cost=0.002),
            finish_reason="stop",
            tool_calls=[ToolCall(id="c1", name="read", arguments={"path": "a.py"})],
        )
    assert record.content == "Hello, world" and record.status == "complete"
    assert (record.input_tokens, record.output_tokens, record.cached_tokens) == (10, 3, 4)
    assert record.cost == 0.002 and record.finish_reason == "stop"
    assert record.mode == "code" and record.provider == "ollama" and record.model == "qwen"
    assert record.ttft_ms is not None and record.wall_ms is not None
    assert record.latency_ms is not None and record.ttft_ms <= record.latency_ms
    assert record.tool_calls == [{"id": "c1", "name": "read", "arguments": {"path": "a.py"}}]
    message = store.history(session.id)[0].to_message()
    assert message.role == "assistant" and message.tool_calls[0].name == "read"


def test_an_exception_mid_stream_keeps_the_partial_text_marked(store: SessionStore) -> None:
    session = store.create_session()
    store.add_message(session.id, "user", "explain")
    with pytest.raises(StreamInterrupted):  # noqa: SIM117 - the writer must see the error
        with store.start_reply(session.id, model="m", flush_interval=60) as reply:
            reply.append("The first half of ")
            reply.append("an answer")
            raise StreamInterrupted("connection reset", partial=reply.text)
    last = store.history(session.id)[-1]
    assert last.content == "The first half of an answer"
    assert last.status == "interrupted"
    assert last.error is not None and "StreamInterrupted" in last.error
    assert "connection reset" in last.error


def test_cancellation_marks_interrupted() -> None:
    async def scenario(store: SessionStore, session_id: str) -> None:
        async def stream() -> None:
            with store.start_reply(session_id, flush_interval=60) as reply:
                reply.append("tokens so far")
                await asyncio.sleep(10)

        task = asyncio.create_task(stream())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with SessionStore() as store:
        session = store.create_session()
        asyncio.run(scenario(store, session.id))
        last = store.history(session.id)[-1]
        assert (last.content, last.status) == ("tokens so far", "interrupted")
        assert last.error == "CancelledError"


def test_text_is_flushed_by_the_timer_when_the_stream_stalls(store: SessionStore) -> None:
    session = store.create_session()
    reply = store.start_reply(session.id, flush_interval=0.2)
    reply.append("a")  # the first append is not due yet: only the timer can save it
    assert _stored(store, reply.message_id) == ("", "streaming")
    deadline = time.monotonic() + 3
    while _stored(store, reply.message_id)[0] != "a" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _stored(store, reply.message_id) == ("a", "streaming")
    reply.interrupt("user pressed stop")
    with pytest.raises(RuntimeError):
        reply.append("more")


def test_flush_interval_zero_writes_every_delta(store: SessionStore) -> None:
    session = store.create_session()
    reply = store.start_reply(session.id, flush_interval=0)
    for piece in ("a", "b", "c"):
        reply.append(piece)
        assert _stored(store, reply.message_id)[0].endswith(piece)
    reply.fail("provider said 500")
    assert _stored(store, reply.message_id) == ("abc", "error")


def test_kill_9_mid_stream_loses_at_most_the_last_second(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with SessionStore(db) as store:
        session = store.create_session()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "writer_process.py"), "stream", str(db), session.id],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    stamps: dict[int, float] = {}
    try:
        for line in proc.stdout:
            stamps[int(line)] = time.monotonic()
            if len(stamps) >= 30:  # ~1.5 s of streaming
                break
        killed_at = time.monotonic()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    with SessionStore(db) as store:
        last = store.history(session.id)[-1]
        # Opening the store found the writer dead: interrupted, not `streaming` forever.
        assert last.status == "interrupted"
        assert last.error is not None and "stopped" in last.error
        # Every piece appended more than a second before the kill was saved.
        old_enough = [i for i, stamp in stamps.items() if killed_at - stamp > 1.0]
        assert old_enough, "the stream ran long enough"
        for index in old_enough:
            assert f"<{index}>" in last.content
        assert store.recover_interrupted(stale_after=0) == 0  # nothing left to do


def _start_writer(db: Path, session_id: str, pieces: int = 5) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "writer_process.py"), "stream", str(db), session_id],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if int(line) >= pieces:
            break
    return proc


def test_a_live_writer_in_another_process_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with SessionStore(db) as store:
        session = store.create_session()
    proc = _start_writer(db, session.id)
    try:
        with SessionStore(db) as store:  # opening recovers, but this writer is alive
            last = store.history(session.id)[-1]
            assert last.status == "streaming"
            # even with no grace at all for its age: the lock says it is alive
            assert store.recover_interrupted(stale_after=0) == 0
            assert store.get_message(last.id).status == "streaming"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        with SessionStore(db) as store:  # at once, no waiting for an age to pass
            assert store.get_message(last.id).status == "interrupted"
    finally:
        proc.kill()
        proc.wait(10)


def test_a_reply_finished_normally_leaves_no_lock_behind(store: SessionStore) -> None:
    from coda_ls.sessions.liveness import live_dir

    session = store.create_session()
    with store.start_reply(session.id) as reply:
        reply.append("done")
        assert list(live_dir(store.path).glob("*.lock")) != []
    assert list(live_dir(store.path).iterdir()) == []
    assert store.history(session.id)[-1].status == "complete"


def test_a_streaming_reply_without_a_lock_falls_back_to_its_age(tmp_path: Path) -> None:
    # written by an older Coda (no lock file): left alone while recent, recovered when old
    db = tmp_path / "s.db"
    with SessionStore(db) as store:
        session = store.create_session()
        record = store.add_message(session.id, "assistant", "partial", status="streaming")
    with SessionStore(db) as store:
        assert store.get_message(record.id).status == "streaming"
        store.update_message(record.id, updated_at=time.time() - 3600)
    with SessionStore(db) as store:
        assert store.get_message(record.id).status == "interrupted"
        assert store.get_message(record.id).content == "partial"
