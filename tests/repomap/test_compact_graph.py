"""The graph that keeps only what ranking reads (lean per-file data, definitions decoded
when shown) ranks exactly as the graph that kept every file's decoded tags did
(`reference_rank.py`, that graph unchanged), on this repository's own files: same
scores to the last bit, same tags, same order, before and after file changes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import pagerank, weighted
from coda_ls.repomap import repomap as repomap_module
from coda_ls.repomap.lazy import LazyFiles
from coda_ls.repomap.model import FileTags, Tag
from coda_ls.repomap.rank import ReferenceGraph
from coda_ls.repomap.relevance import usage
from coda_ls.repomap.repomap import RepoMap
from tests.repomap import reference_rank

REPO = Path(__file__).resolve().parents[2]
REQUESTS: list[dict[str, object]] = [
    {},
    {"limit": 50},
    {"focus_files": ["coda_ls/repomap/rank.py"], "limit": 40},
    {"mentioned_files": ["coda_ls/repomap/cache.py"]},
    {"mentioned_idents": ["LazyFiles", "decode"], "limit": 30},
    {"focus_files": ["coda_ls/server/app.py"], "mentioned_idents": ["Workspace"]},
]


class OldGraph(reference_rank.ReferenceGraph):
    """The old graph with what RepoMap now asks of a graph, answered the old way."""

    def definitions(self, path: str) -> tuple[Tag, ...]:
        return self.files[path].definitions

    def usage(self) -> dict[str, float]:
        return usage(self.files)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, RepoMap]]:
    root = tmp_path_factory.mktemp("compact") / "coda"
    for part in ("coda_ls", "coda_cli", "tests/repomap"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=root.parent / "cache")
    repo_map.build()
    yield root, repo_map
    repo_map.close()


def both(repo_map: RepoMap) -> tuple[ReferenceGraph, OldGraph]:
    lazy = repo_map._files.copy()
    decoded: dict[str, FileTags] = dict(lazy)
    return ReferenceGraph(lazy), OldGraph(decoded)


@pytest.mark.parametrize("vector", [False, True])
def test_the_compact_graph_ranks_as_the_old_one(
    built: tuple[Path, RepoMap], vector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PageRank and the sharing step in the loop, or with numpy (pagerank.py).
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0 if vector else 10**9)
    _, repo_map = built
    new, old = both(repo_map)
    assert len(new.files) > 100
    for request in REQUESTS:
        got = new.rank(**request)  # type: ignore[arg-type]
        expected = old.rank(**request)  # type: ignore[arg-type]
        assert got == expected, request  # floats compared exactly
        assert len(got) > 10
    assert new.usage() == usage(old.files)


@pytest.mark.parametrize("merge_at", [weighted.MERGE_AT, 0, 10**9])
@pytest.mark.parametrize("vector", [False, True])
def test_after_changes_too(
    built: tuple[Path, RepoMap], merge_at: int, vector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Changed definition keys kept apart (0: never merged) or merged at every change.
    monkeypatch.setattr(weighted, "MERGE_AT", merge_at)
    # PageRank and the sharing step in the loop, or with numpy (pagerank.py).
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0 if vector else 10**9)
    _, repo_map = built
    new, old = both(repo_map)
    rank_py = new.files["coda_ls/repomap/rank.py"]
    extra = Tag("function", "personalized_marker", "personalized_marker", "x.py", 1, 2)
    changes: list[tuple[str, FileTags | None]] = [
        ("coda_ls/repomap/lexical.py", None),  # removed
        ("x.py", FileTags("x.py", "python", (extra,), {"ReferenceGraph": 2, "decode": 1})),
        ("coda_ls/repomap/rank.py", FileTags(rank_py.path, "python", rank_py.definitions[:5])),
        ("coda_ls/repomap/lexical.py", repo_map._files["coda_ls/repomap/lexical.py"]),  # back
    ]
    for i, (path, tags) in enumerate(changes):
        new.update(path, tags)
        old.update(path, tags)
        for request in REQUESTS[i % 3 :: 2]:
            assert new.rank(**request) == old.rank(**request), (path, request)  # type: ignore[arg-type]


def test_a_question_ranks_as_with_the_old_graph(
    built: tuple[Path, RepoMap], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A question fuses the graph's ranking with its words, matching tags by identity:
    # the definitions decoded for the ranking must be the ones the words find.
    root, _ = built
    asks = [
        ("how are rankings persisted in the cache?", [], []),
        ("where does the server build the repo map", [root / "coda_ls/server/app.py"], []),
        ("explain `ReferenceGraph` personalization", [], ["ReferenceGraph"]),
    ]

    def ranked(graph_class: type[ReferenceGraph]) -> list[list[tuple[float, Tag]]]:
        monkeypatch.setattr(repomap_module, "ReferenceGraph", graph_class)
        fresh = RepoMap(root, RepoMapSettings(), cache_dir=root.parent / "cache")
        try:
            fresh.build()
            return [
                fresh.ranked(focus, (), idents, 60, question) for question, focus, idents in asks
            ]
        finally:
            fresh.close()

    new = ranked(ReferenceGraph)
    old = ranked(OldGraph)  # type: ignore[arg-type]
    assert new == old
    assert all(len(r) > 10 for r in new)


def test_the_graph_does_not_keep_every_files_tags(built: tuple[Path, RepoMap]) -> None:
    _, repo_map = built
    new, _ = both(repo_map)
    new.rank(limit=20)
    assert 0 < len(new._shown) < len(new.files) // 2
    assert isinstance(new.files, LazyFiles)
