"""The reference graph kept on disk between runs (issue 16).

A restart on an unchanged project loads its default map from the persisted rankings in
a fraction of a second, but a question ranks a map personalized for the open file: that
needs the whole graph, and weighing every file's references and building the weighted
graph took 3 s on 20k files (more than the ranking itself) before the first question
could be answered. The graph is made of ids and arrays (rank.py, weighted.py), so it is
written as bytes once it is built, next to the tag cache, and read back in a small part
of that time.

The file holds one graph: the key (a digest of the mapped files in order with their
contents, and of the ranking code: persist.py) in a fixed-size header, then the graph's
parts (`ReferenceGraph.parts`) in marshal, which keeps floats exact. A file whose key is
not the current state's is not read past its header. Any damage means building afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from coda_ls.repomap.model import FileTags
from coda_ls.repomap.rank import ReferenceGraph

log = logging.getLogger(__name__)

_MAGIC = b"coda reference graph 1\n"


def _header(key: str) -> bytes:
    """The file's fixed-size header for `key` (any text: stored as its digest)."""
    return _MAGIC + hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest().encode()


def graph_file(cache_db: Path) -> Path:
    """Where the graph of the project whose tag cache is `cache_db` is kept."""
    return cache_db.with_suffix(".graph")


def load(path: Path, key: str, files: Mapping[str, FileTags]) -> ReferenceGraph | None:
    """The graph stored under `key` over `files`, or None (none stored, another state,
    damaged: the caller builds it)."""
    try:
        with open(path, "rb") as handle:
            expected = _header(key)
            if handle.read(len(expected)) != expected:
                return None
            parts = marshal.load(handle)
        return ReferenceGraph.restored(files, parts)
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        log.info("repo map: stored graph %s unusable (%s); building it", path, reason)
        return None


def save(path: Path, key: str, graph: ReferenceGraph) -> bool:
    """Store `graph` under `key`, replacing the graph stored before (written to a new
    file and renamed over it: a reader sees one or the other, never half)."""
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_header(key))
            marshal.dump(graph.parts(), handle)
        os.replace(tmp, path)
        return True
    except (OSError, ValueError) as exc:  # disk full, read-only cache: the map still works
        log.warning("repo map: could not store the graph (%s)", exc)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
