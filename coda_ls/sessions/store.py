"""SessionStore: sessions, messages, branches, search and retention in one SQLite file.

Branches share rows instead of copying them. Message ids only grow, and a branch's own
messages are all written after its fork point, so the history of a session is: its own
messages, then walking up the parents, each ancestor's messages with an id up to the
smallest fork point seen so far. Forking is O(1) and a deep tree costs one indexed range
read per ancestor. Deleting a session therefore deletes its branches too.

Every write is one short `BEGIN IMMEDIATE` transaction, so a CLI and the language server
(or two editors) can write the same file at once; the busy timeout makes them queue.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coda_ls.errors import CodaError, SessionNotFound
from coda_ls.sessions.branches import Parent, branch_segments
from coda_ls.sessions.models import (
    STATUSES,
    MessageRecord,
    SearchHit,
    Session,
    SessionStats,
    Status,
    Timing,
    TreeNode,
)
from coda_ls.sessions.schema import connect, write_transaction
from coda_ls.sessions.search import run_search

if TYPE_CHECKING:
    import sqlite_utils

    from coda_ls.config import Settings
    from coda_ls.sessions.writer import ReplyWriter
    from coda_ls.wire import ToolCall, Usage

log = logging.getLogger(__name__)

DB_NAME = "sessions.db"
ROLES = ("system", "user", "assistant", "tool")
_TITLE_CHARS = 60
STALE_AFTER = 120.0  # seconds; only for streaming replies without a liveness lock
_SESSION_COLUMNS = (
    "s.id, s.title, s.project_root, s.vcs_revision, s.created_at, s.updated_at, "
    "s.parent_id, s.parent_message_id, "
    "(SELECT count(*) FROM messages m WHERE m.session_id = s.id) AS message_count"
)
_MESSAGE_COLUMNS = (
    "id, session_id, role, content, status, mode, provider, model, input_tokens, "
    "output_tokens, cached_tokens, cost, latency_ms, ttft_ms, wall_ms, tool_calls, "
    "tool_call_id, finish_reason, error, created_at, updated_at"
)
SESSION_ROW_COLUMNS = (
    "id, title, project_root, vcs_revision, created_at, updated_at, parent_id, parent_message_id"
)
_UPDATABLE = frozenset(_MESSAGE_COLUMNS.replace(" ", "").split(",")) - {
    "id",
    "session_id",
    "created_at",
}


def default_db_path(settings: Settings | None = None) -> Path:
    """`sessions.db_path` from the settings, else `<XDG data dir>/coda/sessions.db`."""
    if settings is not None and settings.sessions.db_path:
        return Path(settings.sessions.db_path).expanduser()
    from coda_ls import paths

    return paths.data_dir() / DB_NAME


class SessionStore:
    """The session database. Thread-safe; open one per process and share it."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_db_path()
        self._db: sqlite_utils.Database = connect(self.path)
        self._lock = threading.RLock()
        self.recover_interrupted()  # replies a killed process left `streaming`

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionStore:
        return cls(default_db_path(settings))

    def scalar(self, sql: str, args: Sequence[object] = ()) -> object:
        """One value from a read-only query (the budget's sums)."""
        with self._lock:
            row = self._db.conn.execute(sql, list(args)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sessions ---------------------------------------------------------------

    def create_session(
        self,
        title: str | None = None,
        project_root: Path | str | None = None,
        vcs_revision: str | None = None,
        *,
        created_at: float | None = None,
    ) -> Session:
        now = time.time() if created_at is None else created_at
        row = {
            "id": uuid.uuid4().hex,
            "title": title,
            "project_root": _root(project_root),
            "vcs_revision": vcs_revision,
            "created_at": now,
            "updated_at": now,
            "parent_id": None,
            "parent_message_id": None,
        }
        with self._write() as db:
            db.table("sessions").insert(row)
        return Session(**row)  # type: ignore[arg-type]  # keys match the dataclass

    def get_session(self, session_id: str) -> Session:
        """The session with this id or unique id prefix (like git)."""
        return self._session(self.resolve_id(session_id))

    def resolve_id(self, session_id: str) -> str:
        prefix = session_id.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{1,32}", prefix):
            raise SessionNotFound(
                f"no session {session_id!r}", "session ids are hex; see `coda sessions list`"
            )
        with self._lock:
            rows = self._db.conn.execute(
                "SELECT id FROM sessions WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
                (prefix, prefix + "g"),  # a range scan on the primary key, not LIKE
            ).fetchall()
        if not rows:
            raise SessionNotFound(f"no session {session_id!r}", "see `coda sessions list`")
        if len(rows) > 1 and rows[0][0] != prefix:
            shown = ", ".join(row[0][:12] for row in rows[:5])
            raise SessionNotFound(
                f"session id {session_id!r} is ambiguous ({shown}…)", "type more characters"
            )
        return str(rows[0][0])

    def list_sessions(
        self, limit: int | None = 50, project_root: Path | str | None = None
    ) -> list[Session]:
        """Most recently active first; only those of `project_root` when given."""
        where, params = "", []
        if project_root is not None:
            where, params = "WHERE s.project_root = ?", [_root(project_root)]
        sql = f"SELECT {_SESSION_COLUMNS} FROM sessions s {where} ORDER BY s.updated_at DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            return [Session(**row) for row in self._db.query(sql, params)]

    def rename(self, session_id: str, title: str) -> Session:
        sid = self.resolve_id(session_id)
        with self._write() as db:
            db.conn.execute(
                "UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?",
                (title, time.time(), sid),
            )
        return self._session(sid)

    def delete_session(self, session_id: str) -> int:
        """Delete a session and its branches (which share its rows); returns how many."""
        sid = self.resolve_id(session_id)
        with self._write() as db:
            ids = [row[0] for row in db.conn.execute(_SUBTREE_SQL, (sid,))]
            _delete_ids(db, ids)
        return len(ids)

    def prune(self, older_than_days: float, *, dry_run: bool = False) -> int:
        """Delete sessions not updated for `older_than_days`, with their branches — but
        a session with a recently active branch is kept. Returns how many sessions."""
        cutoff = time.time() - older_than_days * 86400
        with self._write() as db:
            rows = db.conn.execute("SELECT id, parent_id, updated_at FROM sessions").fetchall()
            children: dict[str | None, list[str]] = {}
            updated: dict[str, float] = {}
            for sid, parent, stamp in rows:
                children.setdefault(parent, []).append(sid)
                updated[sid] = stamp
            newest: dict[str, float] = {}

            def subtree_newest(sid: str) -> float:
                # Iterative post-order: branch trees can be deeper than the recursion limit.
                stack, order = [sid], []
                while stack:
                    node = stack.pop()
                    order.append(node)
                    stack.extend(children.get(node, []))
                for node in reversed(order):
                    newest[node] = max(
                        [updated[node], *(newest[c] for c in children.get(node, []))]
                    )
                return newest[sid]

            doomed: list[str] = []
            for root in children.get(None, []):
                subtree_newest(root)
            # Orphans (parent row missing) would not be reached from the roots.
            for sid in updated:
                if sid not in newest:
                    subtree_newest(sid)
            for sid in updated:
                if newest[sid] < cutoff:
                    doomed.append(sid)
            if not dry_run:
                _delete_ids(db, doomed)
        return len(doomed)

    # -- messages ---------------------------------------------------------------

    def add_message(
        self,
        session_id: str,
        role: str,
        content: str,
        *,
        status: Status = "complete",
        mode: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        usage: Usage | None = None,
        timing: Timing | None = None,
        tool_calls: Sequence[ToolCall | dict[str, Any]] | None = None,
        tool_call_id: str | None = None,
        finish_reason: str | None = None,
        error: str | None = None,
        created_at: float | None = None,
    ) -> MessageRecord:
        """Append a message with its token usage and cost (`usage`) and timing."""
        if role not in ROLES:
            raise CodaError(f"unknown message role {role!r}", f"use one of {', '.join(ROLES)}")
        if status not in STATUSES:
            raise CodaError(f"unknown message status {status!r}")
        timing = timing or Timing()
        sid = self.resolve_id(session_id)
        now = time.time() if created_at is None else created_at
        row: dict[str, Any] = {
            "session_id": sid,
            "role": role,
            "content": content,
            "status": status,
            "mode": mode,
            "provider": provider,
            "model": model,
            "input_tokens": usage.input_tokens if usage else 0,
            "output_tokens": usage.output_tokens if usage else 0,
            "cached_tokens": usage.cached_tokens if usage else 0,
            "cost": usage.cost if usage else None,
            "latency_ms": timing.latency_ms,
            "ttft_ms": timing.ttft_ms,
            "wall_ms": timing.wall_ms,
            "tool_calls": encode_tool_calls(tool_calls),
            "tool_call_id": tool_call_id,
            "finish_reason": finish_reason,
            "error": error,
            "created_at": now,
            "updated_at": now,
        }
        with self._write() as db:
            cursor = db.conn.execute(
                f"INSERT INTO messages ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            message_id = int(cursor.lastrowid or 0)
            # The first user message names an untitled session.
            title = session_title(content) if role == "user" else None
            db.conn.execute(
                "UPDATE sessions SET updated_at = max(updated_at, ?), "
                "title = coalesce(title, ?) WHERE id = ?",
                (now, title, sid),
            )
        return MessageRecord.from_row({"id": message_id, **row})

    def get_message(self, message_id: int) -> MessageRecord:
        with self._lock:
            rows = list(
                self._db.query(
                    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", [message_id]
                )
            )
        if not rows:
            raise SessionNotFound(f"no message {message_id}")
        return MessageRecord.from_row(rows[0])

    def history(self, session_id: str) -> list[MessageRecord]:
        """Every message of the conversation in order; a branch gets its parents' messages
        up to the fork point, then its own."""
        sid = self.resolve_id(session_id)
        with self._lock:
            segments = self._segments(sid)
            rows: list[dict[str, Any]] = []
            for seg_id, cut in reversed(segments):
                sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE session_id = ?"
                params: list[Any] = [seg_id]
                if cut is not None:
                    sql += " AND id <= ?"
                    params.append(cut)
                rows.extend(self._db.query(sql + " ORDER BY id", params))
        return [MessageRecord.from_row(row) for row in rows]

    def start_reply(
        self,
        session_id: str,
        *,
        mode: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        flush_interval: float = 0.5,
    ) -> ReplyWriter:
        """An assistant message saved while it streams (see ReplyWriter)."""
        from coda_ls.sessions.writer import ReplyWriter

        record = self.add_message(
            session_id,
            "assistant",
            "",
            status="streaming",
            mode=mode,
            provider=provider,
            model=model,
        )
        return ReplyWriter(self, record, flush_interval=flush_interval)

    def recover_interrupted(self, stale_after: float = STALE_AFTER) -> int:
        """Mark replies left `streaming` by a process that died as interrupted (see
        sessions.liveness; a reply without a lock file: no write for `stale_after`
        seconds). Returns how many. Runs whenever a store is opened."""
        from coda_ls.sessions.recovery import recover_streaming

        with self._lock:
            return recover_streaming(self._db, self.path, stale_after)

    def update_message(self, message_id: int, **columns: Any) -> None:
        """Set columns of a message (used by ReplyWriter; `tool_calls` may be a list)."""
        unknown = set(columns) - _UPDATABLE
        if unknown:
            raise TypeError(f"not message columns: {', '.join(sorted(unknown))}")
        if "tool_calls" in columns and not isinstance(columns["tool_calls"], str | None):
            columns["tool_calls"] = encode_tool_calls(columns["tool_calls"])
        columns.setdefault("updated_at", time.time())
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._write() as db:
            db.conn.execute(
                f"UPDATE messages SET {assignments} WHERE id = ?",
                [*columns.values(), message_id],
            )

    def touch(self, session_id: str) -> None:
        with self._write() as db:
            db.conn.execute(
                "UPDATE sessions SET updated_at = max(updated_at, ?) WHERE id = ?",
                (time.time(), session_id),
            )

    # -- branches ---------------------------------------------------------------

    def fork(
        self, session_id: str, at_message_id: int | None = None, title: str | None = None
    ) -> Session:
        """A new session that continues this one's history up to `at_message_id`
        (default: its last message). Both can be continued independently."""
        parent = self.get_session(session_id)
        ids = [message.id for message in self.history(parent.id)]
        if at_message_id is None:
            if not ids:
                raise CodaError("cannot branch an empty session", "add a message first")
            at_message_id = ids[-1]
        elif at_message_id not in ids:
            raise SessionNotFound(
                f"message {at_message_id} is not in session {parent.short_id}",
                f"`coda sessions show {parent.short_id}` lists its message ids",
            )
        now = time.time()
        row = {
            "id": uuid.uuid4().hex,
            "title": title or f"{parent.title or 'untitled'} (branch)",
            "project_root": parent.project_root,
            "vcs_revision": parent.vcs_revision,
            "created_at": now,
            "updated_at": now,
            "parent_id": parent.id,
            "parent_message_id": at_message_id,
        }
        with self._write() as db:
            db.table("sessions").insert(row)
        return Session(**row)  # type: ignore[arg-type]  # keys match the dataclass

    def tree(self, session_id: str) -> TreeNode:
        """The whole branch tree `session_id` belongs to, from its root."""
        sid = self.resolve_id(session_id)
        with self._lock:
            root = self._segments(sid)[-1][0]
            rows = list(
                self._db.query(
                    f"WITH RECURSIVE sub(id) AS ({_SUBTREE_BODY}) "
                    f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN sub USING (id) "
                    "ORDER BY s.created_at",
                    [root],
                )
            )
        nodes = {row["id"]: TreeNode(Session(**row)) for row in rows}
        for node in nodes.values():
            parent = node.session.parent_id
            if parent in nodes and node.session.id != root:
                nodes[parent].children.append(node)
        return nodes[root]

    # -- search, export, stats ----------------------------------------------------

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search of every message (FTS5 syntax; a malformed query is searched
        as plain words). Best matches first."""
        with self._lock:
            return run_search(self._db, query, limit)

    def export_json(self, session_id: str) -> dict[str, Any]:
        from coda_ls.sessions.export import to_json

        session = self.get_session(session_id)
        return to_json(session, self.history(session.id))

    def export_markdown(self, session_id: str) -> str:
        from coda_ls.sessions.export import to_markdown

        session = self.get_session(session_id)
        return to_markdown(session, self.history(session.id))

    def import_json(
        self, data: dict[str, Any] | str | bytes, *, project_root: Path | str | None = None
    ) -> Session:
        """A new session (new ids) from `export_json` output; a branch comes in whole.
        `project_root` is used when the export names none (a shared one never does)."""
        from coda_ls.sessions.export import parse_export

        exported = parse_export(data)
        info = exported.session
        session = self.create_session(
            info.title,
            info.project_root or project_root,
            info.vcs_revision,
            created_at=info.created_at.timestamp(),
        )
        rows = [message.to_row(session.id) for message in exported.messages]
        if rows:
            columns = list(rows[0])
            with self._write() as db:
                db.conn.executemany(
                    f"INSERT INTO messages ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    [[row[c] for c in columns] for row in rows],
                )
                db.conn.execute(
                    "UPDATE sessions SET updated_at = ? WHERE id = ?",
                    (max(info.updated_at.timestamp(), rows[-1]["created_at"]), session.id),
                )
        return self._session(session.id)

    def stats(self, session_id: str) -> SessionStats:
        from coda_ls.sessions.stats import session_stats

        session = self.get_session(session_id)
        with self._lock:
            return session_stats(self._db, session)

    # -- rows, for copying sessions between stores (coda_ls.team.sync) ---------------

    def session_row(self, session_id: str) -> dict[str, Any] | None:
        """The stored columns of a session (exact id), or None."""
        with self._lock:
            rows = list(
                self._db.query(
                    f"SELECT {SESSION_ROW_COLUMNS} FROM sessions WHERE id = ?", [session_id]
                )
            )
        return rows[0] if rows else None

    def put_session_row(self, row: dict[str, Any]) -> None:
        """Insert a session with its own id, or update its columns (a pull)."""
        with self._write() as db:
            db.table("sessions").upsert(row, pk="id")

    def message_rows(self, session_id: str) -> list[dict[str, Any]]:
        """The session's own messages (not a branch's inherited ones) as rows, in order."""
        with self._lock:
            return list(
                self._db.query(
                    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY id",
                    [session_id],
                )
            )

    def add_message_rows(self, session_id: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Append messages copied from elsewhere (new ids, in order); returns the ids."""
        ids: list[int] = []
        with self._write() as db:
            for row in rows:
                values = {k: v for k, v in row.items() if k not in ("id", "session_id")}
                values["session_id"] = session_id
                cursor = db.conn.execute(
                    f"INSERT INTO messages ({', '.join(values)}) "
                    f"VALUES ({', '.join('?' * len(values))})",
                    list(values.values()),
                )
                ids.append(int(cursor.lastrowid or 0))
        return ids

    # -- internals ----------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite_utils.Database]:
        """The store's lock plus one write transaction."""
        with self._lock, write_transaction(self._db) as db:
            yield db

    def _session(self, sid: str) -> Session:
        with self._lock:
            rows = list(
                self._db.query(f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", [sid])
            )
        if not rows:
            raise SessionNotFound(f"no session {sid!r}", "see `coda sessions list`")
        return Session(**rows[0])

    def _segments(self, sid: str) -> list[tuple[str, int | None]]:
        """(session id, last message id it contributes or None for all), leaf first."""

        def parent_of(current: str) -> Parent | None:
            row = self._db.conn.execute(
                "SELECT parent_id, parent_message_id FROM sessions WHERE id = ?", (current,)
            ).fetchone()
            return None if row is None else (row[0], row[1])

        return branch_segments(sid, parent_of)


_SUBTREE_BODY = "SELECT ? UNION ALL SELECT s.id FROM sessions s JOIN sub ON s.parent_id = sub.id"
_SUBTREE_SQL = f"WITH RECURSIVE sub(id) AS ({_SUBTREE_BODY}) SELECT id FROM sub"


def _delete_ids(db: sqlite_utils.Database, ids: Iterable[str]) -> None:
    for sid in ids:
        db.conn.execute("DELETE FROM messages WHERE session_id = ?", (sid,))
        db.conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))


def encode_tool_calls(calls: Sequence[ToolCall | dict[str, Any]] | None) -> str | None:
    if not calls:
        return None
    return json.dumps(
        [call if isinstance(call, dict) else call.model_dump() for call in calls],
        ensure_ascii=False,
    )


def _root(project_root: Path | str | None) -> str | None:
    return None if project_root is None else str(Path(project_root).expanduser().resolve())


def session_title(content: str) -> str | None:
    """The title a session gets from text: its first non-blank line, at most 60 chars.
    Every front names sessions through this (via the engine), so titles look alike."""
    line = next((part.strip() for part in content.splitlines() if part.strip()), "")
    if not line:
        return None
    return line if len(line) <= _TITLE_CHARS else line[: _TITLE_CHARS - 1].rstrip() + "…"
