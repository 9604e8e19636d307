"""Is the process writing a streaming reply still alive?

A reply is `streaming` while a ReplyWriter fills it. If that process is killed (`kill -9`,
a crash, the machine's OOM killer), nobody finishes the message. Its age alone cannot
tell: a live writer may be quiet for minutes (a slow model, a long tool call), and two
processes (the CLI and the language server) share the database.

So each writer holds an exclusive `flock` on a small file named after its message,
`.<database>.live/<message id>.lock`, for as long as the reply streams. The kernel drops
the lock when the process dies, however it dies. Whoever opens the store then tries the
lock: taken means alive, free means the writer is gone and the reply is interrupted. The
file appears already locked (locked under a temporary name, then renamed), so there is
no moment when it exists unlocked for a live writer. A reply without a lock file (written
by an older Coda, or a writer that has not created it yet) falls back to its age.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # Windows: no flock; the age rule alone decides there
    fcntl = None  # type: ignore[assignment]


def live_dir(db_path: Path) -> Path:
    """`.<database name>.live` beside the database (hidden; not `sessions.db*`, which is
    the database and its WAL files)."""
    return db_path.with_name(f".{db_path.name}.live")


def _lock_path(db_path: Path, message_id: int) -> Path:
    return live_dir(db_path) / f"{message_id}.lock"


class ReplyLock:
    """Held by a ReplyWriter while its reply streams; `release` when it is finished."""

    def __init__(self, db_path: Path, message_id: int) -> None:
        self.path = _lock_path(db_path, message_id)
        self._file: IO[bytes] | None = None
        if fcntl is None:
            return
        temporary = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = temporary.open("wb")
        except OSError as exc:  # a read-only directory: the age rule will do
            log.debug("no liveness lock for %s: %s", self.path, exc)
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            os.replace(temporary, self.path)  # appears already locked
        except OSError as exc:
            log.debug("no liveness lock for %s: %s", self.path, exc)
            handle.close()
            with contextlib.suppress(OSError):
                temporary.unlink()
            return
        self._file = handle

    def release(self) -> None:
        """After the message's final status is written: a recovering process that still
        takes the lock then finds the status settled and changes nothing."""
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._file.close()
        self._file = None


def writer_alive(db_path: Path, message_id: int) -> bool | None:
    """True if the reply's writer holds its lock, False if the lock file is there but
    free (the writer died), None if there is no lock file (or no flock here)."""
    if fcntl is None:
        return None
    path = _lock_path(db_path, message_id)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return None
        with contextlib.suppress(OSError):
            path.unlink()  # the writer is gone: its file goes too
        return False
