"""The knowledge index: the passages of every note in an SQLite FTS5 table, kept in the
cache dir (it is derived data: deleting it only costs one re-index).

Refreshing is incremental: a note is split and indexed again only when its (path, mtime,
size) changed, and notes that disappeared are dropped, so the refresh before each question
costs a `stat` per note. Each refresh is one `BEGIN IMMEDIATE` transaction, so two
processes (the CLI and the language server) can refresh the same index at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coda_ls.errors import KnowledgeError
from coda_ls.knowledge.passages import split_note

log = logging.getLogger(__name__)

INDEX_VERSION = 1
NOTE_SUFFIXES = (".md", ".markdown")
MAX_NOTE_BYTES = 2_000_000  # a note larger than this is not a note (a dump): skipped
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, "
    "size INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS passages (id INTEGER PRIMARY KEY, path TEXT NOT NULL, "
    "ord INTEGER NOT NULL, heading TEXT NOT NULL, text TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS passages_path ON passages(path)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
        heading, text, content='passages', content_rowid='id', tokenize='porter unicode61')""",
    """CREATE TRIGGER IF NOT EXISTS passages_ai AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, heading, text) VALUES (new.id, new.heading, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS passages_ad AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, heading, text)
        VALUES ('delete', old.id, old.heading, old.text);
    END""",
)
# The heading weighs more than the body: a note titled "Release process" is about releases.
_SEARCH_SQL = """
SELECT p.path, p.heading, p.text, bm25(passages_fts, 4.0, 1.0) AS score
FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid
WHERE passages_fts MATCH ? ORDER BY score, p.path, p.ord LIMIT ?
"""


@dataclass(frozen=True)
class IndexHit:
    """A passage found in the index; lower `score` is better (FTS5's bm25 sign)."""

    path: str
    heading: str
    text: str
    score: float


@dataclass(frozen=True)
class RefreshStats:
    indexed: int  # notes (re)split and indexed
    removed: int
    unchanged: int


def index_path(cache_dir: Path, root: Path) -> Path:
    """One index per project root (the roots' notes differ), versioned in its name."""
    digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_dir / "knowledge" / f"v{INDEX_VERSION}-{digest}.db"


def note_files(dirs: Iterable[Path]) -> dict[str, tuple[int, int]]:
    """Every Markdown note under `dirs` (hidden files and directories skipped): its path
    and (mtime in ns, size). One `scandir` walk: this runs before every question."""
    found: dict[str, tuple[int, int]] = {}
    for directory in dirs:
        try:
            top = directory.resolve(strict=True)
        except OSError:
            continue
        stack = [str(top)]
        while stack:
            try:
                entries = list(os.scandir(stack.pop()))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_dir():
                        stack.append(entry.path)
                    elif entry.name.lower().endswith(NOTE_SUFFIXES) and entry.is_file():
                        stat = entry.stat()
                        found[entry.path] = (stat.st_mtime_ns, stat.st_size)
                except OSError:
                    continue
    return dict(sorted(found.items()))


class KnowledgeIndex:
    """The FTS5 index of one root's notes. Thread-safe (one lock, one connection)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False: the engine builds the context in a worker thread.
            self._conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.commit()
        except (OSError, sqlite3.Error) as exc:
            raise KnowledgeError(
                f"cannot open the knowledge index {path}: {exc}",
                "delete the file (it is rebuilt from the notes) or check the cache dir",
            ) from None

    def refresh(self, files: dict[str, tuple[int, int]]) -> RefreshStats:
        """Bring the index in line with `files` (every note: path -> (mtime_ns, size))."""
        current = {path: key for path, key in files.items() if key[1] <= MAX_NOTE_BYTES}
        with self._lock:
            known = {
                row[0]: (row[1], row[2])
                for row in self._conn.execute("SELECT path, mtime_ns, size FROM files")
            }
            changed = [p for p, key in current.items() if known.get(p) != key]
            removed = [p for p in known if p not in current]
            if not changed and not removed:
                return RefreshStats(0, 0, len(current))
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for gone in removed:
                    self._forget(gone)
                for name in changed:
                    self._forget(name)
                    self._index(Path(name), current[name])
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        log.debug("knowledge index: %d notes indexed, %d removed", len(changed), len(removed))
        return RefreshStats(len(changed), len(removed), len(current) - len(changed))

    def search(self, match: str, limit: int = 20) -> list[IndexHit]:
        """Passages matching an FTS5 query, best first."""
        with self._lock:
            try:
                rows = self._conn.execute(_SEARCH_SQL, (match, limit)).fetchall()
            except sqlite3.OperationalError as exc:
                log.debug("knowledge query %r rejected: %s", match, exc)
                return []
        return [IndexHit(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Passages per note path."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT f.path, count(p.id) FROM files f LEFT JOIN passages p "
                "ON p.path = f.path GROUP BY f.path ORDER BY f.path"
            ).fetchall()
        return {path: count for path, count in rows}

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _forget(self, path: str) -> None:
        self._conn.execute("DELETE FROM passages WHERE path = ?", (path,))
        self._conn.execute("DELETE FROM files WHERE path = ?", (path,))

    def _index(self, path: Path, key: tuple[int, int]) -> None:
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError as exc:
            log.warning("knowledge note %s unreadable: %s", path, exc)
            return
        chunks = split_note(text, path.stem.replace("-", " ").replace("_", " "))
        self._conn.executemany(
            "INSERT INTO passages (path, ord, heading, text) VALUES (?, ?, ?, ?)",
            [(str(path), n, chunk.heading, chunk.text) for n, chunk in enumerate(chunks)],
        )
        self._conn.execute(
            "INSERT INTO files (path, mtime_ns, size) VALUES (?, ?, ?)", (str(path), *key)
        )
