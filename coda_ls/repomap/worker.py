"""Parse one file from disk: the unit of work of a (possibly parallel) build.

Module-level and returning plain tuples so a process pool can run it cheaply.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import NamedTuple

from coda_ls.heap import paused_gc
from coda_ls.repomap.cache import content_hash, encode_rows
from coda_ls.repomap.files import SNIFF, skip_reason
from coda_ls.repomap.languages import detect_language
from coda_ls.repomap.model import FileTags
from coda_ls.repomap.tags import Extracted, extract, extract_rows

log = logging.getLogger(__name__)


class Parsed(NamedTuple):
    path: str
    mtime_ns: int
    size: int
    hash: str
    language: str | None
    note: str | None
    blob: bytes


class Skipped(NamedTuple):
    path: str
    reason: str
    # The stat a skip was decided on (0: none), so it is cached and not read again.
    mtime_ns: int = 0
    size: int = 0


Result = Parsed | Skipped


def parse_path(root: str, rel: str, max_bytes: int) -> Result:
    full = os.path.join(root, rel)
    read = _read(full, max_bytes)
    if isinstance(read, str):
        return Skipped(rel, read)
    st, data = read
    if data is None:
        return Skipped(rel, f"larger than {max_bytes} bytes", st.st_mtime_ns, st.st_size)
    reason = skip_reason(data[:SNIFF], len(data), max_bytes)
    if reason:
        return Skipped(rel, reason, st.st_mtime_ns, st.st_size)
    language = detect_language(rel, data)
    if language is None:
        return Skipped(rel, "not source code", st.st_mtime_ns, st.st_size)
    got = _rows(rel, data, language)  # the cache keeps no positions
    blob = encode_rows(got.rows, got.references, got.imports)
    return Parsed(rel, st.st_mtime_ns, st.st_size, content_hash(data), got.language, got.note, blob)


def _read(full: str, max_bytes: int) -> tuple[os.stat_result, bytes | None] | str:
    """A file's stat and its first `max_bytes` + 1 bytes (None when its size is over
    `max_bytes`), or why it is unreadable. One descriptor, stat'ed and read: a stat of the
    path, then a Python file object, cost twice as much per file (issue 16)."""
    try:
        fd = os.open(full, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        # What stat-then-open said: a file too big is skipped as such, even unreadable.
        try:
            st = os.stat(full)
        except OSError as stat_exc:
            return f"unreadable ({stat_exc.strerror})"
        return (st, None) if st.st_size > max_bytes else f"unreadable ({exc.strerror})"
    try:
        st = os.fstat(fd)
        if st.st_size > max_bytes:
            return st, None
        data = os.read(fd, max_bytes + 1)
        while data and len(data) <= max_bytes:  # a short read is not yet the end
            more = os.read(fd, max_bytes + 1 - len(data))
            if not more:
                break
            data += more
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    finally:
        os.close(fd)
    return st, data


def _rows(rel: str, data: bytes, language: str) -> Extracted:
    """`tag_bytes` for the cache: the definitions as rows, no Tag objects."""
    try:
        return extract_rows(rel, data, language)
    except Exception as exc:
        # must cost that file only, never the whole map (issue 5: "never fatal").
        log.warning("repo map: could not parse %s (%s: %s); skipped", rel, type(exc).__name__, exc)
        return Extracted(language, [], {}, note=f"parse failed: {type(exc).__name__}")


def tag_bytes(rel: str, data: bytes, language: str | None, lines: bool = True) -> FileTags:
    try:
        return extract(rel, data, language, lines)
    except Exception as exc:
        # must cost that file only, never the whole map (issue 5: "never fatal").
        log.warning("repo map: could not parse %s (%s: %s); skipped", rel, type(exc).__name__, exc)
        return FileTags(rel, language, note=f"parse failed: {type(exc).__name__}")


BACKGROUND_NICENESS = 10


def background(parent: int, niceness: int = BACKGROUND_NICENESS) -> None:
    """Initializer of a worker that works for an editor (a server's build and ranking).

    Its stdin and stdout are the editor's protocol pipes, inherited through spawn: they go
    to /dev/null, so a worker can never write into the protocol, and a killed server's
    client sees end of file at once instead of when the last worker exits. Then a lower
    CPU priority, so on a busy machine the editor's process gets a core first (on 2
    loaded cores a code action waited up to 230 ms during a cold build, 13 ms after).
    `niceness` 0 for a worker whose answers the editor waits for (see held.py)."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(null, 0)
        os.dup2(null, 1)
    finally:
        os.close(null)
    exit_with_parent(parent)
    if not niceness:
        return
    try:
        os.nice(niceness)
    except OSError as exc:  # not allowed here: the work still gets done
        log.debug("repo map: could not lower the worker's priority (%s)", exc)


def exit_with_parent(parent: int) -> None:
    """A pool's idle worker waits on its task queue forever once its parent is killed
    (kill -9, a crashed editor): it and the pool's resource tracker, which holds the
    editor's pipes, would outlive it. So the worker exits once `parent` (given by the
    parent: it may be gone before this runs) is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="coda-parent-watch", daemon=True).start()


def parse_batch(root: str, rels: list[str], max_bytes: int) -> list[Result]:
    with paused_gc():
        return [parse_path(root, rel, max_bytes) for rel in rels]


def rank_cached(
    root: str, settings: dict[str, object], cache_dir: str, order: list[str], tokens: int
) -> bool:
    """In a worker process: rank and fit the overview of the files `order` lists (as the
    parent built them, from the shared cache) and persist both; False when the cache
    lacks one. Fitting here too keeps the tokenizer's load (a third of a second holding
    the GIL) out of the parent while it answers an editor."""
    from pathlib import Path

    from coda_ls.config import RepoMapSettings
    from coda_ls.repomap.repomap import RepoMap

    repo_map = RepoMap(Path(root), RepoMapSettings.model_validate(settings), Path(cache_dir))
    try:
        if not repo_map.load_cached(order):
            return False
        repo_map.render(tokens)  # persists as a side effect
        return True
    finally:
        repo_map.close()
