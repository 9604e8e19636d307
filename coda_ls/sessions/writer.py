"""ReplyWriter: an assistant reply persisted while it streams.

Text is buffered and written at most every `flush_interval` seconds (0.5 by default);
when the stream goes quiet, a timer writes what is pending, so a crash or `kill -9`
loses at most the last interval of text whatever the stream does. Writing on every
delta is also possible (`flush_interval=0`); benchmarks/sessions.py measures both.

Use it as a context manager: leaving on an exception (including cancellation and
Ctrl-C) marks the message interrupted and keeps the partial text; leaving normally
without `finish()` finishes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from coda_ls.sessions.liveness import ReplyLock
from coda_ls.sessions.models import MessageRecord

if TYPE_CHECKING:
    from coda_ls.sessions.store import SessionStore
    from coda_ls.wire import ToolCall, Usage


class ReplyWriter:
    """Streams one assistant message into the store. Thread-safe."""

    def __init__(
        self, store: SessionStore, record: MessageRecord, *, flush_interval: float = 0.5
    ) -> None:
        self._store = store
        self.message_id = record.id
        self.session_id = record.session_id
        self.flush_interval = flush_interval
        self._parts: list[str] = []
        self._tool_calls: list[ToolCall | dict[str, Any]] = []
        self._dirty = False
        self._done = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._started = time.monotonic()
        self._last_flush = self._started
        self._first_token: float | None = None
        # Held while the reply streams: tells other processes this writer is alive.
        self._liveness = ReplyLock(store.path, record.id)

    @property
    def text(self) -> str:
        with self._lock:
            return "".join(self._parts)

    @property
    def done(self) -> bool:
        return self._done

    def append(self, delta: str) -> None:
        """Add streamed text; saved now if the interval has passed, else by a timer."""
        if not delta:
            return
        with self._lock:
            self._check_open()
            if self._first_token is None:
                self._first_token = time.monotonic()
            self._parts.append(delta)
            self._dirty = True
            due = time.monotonic() - self._last_flush >= self.flush_interval
            if due:
                self._flush_locked()
            elif self._timer is None:
                wait = self.flush_interval - (time.monotonic() - self._last_flush)
                self._timer = threading.Timer(max(wait, 0.0), self._timer_flush)
                self._timer.daemon = True
                self._timer.start()

    def add_tool_calls(self, calls: Sequence[ToolCall | dict[str, Any]]) -> None:
        with self._lock:
            self._check_open()
            self._tool_calls.extend(calls)
            self._dirty = True

    def flush(self) -> None:
        """Write pending text now."""
        with self._lock:
            if self._dirty and not self._done:
                self._flush_locked()

    def finish(
        self,
        usage: Usage | None = None,
        finish_reason: str | None = "stop",
        latency_ms: float | None = None,
        ttft_ms: float | None = None,
        tool_calls: Sequence[ToolCall | dict[str, Any]] | None = None,
        cost: float | None = None,
    ) -> MessageRecord:
        """Complete the message. Latency and TTFT default to what the writer measured."""
        fields: dict[str, Any] = {"status": "complete", "finish_reason": finish_reason}
        if usage is not None:
            fields.update(
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cached_tokens=usage.cached_tokens,
                cost=usage.cost,
            )
        if cost is not None:
            fields["cost"] = cost
        return self._close(fields, latency_ms, ttft_ms, tool_calls)

    def interrupt(
        self, reason: str = "interrupted", *, usage: Usage | None = None
    ) -> MessageRecord:
        """Mark the message interrupted, keeping the partial text."""
        fields: dict[str, Any] = {"status": "interrupted", "error": reason}
        if usage is not None:
            fields.update(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens)
        return self._close(fields, None, None, None)

    def fail(self, error: str) -> MessageRecord:
        """Mark the message failed (the provider returned an error), keeping any text."""
        return self._close({"status": "error", "error": error}, None, None, None)

    def __enter__(self) -> ReplyWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._done:
            return
        if exc_type is None:
            self.finish()
        else:
            detail = str(exc) if exc is not None and str(exc) else ""
            self.interrupt(f"{exc_type.__name__}: {detail}" if detail else exc_type.__name__)

    # -- internals ----------------------------------------------------------------

    def _check_open(self) -> None:
        if self._done:
            raise RuntimeError(f"reply {self.message_id} is already finished")

    def _timer_flush(self) -> None:
        with self._lock:
            self._timer = None
            if self._dirty and not self._done:
                self._flush_locked()

    def _flush_locked(self) -> None:
        columns: dict[str, Any] = {"content": "".join(self._parts)}
        if self._tool_calls:
            columns["tool_calls"] = list(self._tool_calls)
        self._store.update_message(self.message_id, **columns)
        self._dirty = False
        self._last_flush = time.monotonic()

    def _close(
        self,
        fields: dict[str, Any],
        latency_ms: float | None,
        ttft_ms: float | None,
        tool_calls: Sequence[ToolCall | dict[str, Any]] | None,
    ) -> MessageRecord:
        with self._lock:
            self._check_open()
            self._done = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            now = time.monotonic()
            wall = (now - self._started) * 1000
            if tool_calls:
                self._tool_calls.extend(tool_calls)
            measured_ttft = (
                (self._first_token - self._started) * 1000 if self._first_token else None
            )
            self._store.update_message(
                self.message_id,
                content="".join(self._parts),
                tool_calls=list(self._tool_calls) or None,
                latency_ms=wall if latency_ms is None else latency_ms,
                ttft_ms=measured_ttft if ttft_ms is None else ttft_ms,
                wall_ms=wall,
                **fields,
            )
            self._liveness.release()  # after the final status, never before
        self._store.touch(self.session_id)
        return self._store.get_message(self.message_id)
