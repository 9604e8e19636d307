"""SQLite cache of each file's tags, keyed by path + mtime + size (a content hash confirms
a touched-but-unchanged file). The schema version is in the file name: a new version
starts an empty cache instead of misreading an old one."""

from __future__ import annotations

import hashlib
import logging
import marshal
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from itertools import starmap
from operator import attrgetter
from pathlib import Path

from coda_ls.repomap.model import FileTags, Tag

log = logging.getLogger(__name__)

CACHE_VERSION = 4  # 3: signatures cut at parameter boundaries; 4: imports
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    hash TEXT NOT NULL,
    language TEXT,
    note TEXT,
    data BLOB NOT NULL
)
"""


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def cache_file(cache_dir: Path, root: Path) -> Path:
    """One database per project root, named with the cache version."""
    key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
    return cache_dir / "repomap" / f"{root.name or 'root'}-{key}-v{CACHE_VERSION}.sqlite"


@dataclass(frozen=True, slots=True)
class Entry:
    """A cached file: its stat key, content hash and tags."""

    mtime_ns: int
    size: int
    hash: str
    tags: FileTags


_TAG_FIELDS = attrgetter(*(f.name for f in fields(Tag)))


def encode(tags: FileTags) -> bytes:
    # Each definition in Tag's field order, so decoding is `starmap(Tag, ...)` with no
    # Python-level loop: a warm build of Django decodes 44k tags (~45% of its time).
    defs = [_TAG_FIELDS(t) for t in tags.definitions]
    # marshal: our own data, a few times faster to load than JSON or pickle. Reference
    # positions are not cached (ranking needs only the counts; they are 5x the size).
    return marshal.dumps((defs, dict(tags.references), dict(tags.imports)))


def decode(path: str, language: str | None, note: str | None, blob: bytes) -> FileTags:
    defs, counts, imports = marshal.loads(blob)
    definitions = tuple(starmap(Tag, defs))
    if definitions and definitions[0].path != path:  # a blob made for another path
        definitions = tuple(replace(t, path=path) for t in definitions)
    return FileTags(path, language, definitions, counts, (), note, imports)


class TagCache:
    """The cache database; safe to share between threads (one lock around the connection)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = self._open(path)

    def _open(self, path: Path | None) -> sqlite3.Connection:
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(_SCHEMA)
                return db
            except sqlite3.Error as exc:
                # A read-only or corrupt cache must not stop the map: work in memory.
                log.warning("repo map: cache %s unusable (%s); not caching", path, exc)
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.execute(_SCHEMA)
        return db

    def load_all(self) -> dict[str, tuple[int, int, str, str | None, str | None, bytes]]:
        """Every row, undecoded: path -> (mtime_ns, size, hash, language, note, blob)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT path, mtime_ns, size, hash, language, note, data FROM files"
            ).fetchall()
        return {row[0]: row[1:] for row in rows}

    def put_many(self, entries: Iterable[tuple[str, Entry]]) -> None:
        rows = [
            (path, e.mtime_ns, e.size, e.hash, e.tags.language, e.tags.note, encode(e.tags))
            for path, e in entries
        ]
        if not rows:
            return
        with self._lock:
            try:
                self._db.execute("BEGIN")
                self._db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:  # disk full, locked too long: the map still works
                log.warning("repo map: could not write the cache (%s)", exc)
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    def touch(self, path: str, mtime_ns: int, size: int) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE files SET mtime_ns = ?, size = ? WHERE path = ?", (mtime_ns, size, path)
            )

    def delete(self, paths: Iterable[str]) -> None:
        with self._lock:
            self._db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def paths(self) -> Iterator[str]:
        with self._lock:
            rows = self._db.execute("SELECT path FROM files").fetchall()
        return (row[0] for row in rows)

    def close(self) -> None:
        with self._lock:
            self._db.close()
