"""The reference graph and the words index kept on disk between runs (issue 16).

A restart on an unchanged project loads its default map from the persisted rankings in
a fraction of a second, but a question ranks a map personalized for the open file: that
needs the whole graph, and weighing every file's references and building the weighted
graph took 3 s on 20k files (more than the ranking itself) before the first question
could be answered, and the words index another second. Both are made of ids and arrays
(rank.py, weighted.py, lexical.py), so each is written as bytes once it is built, next
to the tag cache, and read back in a small part of that time.

Each file holds one graph or index: the key (a digest of the mapped files in order with
their contents, and of the ranking code: persist.py) in a fixed-size header, then its
parts (`ReferenceGraph.parts`, `LexicalIndex.parts`) in marshal, which keeps floats
exact. A file whose key is not the current state's is not read past its header. Any
damage means building afresh.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import logging
import marshal
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from coda_ls.heap import paused_gc
from coda_ls.repomap.model import FileTags
from coda_ls.repomap.rank import ReferenceGraph

if TYPE_CHECKING:
    from coda_ls.repomap.lexical import LexicalIndex

log = logging.getLogger(__name__)
T = TypeVar("T")

_GRAPH = b"coda reference graph 1\n"
_WORDS = b"coda words index 1\n"


def graph_file(cache_db: Path) -> Path:
    """Where the graph of the project whose tag cache is `cache_db` is kept."""
    return cache_db.with_suffix(".graph")


def words_file(cache_db: Path) -> Path:
    """Where the words index of the project whose tag cache is `cache_db` is kept."""
    return cache_db.with_suffix(".words")


def load(path: Path, key: str, files: Mapping[str, FileTags]) -> ReferenceGraph | None:
    """The graph stored under `key` over `files`, or None (none stored, another state,
    damaged: the caller builds it)."""
    return _load(path, _GRAPH, key, lambda parts: ReferenceGraph.restored(files, parts))


def save(path: Path, key: str, graph: ReferenceGraph) -> bool:
    """Store `graph` under `key`, replacing the graph stored before."""
    return _save(path, _GRAPH, key, graph.parts())


def load_words(path: Path, key: str, paths: Iterable[str]) -> LexicalIndex | None:
    """The words index stored under `key` of the files `paths` (in order), or None."""
    from coda_ls.repomap.lexical import LexicalIndex

    return _load(path, _WORDS, key, lambda parts: LexicalIndex.restored(paths, parts))


def save_words(path: Path, key: str, index: LexicalIndex) -> bool:
    return _save(path, _WORDS, key, index.parts())


def _header(magic: bytes, key: str) -> bytes:
    """The file's fixed-size header for `key` (any text: stored as its digest)."""
    return magic + hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest().encode()


def _load(path: Path, magic: bytes, key: str, restore: Callable[[Any], T]) -> T | None:
    try:
        with open(path, "rb") as handle:
            expected = _header(magic, key)
            if handle.read(len(expected)) != expected:
                return None
            # Hundreds of thousands of acyclic arrays and tuples: collections triggered
            # by their count find nothing (a third of a 20k-file graph's load).
            with paused_gc():
                return restore(marshal.load(handle))
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        log.info("repo map: stored index %s unusable (%s); building it", path, reason)
        return None


def _save(path: Path, magic: bytes, key: str, parts: list[object]) -> bool:
    """Write to a new file and rename it over the old one: a reader sees one or the
    other, never half."""
    _remove_abandoned(path)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_header(magic, key))
            marshal.dump(parts, handle)
        os.replace(tmp, path)
        return True
    except (OSError, ValueError) as exc:  # disk full, read-only cache: the map still works
        log.warning("repo map: could not store %s (%s)", path.name, exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


ABANDONED_AFTER = 3600.0  # seconds: a half-written file older than this was abandoned


def _remove_abandoned(path: Path) -> None:
    """Remove what a writer killed mid-write left (a `<name>.*.tmp` an hour old: a live
    writer finishes in well under a second), so the cache does not grow by a graph a
    crash."""
    now = time.time()
    for abandoned in path.parent.glob(glob.escape(path.name) + ".*.tmp"):
        with contextlib.suppress(OSError):  # gone already, or not ours to remove
            if now - abandoned.stat().st_mtime > ABANDONED_AFTER:
                abandoned.unlink()
