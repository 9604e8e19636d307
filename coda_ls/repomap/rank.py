"""Rank definitions: a graph of which file references which file's symbols, personalized
PageRank over it (boosted toward focused and mentioned files), then each file's rank
shared out among the definitions its references point at."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from coda_ls.repomap.model import FileTags, Tag

log = logging.getLogger(__name__)

FOCUS_WEIGHT = 100.0  # personalization of a file open in the editor
MENTION_WEIGHT = 50.0  # of a file named in the chat
IDENT_BOOST = 10.0  # edge multiplier for an identifier named in the question
FOCUS_EDGE_BOOST = 50.0  # edges leaving a focused file: what it depends on comes first
# A name defined in more files than this (`get`, `save`, `__init__`) links everything to
# everything: it says nothing about dependencies and makes the graph 10x bigger (Django).
MAX_DEFINERS = 12


def _ident_weight(name: str, defining_files: int, mentioned: Collection[str]) -> float:
    weight = 1.0
    if name in mentioned:
        weight *= IDENT_BOOST
    # Long, specific names (snake_case, CamelCase) say more than `get` or `run`.
    specific = ("_" in name.strip("_") or any(c.isupper() for c in name[1:])) and len(name) >= 8
    if specific:
        weight *= 10
    if name.startswith("_"):
        weight *= 0.1
    if defining_files > 5:  # defined everywhere: `__init__`, `save`, `get`
        weight *= 0.1
    return weight


def rank_tags(
    files: Mapping[str, FileTags],
    focus_files: Collection[str] = (),
    mentioned_files: Collection[str] = (),
    mentioned_idents: Collection[str] = (),
) -> list[tuple[float, Tag]]:
    """Every definition with its score, best first. Paths are relative (as in `files`)."""
    defines: dict[str, set[str]] = defaultdict(set)
    for path, ft in files.items():
        for tag in ft.definitions:
            defines[tag.name].add(path)

    edges: dict[tuple[str, str], float] = defaultdict(float)
    edge_idents: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for src, ft in files.items():
        for name, count in ft.references.items():
            targets = defines.get(name)
            if not targets or (len(targets) > MAX_DEFINERS and name not in mentioned_idents):
                continue
            weight = _ident_weight(name, len(targets), mentioned_idents) * math.sqrt(count)
            if src in focus_files:
                weight *= FOCUS_EDGE_BOOST
            for dst in targets:
                if dst == src:
                    continue
                edges[(src, dst)] += weight
                edge_idents[(src, dst)][name] = edge_idents[(src, dst)].get(name, 0.0) + weight

    personalization: dict[str, float] = {}
    for path in files:
        boost = 0.0
        if path in focus_files:
            boost += FOCUS_WEIGHT
        if path in mentioned_files:
            boost += MENTION_WEIGHT
        if boost:
            personalization[path] = boost
    ranks = _pagerank(files.keys(), edges, personalization or None)

    # Share each file's rank among the definitions its references reach, by edge weight.
    out_weight: dict[str, float] = defaultdict(float)
    for (src, _), weight in edges.items():
        out_weight[src] += weight
    def_rank: dict[tuple[str, str], float] = defaultdict(float)
    for (src, dst), idents in edge_idents.items():
        share = ranks.get(src, 0.0) / out_weight[src]
        for name, weight in idents.items():
            def_rank[(dst, name)] += share * weight

    scored: list[tuple[float, Tag]] = []
    for path, ft in files.items():
        base = ranks.get(path, 0.0) * 0.01  # unreferenced symbols of important files next
        for tag in ft.definitions:
            score = def_rank.get((path, tag.name), 0.0) + base
            if tag.name in mentioned_idents:
                score *= IDENT_BOOST
                score += 1.0
            if path in focus_files:
                score *= 0.5  # the user sees that file already; show what it uses
            scored.append((score, tag))
    scored.sort(key=lambda item: (-item[0], item[1].path, item[1].line))
    return scored


def _pagerank(
    nodes: Iterable[str],
    edges: Mapping[tuple[str, str], float],
    personalization: dict[str, float] | None,
) -> dict[str, float]:
    import networkx as nx

    graph: Any = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from((src, dst, w) for (src, dst), w in edges.items())
    if graph.number_of_nodes() == 0:
        return {}
    try:
        result: dict[str, float] = nx.pagerank(
            graph, weight="weight", personalization=personalization
        )
        return result
    except ImportError:
        # networkx >= 3 needs numpy+scipy for pagerank(); its pure-Python version
        # (same algorithm, private name) keeps the map working without them.
        from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

        result = _pagerank_python(graph, weight="weight", personalization=personalization)
        return result
    except nx.PowerIterationFailedConvergence:
        log.warning("repo map: PageRank did not converge; ranking by references only")
        return {n: 1.0 / graph.number_of_nodes() for n in graph}
