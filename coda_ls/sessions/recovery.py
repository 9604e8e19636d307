"""Marking replies whose writer died as interrupted (see sessions.liveness)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from coda_ls.sessions.liveness import writer_alive
from coda_ls.sessions.schema import write_transaction

if TYPE_CHECKING:
    import sqlite_utils

STOPPED = "the process writing this reply stopped before it finished"


def recover_streaming(db: sqlite_utils.Database, db_path: Path, stale_after: float) -> int:
    """Set `interrupted` on every `streaming` reply whose writer is gone: its lock is
    free, or it has no lock and was not written for `stale_after` seconds. The partial
    text stays. Returns how many replies changed."""
    rows = db.conn.execute(
        "SELECT id, updated_at FROM messages WHERE status = 'streaming'"
    ).fetchall()
    if not rows:  # the common case: one indexed read, no write lock
        return 0
    cutoff = time.time() - stale_after
    dead = []
    for message_id, updated_at in rows:
        alive = writer_alive(db_path, message_id)
        if alive is False or (alive is None and updated_at <= cutoff):
            dead.append(message_id)
    if not dead:
        return 0
    changed = 0
    with write_transaction(db):
        for message_id in dead:
            # `status = 'streaming'` again: a writer that finished meanwhile keeps its status
            cursor = db.conn.execute(
                "UPDATE messages SET status = 'interrupted', error = coalesce(error, ?), "
                "updated_at = ? WHERE id = ? AND status = 'streaming'",
                (STOPPED, time.time(), message_id),
            )
            changed += cursor.rowcount
    return changed
