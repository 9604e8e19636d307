"""Where share links live: a token (never stored, only its SHA-256) mapped to the redacted
export of the session as it was when shared.

`ShareStore` is the interface `coda web` resolves links through; `SqliteShareStore` keeps
the links in the session database (table `shares`), and a team store can implement the
same four methods on its own database.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from coda_ls.errors import SessionStoreError

TOKEN_BYTES = 32  # 256 bits: unguessable, and long enough that hashing without salt is fine

_TABLE = """CREATE TABLE IF NOT EXISTS shares (
    token_sha256 TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    data TEXT NOT NULL
)"""
_INDEX = "CREATE INDEX IF NOT EXISTS shares_session ON shares(session_id)"


@dataclass(frozen=True)
class ShareInfo:
    """A live share link of a session (its token is not known any more, only when made)."""

    session_id: str
    created_at: float
    token_hint: str  # the first characters of the token's hash, to tell links apart


class ShareLinkInfo(Protocol):
    """What `ShareStore.links` reports of a link (ShareInfo, or a team store's own type)."""

    @property
    def session_id(self) -> str: ...
    @property
    def created_at(self) -> float: ...
    @property
    def token_hint(self) -> str: ...


class ShareStore(Protocol):
    """Share links: publish a redacted export under a new token, look it up, revoke."""

    def publish(self, session_id: str, data: dict[str, Any]) -> str:
        """Store `data` (already redacted) under a new unguessable token; return it."""
        ...

    def lookup(self, token: str) -> dict[str, Any] | None:
        """The export shared under `token`, or None (unknown or revoked)."""
        ...

    def revoke(self, session_id: str) -> int:
        """Remove every link to the session; how many there were."""
        ...

    def links(self, session_id: str | None = None) -> Sequence[ShareLinkInfo]:
        """The live links (of one session, or all)."""
        ...

    def close(self) -> None: ...


def new_share_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    # A database copied off the machine must not open the links: only hashes are kept.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SqliteShareStore:
    """Share links in the session database file (its own connection, WAL like the store)."""

    def __init__(self, path: Path) -> None:
        from coda_ls.sessions.schema import connect

        self.path = path
        self._db = connect(path)  # the sessions schema first, so the file is a session db
        self._lock = threading.Lock()
        try:
            with self._db.conn:
                self._db.conn.execute(_TABLE)
                self._db.conn.execute(_INDEX)
        except sqlite3.Error as exc:
            raise SessionStoreError(
                f"cannot prepare share links in {path}: {exc}",
                "check the session database is writable",
            ) from None

    def publish(self, session_id: str, data: dict[str, Any]) -> str:
        token = new_share_token()
        with self._lock, self._db.conn:
            self._db.conn.execute(
                "INSERT INTO shares (token_sha256, session_id, created_at, data) VALUES (?,?,?,?)",
                (token_digest(token), session_id, time.time(), json.dumps(data)),
            )
        return token

    def lookup(self, token: str) -> dict[str, Any] | None:
        if not token:
            return None
        with self._lock:
            row = self._db.conn.execute(
                "SELECT data FROM shares WHERE token_sha256 = ?", (token_digest(token),)
            ).fetchone()
        if row is None:
            return None
        data: dict[str, Any] = json.loads(row[0])
        return data

    def revoke(self, session_id: str) -> int:
        with self._lock, self._db.conn:
            cursor = self._db.conn.execute("DELETE FROM shares WHERE session_id = ?", (session_id,))
        return cursor.rowcount

    def links(self, session_id: str | None = None) -> list[ShareInfo]:
        sql = "SELECT session_id, created_at, token_sha256 FROM shares"
        args: tuple[str, ...] = ()
        if session_id is not None:
            sql += " WHERE session_id = ?"
            args = (session_id,)
        with self._lock:
            rows = self._db.conn.execute(sql + " ORDER BY created_at", args).fetchall()
        return [ShareInfo(sid, created, digest[:8]) for sid, created, digest in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteShareStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
