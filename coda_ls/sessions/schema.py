"""Opening the session database: WAL, busy timeout, and the schema (created or migrated
once, under a write lock, so two processes opening a fresh file at once do not race).

Tables are declared with sqlite-utils; the FTS5 index and its triggers are written by
hand because sqlite-utils' `enable_fts` runs `executescript` (which commits whatever
transaction is open) and its update trigger re-indexes on any column change, while ours
fires only when `content` changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from coda_ls.errors import SessionStoreError

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0

_FTS_SQL = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(
        content, content='messages', content_rowid='id', tokenize='porter unicode61'
    )""",
    """CREATE TRIGGER IF NOT EXISTS messages_fts_ai AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
    END""",
    """CREATE TRIGGER IF NOT EXISTS messages_fts_ad AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
    END""",
    """CREATE TRIGGER IF NOT EXISTS messages_fts_au AFTER UPDATE OF content ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
        INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
    END""",
)


def connect(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at `path`, ready for concurrent writers."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: the store serialises use with its own lock, and a
        # streaming writer flushes from a timer thread.
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise SessionStoreError(
            f"cannot open the session database {path}: {exc}",
            "check the directory is writable, or set sessions.db_path in the config",
        ) from None
    db = sqlite_utils.Database(conn, execute_plugins=False)
    try:
        # WAL lets readers run while one process writes; synchronous=NORMAL keeps every
        # commit safe from a killed process (only a power loss can drop the last commits).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        _ensure_schema(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise SessionStoreError(
            f"{path} is not a usable session database: {exc}",
            "move the file away (Coda creates a new one) or point sessions.db_path elsewhere",
        ) from None
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE ... COMMIT. Taking the write lock up front means the busy timeout
    applies; a deferred transaction that upgrades to a write in WAL mode fails at once
    with SQLITE_BUSY when another process committed meanwhile."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def _ensure_schema(db: sqlite_utils.Database) -> None:
    (version,) = db.conn.execute("PRAGMA user_version").fetchone()
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise SessionStoreError(
            f"the session database has schema version {version}, newer than this Coda "
            f"({SCHEMA_VERSION})",
            "upgrade Coda, or set sessions.db_path to another file",
        )
    with write_transaction(db):
        # Re-read under the lock: another process may have created the schema meanwhile.
        (version,) = db.conn.execute("PRAGMA user_version").fetchone()
        if version == SCHEMA_VERSION:
            return
        _create_v1(db)
        db.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _create_v1(db: sqlite_utils.Database) -> None:
    db.table("sessions").create(
        {
            "id": str,
            "title": str,
            "project_root": str,
            "vcs_revision": str,
            "created_at": float,
            "updated_at": float,
            "parent_id": str,
            "parent_message_id": int,
        },
        pk="id",
        not_null={"created_at", "updated_at"},
        if_not_exists=True,
    )
    db.table("messages").create(
        {
            "id": int,
            "session_id": str,
            "role": str,
            "content": str,
            "status": str,
            "mode": str,
            "provider": str,
            "model": str,
            "input_tokens": int,
            "output_tokens": int,
            "cached_tokens": int,
            "cost": float,
            "latency_ms": float,
            "ttft_ms": float,
            "wall_ms": float,
            "tool_calls": str,
            "tool_call_id": str,
            "finish_reason": str,
            "error": str,
            "created_at": float,
            "updated_at": float,
        },
        pk="id",
        not_null={"session_id", "role", "content", "status", "created_at", "updated_at"},
        defaults={
            "content": "",
            "status": "complete",
            "input_tokens": 0,
            "output_tokens": 0,
            "cached_tokens": 0,
        },
        foreign_keys=[("session_id", "sessions", "id")],
        if_not_exists=True,
    )
    db.table("messages").create_index(["session_id", "id"], if_not_exists=True)
    db.table("messages").create_index(["status"], if_not_exists=True)
    db.table("sessions").create_index(["parent_id"], if_not_exists=True)
    db.table("sessions").create_index(["updated_at"], if_not_exists=True)
    db.table("sessions").create_index(["project_root", "updated_at"], if_not_exists=True)
    for statement in _FTS_SQL:
        db.conn.execute(statement)
