"""The reference graph kept on disk (snapshot.py, issue 16): a restart on an unchanged
project loads the graph a warm-up built instead of weighing every file again, and the
loaded graph ranks exactly as a freshly built one (same floats, tags and order), before
and after file changes; a stale, damaged or foreign graph file is never used."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import pagerank, snapshot, weighted
from coda_ls.repomap.model import FileTags, Tag
from coda_ls.repomap.rank import ReferenceGraph
from coda_ls.repomap.repomap import RepoMap
from tests.repomap.test_compact_graph import REQUESTS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's own code: a real project of a few hundred files."""
    root = tmp_path_factory.mktemp("snapshot") / "coda"
    for part in ("coda_ls", "coda_cli", "tests/repomap"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.fixture
def warmed(root: Path, tmp_path: Path) -> Iterator[RepoMap]:
    """A map whose warm-up built the graph and stored it."""
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    repo_map.build()
    repo_map.warm()
    yield repo_map
    repo_map.close()


def count_inits(monkeypatch: pytest.MonkeyPatch, cls: type) -> list[int]:
    """A list that grows by one each time `cls` is built (not loaded: `restored` makes
    its object without `__init__`)."""
    made: list[int] = []
    real_init = cls.__init__

    def counting_init(self: object, *args: object) -> None:
        made.append(1)
        real_init(self, *args)

    monkeypatch.setattr(cls, "__init__", counting_init)
    return made


def graph_path(repo_map: RepoMap) -> Path:
    assert repo_map._cache.path is not None
    return snapshot.graph_file(repo_map._cache.path)


def restart(repo_map: RepoMap) -> RepoMap:
    again = RepoMap(repo_map.root, RepoMapSettings(), cache_dir=repo_map.cache_dir)
    again.build()
    assert again.last_build["parsed"] == 0
    return again


def test_a_warm_up_stores_the_graph_and_a_restart_loads_it(
    warmed: RepoMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert graph_path(warmed).stat().st_size > 10_000
    again = restart(warmed)
    built = count_inits(monkeypatch, ReferenceGraph)
    again.warm()
    assert built == []  # loaded, not built
    assert again._graph is not None and again._graph._variant is not None
    # Same ranking as the map that built its graph, for every kind of request.
    for request in REQUESTS:
        full = dict(request)
        for key in ("focus_files", "mentioned_files"):
            if key in full:
                full[key] = [warmed.root / str(p) for p in full[key]]  # type: ignore[attr-defined]
        assert again.ranked(**full) == warmed.ranked(**full), request  # type: ignore[arg-type]
    again.close()


@pytest.mark.parametrize("vector", [False, True])
def test_a_loaded_graph_is_the_built_one(
    warmed: RepoMap, vector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PageRank and the sharing step in the loop, or with numpy (pagerank.py).
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0 if vector else 10**9)
    files = warmed._files.copy()
    built = ReferenceGraph(files)
    built.prepare()
    loaded = ReferenceGraph.restored(files, built.parts())
    assert loaded.parts() == built.parts()  # every table and array, in the same order
    assert len(loaded.files) > 100
    for request in REQUESTS:
        got = loaded.rank(**request)  # type: ignore[arg-type]
        assert got == built.rank(**request), request  # floats compared exactly
        assert len(got) > 10


@pytest.mark.parametrize("merge_at", [weighted.MERGE_AT, 0])
@pytest.mark.parametrize("vector", [False, True])
def test_a_loaded_graph_takes_changes_as_the_built_one(
    warmed: RepoMap, merge_at: int, vector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weighted, "MERGE_AT", merge_at)
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0 if vector else 10**9)
    files = warmed._files.copy()
    built = ReferenceGraph(files)
    built.prepare()
    loaded = ReferenceGraph.restored(files, built.parts())
    rank_py = files["coda_ls/repomap/rank.py"]
    extra = Tag("function", "snapshot_marker", "snapshot_marker", "x.py", 1, 2)
    changes: list[tuple[str, FileTags | None]] = [
        ("coda_ls/repomap/lexical.py", None),  # removed
        ("x.py", FileTags("x.py", "python", (extra,), {"ReferenceGraph": 2, "decode": 1})),
        ("coda_ls/repomap/rank.py", FileTags(rank_py.path, "python", rank_py.definitions[:5])),
        ("coda_ls/repomap/lexical.py", files["coda_ls/repomap/lexical.py"]),  # back
    ]
    for i, (path, tags) in enumerate(changes):
        built.update(path, tags)
        loaded.update(path, tags)
        for request in REQUESTS[i % 3 :: 2]:
            assert loaded.rank(**request) == built.rank(**request), (path, request)  # type: ignore[arg-type]


def test_a_changed_file_means_building_afresh(
    warmed: RepoMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = graph_path(warmed).read_bytes()
    target = warmed.root / "coda_ls" / "repomap" / "snapshot.py"
    original = target.read_bytes()
    try:
        target.write_bytes(original + b"\ndef added_after_the_snapshot():\n    pass\n")
        again = RepoMap(warmed.root, RepoMapSettings(), cache_dir=warmed.cache_dir)
        again.build()
        built = count_inits(monkeypatch, ReferenceGraph)
        again.warm()
        assert built == [1]  # the stored graph is of other contents
        names = {t.name for _, t in again.ranked()}
        assert "added_after_the_snapshot" in names
        # The new state's graph replaced the old one on disk.
        assert graph_path(again).read_bytes() != stored
        again.close()
    finally:
        target.write_bytes(original)


@pytest.mark.parametrize(
    "damage",
    ["truncated", "garbage", "empty", "other parts"],
)
def test_a_damaged_graph_file_is_not_used(
    warmed: RepoMap, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = graph_path(warmed)
    stored = path.read_bytes()
    header = stored[: stored.index(b"\n") + 1 + 32]
    if damage == "truncated":
        path.write_bytes(stored[: len(stored) // 2])
    elif damage == "garbage":
        path.write_bytes(header + b"\x00\xff" * 1000)
    elif damage == "empty":
        path.write_bytes(b"")
    else:  # well formed, but not a graph of these files
        import marshal

        parts = ReferenceGraph(warmed._files.copy()).parts()
        parts[0] = list(reversed(parts[0]))  # type: ignore[call-overload]
        path.write_bytes(header + marshal.dumps(parts))
    expected = warmed.ranked(focus_files=[warmed.root / "coda_ls/repomap/rank.py"])
    again = restart(warmed)
    with caplog.at_level(logging.INFO, logger="coda_ls.repomap.snapshot"):
        again.warm()
    got = again.ranked(focus_files=[again.root / "coda_ls/repomap/rank.py"])
    assert got == expected
    if damage != "empty":  # an empty file has no key: nothing to report
        assert "unusable" in caplog.text
    again.close()


def test_a_mapped_unsaved_buffer_stores_no_graph(root: Path, tmp_path: Path) -> None:
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    repo_map.build()
    repo_map.update(root / "coda_ls" / "repomap" / "rank.py", "def only_in_the_editor(): pass\n")
    repo_map.warm()
    assert not graph_path(repo_map).exists()
    repo_map.close()


def test_an_unwritable_cache_keeps_the_map_working(
    warmed: RepoMap, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshot.tempfile, "mkstemp", refuse)
    graph = ReferenceGraph(warmed._files.copy())
    assert not snapshot.save(graph_path(warmed), "0" * 32, graph)
    assert "could not store" in caplog.text and ".graph" in caplog.text


def test_a_graph_built_for_a_ranking_is_kept_for_the_next_process(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `coda map`, then `coda ask` in a new process: the second loads the first's graph.
    first = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    first.build()
    focus = [root / "coda_ls/repomap/cache.py"]
    expected = first.ranked(focus_files=focus, limit=60)
    assert graph_path(first).exists()
    first.close()
    built = count_inits(monkeypatch, ReferenceGraph)
    second = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    second.build()
    assert second.ranked(focus_files=focus, limit=60) == expected  # persisted ranking
    assert second._graph is None
    got = second.ranked(mentioned_idents=["TagCache"], focus_files=focus, limit=60)
    assert built == []  # the graph came from disk
    assert got and got != expected
    second.close()


def test_a_write_abandoned_long_ago_is_cleaned_up(warmed: RepoMap) -> None:
    import os
    import time

    path = graph_path(warmed)
    old = path.parent / (path.name + ".abc123.tmp")
    fresh = path.parent / (path.name + ".def456.tmp")  # a writer at work right now
    old.write_bytes(b"half a graph")
    fresh.write_bytes(b"half a graph")
    long_ago = time.time() - 2 * snapshot.ABANDONED_AFTER
    os.utime(old, (long_ago, long_ago))
    graph = ReferenceGraph(warmed._files.copy())
    assert snapshot.save(path, "some key", graph)
    assert not old.exists()
    assert fresh.exists()
