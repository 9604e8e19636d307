"""SQLite cache of each file's tags, keyed by path + mtime + size (a content hash confirms
a touched-but-unchanged file). The schema version is in the file name: a new version
starts an empty cache instead of misreading an old one."""

from __future__ import annotations

import hashlib
import logging
import marshal
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from itertools import starmap
from operator import attrgetter
from pathlib import Path
from typing import Any

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
);
-- Files not mapped (too big, binary, minified), so a warm build does not read them again.
CREATE TABLE IF NOT EXISTS skipped (
    path TEXT PRIMARY KEY,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    reason TEXT NOT NULL
);
-- Rankings keyed by the state they were computed from (see persist.py).
CREATE TABLE IF NOT EXISTS rankings (
    key TEXT PRIMARY KEY,
    used INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""
MAX_RANKINGS = 32  # kept per project: the overview, a few focused files
# Each file's words for the words index (lexical.py), by the content they were counted
# from: a restart loads them instead of counting 20k files' words again (issue 16).
_WORDS_SCHEMA = """
CREATE TABLE IF NOT EXISTS words (
    path TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    data BLOB NOT NULL
);
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


Row = tuple[str, int, int, str, str | None, str | None, bytes]  # a `files` row, encoded
_TAG_FIELDS = attrgetter(*(f.name for f in fields(Tag)))


def encode(tags: FileTags) -> bytes:
    # Each definition in Tag's field order, so decoding is `starmap(Tag, ...)` with no
    # Python-level loop: a warm build of Django decodes 44k tags (~45% of its time).
    defs = [_TAG_FIELDS(t) for t in tags.definitions]
    # marshal: our own data, a few times faster to load than JSON or pickle. Reference
    # positions are not cached (ranking needs only the counts; they are 5x the size).
    return marshal.dumps((defs, dict(tags.references), dict(tags.imports)))


def encode_rows(
    rows: list[tuple[Any, ...]], references: Mapping[str, int], imports: Mapping[str, str]
) -> bytes:
    """`encode` of a file's definitions given as Tag field tuples (`tags.extract_rows`):
    the same blob, without making Tag objects only to take them apart again."""
    return marshal.dumps((rows, dict(references), dict(imports)))


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
        self.persistent = False  # True once the database is on disk (not in memory)
        self._lock = threading.Lock()
        self._db = self._open(path)

    def _open(self, path: Path | None) -> sqlite3.Connection:
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(_SCHEMA + _WORDS_SCHEMA)
                self.persistent = True
                return db
            except (sqlite3.Error, OSError) as exc:
                # A read-only, corrupt or unmakeable cache must not stop the map: work in
                # memory.
                log.warning("repo map: cache %s unusable (%s); not caching", path, exc)
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(_SCHEMA + _WORDS_SCHEMA)
        return db

    def load_all(self) -> dict[str, tuple[int, int, str, str | None, str | None, bytes]]:
        """Every row, undecoded: path -> (mtime_ns, size, hash, language, note, blob)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT path, mtime_ns, size, hash, language, note, data FROM files"
            ).fetchall()
        return {row[0]: row[1:] for row in rows}

    def put_many(self, entries: Iterable[tuple[str, Entry]]) -> None:
        self.put_rows(
            (path, e.mtime_ns, e.size, e.hash, e.tags.language, e.tags.note, encode(e.tags))
            for path, e in entries
        )

    def put_rows(self, rows: Iterable[Row]) -> None:
        """Rows already encoded (a worker's blobs): no decode/encode round trip."""
        self._write("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", list(rows))

    def _write(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        if not rows:
            return
        with self._lock:
            try:
                self._db.execute("BEGIN")
                self._db.executemany(sql, rows)
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:  # disk full, locked too long: the map still works
                log.warning("repo map: could not write the cache (%s)", exc)
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    # -- skip decisions -------------------------------------------------------------------

    def load_skipped(self) -> dict[str, tuple[int, int, str]]:
        """path -> (mtime_ns, size, reason) of the files a build decided not to map."""
        with self._lock:
            rows = self._db.execute("SELECT path, mtime_ns, size, reason FROM skipped").fetchall()
        return {row[0]: row[1:] for row in rows}

    def put_skipped(self, rows: Iterable[tuple[str, int, int, str]]) -> None:
        self._write("INSERT OR REPLACE INTO skipped VALUES (?, ?, ?, ?)", list(rows))

    def delete_skipped(self, paths: Iterable[str]) -> None:
        self._write("DELETE FROM skipped WHERE path = ?", [(p,) for p in paths])

    # -- the sniffing rules (files.SNIFF_RULES) the cached rows were decided by ---------

    def sniff_rules(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def set_sniff_rules(self, version: int) -> None:
        with self._lock:
            try:
                self._db.execute(f"PRAGMA user_version = {int(version)}")
            except sqlite3.Error as exc:  # read-only: sniffed again next time, no harm
                log.info("repo map: could not record the sniffing rules (%s)", exc)

    # -- words ----------------------------------------------------------------------------

    def load_words(self) -> dict[str, tuple[str, bytes]]:
        """path -> (content hash, encoded words) of every file counted before."""
        with self._lock:
            try:
                rows = self._db.execute("SELECT path, hash, data FROM words").fetchall()
            except sqlite3.Error as exc:
                log.warning("repo map: could not read the words (%s)", exc)
                return {}
        return {row[0]: (row[1], bytes(row[2])) for row in rows}

    def put_words(self, rows: list[tuple[str, str, bytes]]) -> None:
        """Store (path, content hash, encoded words); rows of files gone are dropped."""
        self._write("INSERT OR REPLACE INTO words VALUES (?, ?, ?)", list(rows))
        if rows:
            with self._lock:
                try:
                    self._db.execute("DELETE FROM words WHERE path NOT IN (SELECT path FROM files)")
                except sqlite3.Error as exc:
                    log.debug("repo map: could not prune the words (%s)", exc)

    # -- rankings -------------------------------------------------------------------------

    def get_ranking(self, key: str) -> bytes | None:
        """A stored ranking, marked as the most recently used: the overview every start
        loads must outlive the focused files' rankings stored after it (it was evicted
        after 32 of them, and the next start ranked again: 30 s on 20k busy files)."""
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT data, used FROM rankings WHERE key = ?", (key,)
                ).fetchone()
                if row is not None:
                    self._db.execute(
                        "UPDATE rankings SET used = (SELECT MAX(used) + 1 FROM rankings) "
                        "WHERE key = ? AND used < (SELECT MAX(used) FROM rankings)",
                        (key,),
                    )
            except sqlite3.Error as exc:
                log.warning("repo map: could not read a ranking (%s)", exc)
                return None
        return bytes(row[0]) if row is not None else None

    def put_ranking(self, key: str, data: bytes) -> None:
        """Store one ranking; the oldest beyond MAX_RANKINGS go."""
        with self._lock:
            try:
                self._db.execute("BEGIN")
                self._db.execute(
                    "INSERT OR REPLACE INTO rankings VALUES "
                    "(?, (SELECT COALESCE(MAX(used), 0) + 1 FROM rankings), ?)",
                    (key, data),
                )
                self._db.execute(
                    "DELETE FROM rankings WHERE key NOT IN "
                    "(SELECT key FROM rankings ORDER BY used DESC LIMIT ?)",
                    (MAX_RANKINGS,),
                )
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                log.warning("repo map: could not store a ranking (%s)", exc)
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
