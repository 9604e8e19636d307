"""A worker process that holds the map's reference graph and answers rankings (issue 16).

The server ranks its default map ahead in a worker process, so that neither the graph
(most of a ranked map's memory: ~300 MB on 20k files) nor the seconds of building it ever
land in the editor's process. A question, or a map focused on the open file, is
personalized: it cannot be ranked ahead, and used to build the whole graph in the server
on first use (6.6 s and +300 MB on 20k files). So the worker that ranked ahead stays: it
keeps its map, graph and words index, and renders personalized maps for the server.

The server forwards every file change to it, in order, before each request (the file
order decides the order PageRank sums in, so the worker's file set must be the server's,
operation by operation): its rankings are the ones the server would compute.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Sequence

# BrokenExecutor (BrokenProcessPool's base) and the pool itself imported lazily: the process
# module pulls in multiprocessing, which a warm `coda map` never needs (issue 16).
from concurrent.futures import BrokenExecutor, Future
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from coda_ls.repomap.model import FileTags, RenderedMap

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from coda_ls.repomap.repomap import RepoMap

log = logging.getLogger(__name__)
T = TypeVar("T")


class Change(NamedTuple):
    """One file changed in the parent's map: its tags (None: removed), its stat (mtime,
    size, content hash) when it came from disk, and whether it is an unsaved buffer."""

    path: str
    tags: FileTags | None
    stat: tuple[int, int, str] | None
    buffer: bool


class Render(NamedTuple):
    """`RepoMap.render`'s arguments, paths as strings."""

    tokens: int | None
    focus: tuple[str, ...]
    mentioned: tuple[str, ...]
    idents: tuple[str, ...]
    question: str | None


# -- in the worker ----------------------------------------------------------------------

_held: RepoMap | None = None


def hold(
    root: str, settings: dict[str, object], cache_dir: str, order: list[str], tokens: int
) -> bool:
    """Load the files `order` lists from the shared cache, rank and fit the default map
    (persisted as a side effect, for the parent to load), and keep the map for the
    requests that follow. False when the cache lacks one of the files."""
    global _held
    from coda_ls.config import RepoMapSettings
    from coda_ls.repomap.repomap import RepoMap

    if _held is not None:
        _held.close()
        _held = None
    repo_map = RepoMap(Path(root), RepoMapSettings.model_validate(settings), Path(cache_dir))
    if not repo_map.load_cached(order):
        repo_map.close()
        return False
    repo_map.render(tokens)
    _held = repo_map
    settle()
    return True


def settle() -> None:
    """The graph and the words index live as long as the worker: out of the cyclic GC's
    full passes, which walked their millions of objects during a question's ranking
    (20k files: a focused map 6-9 s here against 3.5-4.7 s in a process without the
    words index).

    The words index's memos are dropped first: they sped up building it (names, words,
    signatures repeat across files), and it keeps the words it made; held on, the memos'
    own copies of those words were 45 MB of a 20k-file worker (issue 16)."""
    from coda_ls.heap import settle as freeze
    from coda_ls.repomap import lexical

    lexical.split_name.cache_clear()
    lexical._text_words.cache_clear()
    freeze()


def warm() -> None:
    """Build what a question needs (graph, words index) before one comes: when the
    default map was loaded from an earlier run, nothing was ranked yet."""
    if _held is not None:
        _held.warm()
        settle()


def render(changes: list[Change], request: Render) -> RenderedMap:
    assert _held is not None, "render before hold"
    _held.apply(changes)
    return _held.render(
        request.tokens, request.focus, request.mentioned, request.idents, request.question
    )


# -- in the parent ------------------------------------------------------------------------


class Holder:
    """The parent's handle on the worker: requests go in order, with the changes since
    the last one; None from `render` when the worker is gone (the caller ranks itself)."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self._pool = pool
        self.broken = False
        self.warming: Future[None] | None = None  # the graph's and words index's build

    @classmethod
    def start(
        cls,
        root: Path,
        settings: dict[str, object],
        cache_dir: Path,
        order: list[str],
        tokens: int,
    ) -> tuple[Holder, Future[bool]] | None:
        """A worker (spawned: the caller is a thread of an editor) that is loading and
        ranking the map; the future tells whether it could."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from coda_ls.repomap.worker import background

        context = multiprocessing.get_context("spawn")
        try:
            # Not niced, unlike the parse workers: the editor waits for its answers, and
            # at nice 10 on a loaded machine (load 10, 2 cores) a focused map took 4 s.
            pool = ProcessPoolExecutor(1, context, background, (os.getpid(), 0))
            loaded = pool.submit(hold, str(root), settings, str(cache_dir), order, tokens)
        except (BrokenExecutor, OSError, RuntimeError) as exc:
            log.warning("repo map: could not start the ranking worker (%s)", exc)
            return None
        return cls(pool), loaded

    def warm(self) -> None:
        """Queue the graph's and words index's build (not waited for)."""
        try:
            self.warming = self._pool.submit(warm)
        except (BrokenExecutor, RuntimeError) as exc:
            log.warning("repo map: ranking worker gone (%s)", exc)
            self.broken = True

    def wait_warm(self, timeout: float | None = None) -> None:
        """Until the worker has built what a question needs (or failed, or `timeout`)."""
        warming = self.warming
        if warming is None or self.broken:
            return
        with contextlib.suppress(Exception):  # its failure is the requests' to report
            warming.result(timeout)

    def submit(self, changes: list[Change], request: Render) -> Future[RenderedMap] | None:
        """Queue one request after `changes` (call in the order changes happened)."""
        if self.broken:
            return None
        try:
            return self._pool.submit(render, changes, request)
        except (BrokenExecutor, RuntimeError) as exc:
            log.warning("repo map: ranking worker gone (%s)", exc)
            self.broken = True
            return None

    def result(self, future: Future[T]) -> T | None:
        """What the worker answered; None (and the holder broken) when it failed."""
        try:
            return future.result()
        except (BrokenExecutor, OSError) as exc:
            log.warning("repo map: ranking worker failed (%s); ranking here", exc)
        except Exception as exc:
            # Whatever the ranking raised there costs only the worker: the caller ranks
            # here, where the same error (if any) reaches it as usual.
            log.warning("repo map: ranking worker raised %s: %s", type(exc).__name__, exc)
        self.broken = True
        return None

    def close(self) -> None:
        """Stop the worker now: its work is disposable, and a pool shut down gracefully
        makes the interpreter's exit wait for the task running (seconds of graph build)."""
        self.broken = True
        # The pool's processes (a private attribute: the only handle on them).
        processes = list(getattr(self._pool, "_processes", None) or {})
        self._pool.shutdown(wait=False, cancel_futures=True)
        for pid in processes:
            with contextlib.suppress(OSError):  # gone already
                os.kill(pid, signal.SIGTERM)


def as_strings(paths: Sequence[Path | str]) -> tuple[str, ...]:
    return tuple(str(p) for p in paths)
