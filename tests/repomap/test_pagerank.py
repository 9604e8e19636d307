"""Coda's PageRank gives networkx's numbers (its pure-Python reference implementation)."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from coda_ls.repomap.weighted import pagerank_of as _pagerank


def _graph(seed: int, nodes: int, edges: int) -> tuple[list[str], dict[tuple[str, str], float]]:
    rng = random.Random(seed)
    names = [f"f{i}.py" for i in range(nodes)]
    weights: dict[tuple[str, str], float] = {}
    for _ in range(edges):
        src, dst = rng.sample(names, 2)
        weights[(src, dst)] = weights.get((src, dst), 0.0) + rng.uniform(0.1, 10.0)
    return names, weights


@pytest.mark.parametrize(("seed", "personalized"), [(1, False), (2, True), (3, True), (4, False)])
def test_pagerank_matches_networkx(seed: int, personalized: bool) -> None:
    names, weights = _graph(seed, nodes=60, edges=150)  # sparse: some nodes dangle
    personalization = {names[0]: 100.0, names[5]: 50.0} if personalized else None
    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    graph.add_weighted_edges_from((s, d, w) for (s, d), w in weights.items())
    expected = _pagerank_python(graph, weight="weight", personalization=personalization)
    got = _pagerank(names, weights, personalization)
    assert got.keys() == expected.keys()
    assert max(abs(got[n] - expected[n]) for n in names) < 1e-9
    assert sum(got.values()) == pytest.approx(1.0)


def test_pagerank_of_an_empty_and_an_edgeless_graph() -> None:
    assert _pagerank([], {}, None) == {}
    assert _pagerank(["a.py", "b.py"], {}, None) == {"a.py": 0.5, "b.py": 0.5}
