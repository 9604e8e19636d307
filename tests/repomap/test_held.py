"""A worker that ranked ahead stays and renders personalized maps (a question, a focused
file) with the graph it holds: the server never builds the graph (issue 16). Its maps
must be the ones the server would render itself, after any sequence of file changes."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

from coda_ls.config import RepoMapSettings
from coda_ls.repomap.model import RenderedMap
from coda_ls.repomap.repomap import RepoMap

REPO = Path(__file__).resolve().parents[2]
FOCUS = "coda_ls/repomap/rank.py"
QUESTION = "how does the `ReferenceGraph` personalize PageRank for a focused file?"


def copy_of_this_repository(tmp_path: Path) -> Path:
    root = tmp_path / "coda"
    for part in ("coda_ls/repomap", "coda_ls/server", "tests/repomap"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def maps(repo_map: RepoMap, root: Path) -> list[RenderedMap]:
    """The personalized maps a server asks for: focused, mentioned, a question."""
    return [
        repo_map.render(1024, focus_files=[root / FOCUS]),
        repo_map.render(1024, mentioned_files=[root / "coda_ls/repomap/cache.py"]),
        repo_map.render(1024, mentioned_idents=["LazyFiles"]),
        repo_map.render(2048, focus_files=[root / FOCUS], question=QUESTION),
    ]


def same(held: list[RenderedMap], alone: list[RenderedMap]) -> None:
    for a, b in zip(held, alone, strict=True):
        assert a.text == b.text
        assert a.tags == b.tags
        assert a.tokens == b.tokens


def edit(root: Path, repo_map: RepoMap) -> None:
    """One of each change, in an order where a new file lands after a removed one."""
    repo_map.update(
        root / FOCUS,
        (root / FOCUS).read_text() + "\n\ndef personalized_marker(graph: object) -> int:\n"
        "    return ReferenceGraph(graph).rank()\n",
    )  # an unsaved buffer
    repo_map.remove(root / "coda_ls/repomap/lexical.py")
    new = root / "coda_ls/repomap/added.py"
    if not new.exists():
        new.write_text("from coda_ls.repomap.rank import ReferenceGraph\n\n\n"
                       "def added_ranker(files: dict) -> list:\n"
                       "    return ReferenceGraph(files).rank()\n")  # fmt: skip
    repo_map.update(new)  # from disk
    repo_map.update(root / "coda_ls/repomap/lexical.py")  # back, now last in order


def test_the_held_worker_renders_what_the_server_would(tmp_path: Path) -> None:
    root = copy_of_this_repository(tmp_path)
    server = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "server")
    alone = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "alone")
    try:
        server.build()
        alone.build()
        assert server.rank_ahead(hold=True) is True
        assert server._holder is not None
        assert server.render().text == alone.render().text  # the default map, loaded
        same(maps(server, root), maps(alone, root))
        assert server._graph is None and server._lexical is None  # ranked in the worker
        assert alone._graph is not None
        edit(root, server)
        edit(root, alone)
        same(maps(server, root), maps(alone, root))
        assert server._graph is None and server._holder is not None
        server.build()  # a rebuild: the worker's file set is stale
        assert server._holder is None
    finally:
        server.close()
        alone.close()


def test_a_warm_start_holds_too(tmp_path: Path) -> None:
    # The default map was persisted by an earlier run: ready at once, the worker builds
    # the graph meanwhile and still answers questions.
    root = copy_of_this_repository(tmp_path)
    first = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    first.build()
    assert first.rank_ahead() is True
    first.close()
    server = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    alone = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "alone")
    try:
        server.build()
        alone.build()
        assert server.rank_ahead(hold=True) is True
        same(maps(server, root), maps(alone, root))
        assert server._graph is None
    finally:
        server.close()
        alone.close()


def test_a_dead_worker_means_ranking_here(tmp_path: Path) -> None:
    root = copy_of_this_repository(tmp_path)
    server = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "server")
    alone = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "alone")
    try:
        server.build()
        alone.build()
        assert server.rank_ahead(hold=True) is True
        holder = server._holder
        assert holder is not None
        for pid in list(holder._pool._processes):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        edit(root, server)
        edit(root, alone)
        same(maps(server, root), maps(alone, root))
        assert server._holder is None and server._graph is not None
    finally:
        server.close()
        alone.close()


def test_closing_the_map_stops_the_worker_at_once(tmp_path: Path) -> None:
    # Even busy (building the words index): an editor's exit must not wait for it.
    root = copy_of_this_repository(tmp_path)
    server = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "server")
    server.build()
    assert server.rank_ahead(hold=True) is True
    assert server._holder is not None
    pids = list(server._holder._pool._processes)
    assert pids
    server.close()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
