"""numpy's power iteration gives the loop's PageRank bit for bit (issue 16: a question's
ranking on a 20k-file project took ~1 s in the loop, ~0.04 s this way)."""

from __future__ import annotations

import random
import shutil
from array import array
from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import pagerank
from coda_ls.repomap.rank import ReferenceGraph
from coda_ls.repomap.repomap import RepoMap
from coda_ls.repomap.weighted import Transitions

REPO = Path(__file__).resolve().parents[2]


def _random_graph(
    seed: int, nodes: int, edges: int
) -> tuple[list[str], list[tuple[str, str, float]]]:
    rng = random.Random(seed)
    names = [f"f{i}.py" for i in range(nodes)]
    found: dict[tuple[str, str], float] = {}
    for _ in range(edges):
        src, dst = rng.sample(names, 2)
        found[(src, dst)] = found.get((src, dst), 0.0) + rng.uniform(0.01, 50.0)
    return names, [(s, d, w) for (s, d), w in found.items()]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("personalized", [False, True])
def test_the_vector_form_gives_the_loops_numbers(
    seed: int, personalized: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    names, edges = _random_graph(seed, nodes=400, edges=3000)  # sparse: some dangle
    personalization = {names[0]: 100.0, names[7]: 50.0, names[9]: 1.0} if personalized else None
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 10**9)
    loop = Transitions.of(names, edges).run(personalization)
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0)
    transitions = Transitions.of(names, edges)
    vector = transitions.run(personalization)
    assert transitions._vector is not None  # it did run the vector form
    assert vector == loop  # floats compared exactly
    # After an in-place change too (the compressed rows are made again).
    old = [names.index(d) for s, d, _ in edges if s == names[3]]
    changes = {3: (old, [5, 6], array("d", [2.5, 0.5]))}
    transitions.replace(changes)
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 10**9)
    fresh = Transitions.of(names, edges)
    fresh.replace(changes)
    expected = fresh.run(personalization)
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0)
    assert transitions.run(personalization) == expected


def test_an_edgeless_graph_in_the_vector_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0)
    assert Transitions.of(["a.py", "b.py"], []).run(None) == [0.5, 0.5]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RepoMap]:
    root = tmp_path_factory.mktemp("vector") / "coda"
    for part in ("coda_ls", "coda_cli"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=root.parent / "cache")
    repo_map.build()
    yield repo_map
    repo_map.close()


def test_a_real_projects_rankings_are_the_same(
    built: RepoMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(built._files)
    requests = [
        {},
        {"focus_files": [files[3]]},
        {"focus_files": [files[10]], "mentioned_idents": ["RepoMap", "render"]},
        {"mentioned_files": [files[20], files[30]]},
    ]
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 10**9)
    loop = [ReferenceGraph(built._files.copy()).rank(**r) for r in requests]  # type: ignore[arg-type]
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0)
    vector = [ReferenceGraph(built._files.copy()).rank(**r) for r in requests]  # type: ignore[arg-type]
    assert vector == loop
    assert all(len(r) > 10 for r in vector)
