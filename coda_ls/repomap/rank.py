"""Rank definitions: a graph of which file references which file's symbols, personalized
PageRank over it (boosted toward focused and mentioned files), then each file's rank
shared out among the definitions its references point at.

The graph (`ReferenceGraph`) is built once per file set and updated in place when one file
changes; what a question changes (its identifiers, its files) is applied per query on top,
and PageRank results are cached per personalization.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import add, itemgetter, mul, sub
from typing import Any, NamedTuple

from coda_ls.repomap import pagerank
from coda_ls.repomap.evidence import COMMON_NAMES, ROLE_SOURCE_FACTOR, path_role
from coda_ls.repomap.imports import module_matches
from coda_ls.repomap.lazy import LazyFiles
from coda_ls.repomap.model import FileTags, Tag
from coda_ls.repomap.pagerank import IncomingRows, SparseRows

log = logging.getLogger(__name__)

FOCUS_WEIGHT = 100.0  # personalization of a file open in the editor
MENTION_WEIGHT = 50.0  # of a file named in the chat
IDENT_BOOST = 10.0  # edge multiplier for an identifier named in the question
# A reference to a builtin or standard-library name (`append`, `join`, `super`) is almost
# never a use of the project's definition of that name.
COMMON_FACTOR = 0.05
# A reference to a name the file defines itself most likely means its own definition
# (`self.method()` inside the class, a module's helper): the other definers get little.
LOCAL_FACTOR = 0.1
# A name imported from a module none of its definers is in: an outside package's (a
# `Request` from werkzeug), or one re-exported along a path we cannot follow.
IMPORT_MISMATCH = 0.3
# A name defined in more files than this (`get`, `save`, `__init__`) links everything to
# everything: it says nothing about dependencies and makes the graph 10x bigger (Django).
MAX_DEFINERS = 12
# Scaling all edges leaving a focused file (an earlier FOCUS_EDGE_BOOST) changes nothing:
# PageRank and the sharing step both divide by the file's total out-weight. Focus acts
# through the personalization vector only.
_CACHED_RANKS = 16  # PageRank results kept, per (identifiers, personalization)

Getter = Callable[[list[float]], Any]


@lru_cache(maxsize=65536)
def _ident_weight(name: str, defining_files: int, mentioned: bool) -> float:
    weight = 1.0
    if mentioned:
        weight *= IDENT_BOOST
    elif name in COMMON_NAMES:
        weight *= COMMON_FACTOR
    # Long, specific names (snake_case, CamelCase) say more than `get` or `run`.
    specific = ("_" in name.strip("_") or any(c.isupper() for c in name[1:])) and len(name) >= 8
    if specific:
        weight *= 10
    if name.startswith("_"):
        weight *= 0.1
    if defining_files > 5:  # defined everywhere: `__init__`, `save`, `get`
        weight *= 0.1
    return weight


def _getter(indexes: list[int]) -> Getter:
    # itemgetter of one index returns the item, not a 1-tuple: take a slice instead.
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return itemgetter(slice(indexes[0], indexes[0] + 1))


def _nothing(values: list[float]) -> tuple[float, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class _Source:
    """One file's weighted references: (name, weight, the other files defining it), the
    summed weight per target file, and the total weight leaving the file."""

    reaches: tuple[tuple[str, float, tuple[str, ...]], ...]
    edges: dict[str, float]
    out: float


_EMPTY = _Source((), {}, 0.0)


class _Transitions:
    """A weighted graph prepared for PageRank: per node, the nodes linking to it (read by
    one C-level itemgetter) and their normalized edge weights. Kept per source so that
    replacing one node's out-edges rebuilds only the rows it touches; rows list their
    sources in index order either way, so an updated graph sums exactly as a fresh one."""

    def __init__(self, names: list[str], edges: Iterable[tuple[str, str, float]]) -> None:
        self.names = names
        n = len(names)
        self.index = index = {name: i for i, name in enumerate(names)}
        self._out_edges: list[dict[int, float]] = [{} for _ in range(n)]
        for src, dst, weight in edges:
            self._out_edges[index[src]][index[dst]] = weight
        self._out_sum = [0.0] * n
        self._incoming: list[dict[int, float]] = [{} for _ in range(n)]
        for i in range(n):
            self._link(i)
        self.rows: dict[int, tuple[Getter, list[float]]] = {}
        self.dangling: list[int] = []
        self._vector: IncomingRows | None = None  # numpy's form, made by a big graph's run
        self._refresh(range(n))

    def _link(self, i: int) -> None:
        edges = self._out_edges[i]
        total = 0.0
        for weight in edges.values():
            total += weight
        self._out_sum[i] = total
        for j, weight in edges.items():
            self._incoming[j][i] = weight / total

    def _refresh(self, nodes: Iterable[int]) -> None:
        for j in nodes:
            pairs = self._incoming[j]
            if pairs:
                srcs = sorted(pairs)
                self.rows[j] = (_getter(srcs), [pairs[i] for i in srcs])
            else:
                self.rows.pop(j, None)
        self.dangling = [i for i, total in enumerate(self._out_sum) if total == 0]
        self._vector = None

    def edge_count(self) -> int:
        return sum(map(len, self._incoming))

    def replace(self, changes: Mapping[int, dict[int, float]]) -> None:
        """New out-edges {dst index: weight} for some nodes."""
        dirty: set[int] = set()
        for i, edges in changes.items():
            for j in self._out_edges[i]:
                del self._incoming[j][i]
            dirty.update(self._out_edges[i])
            self._out_edges[i] = dict(edges)
            self._link(i)
            dirty.update(edges)
        self._refresh(sorted(dirty))

    def run(
        self,
        personalization: Mapping[str, float] | None,
        alpha: float = 0.85,
        max_iter: int = 100,
        tol: float = 1e-6,
    ) -> list[float]:
        """PageRank per node (in `names` order) by power iteration: networkx's `pagerank`
        (same damping, dangling-node handling and stopping rule, same numbers), without
        numpy or scipy. networkx >= 3 falls back to pure Python without them, and that took
        0.43 s on Django's graph (2.8k nodes, 41k edges); this pull-based loop, where each
        node's sum runs in C (itemgetter + map), takes 0.03 s."""
        names, n = self.names, len(self.names)
        if n == 0:
            return []
        total = sum(personalization.values()) if personalization else 0.0
        if personalization and total > 0:
            p = [personalization.get(name, 0.0) / total for name in names]
        else:
            p = [1.0 / n] * n
        if self.edge_count() >= pagerank.VECTOR_MIN_EDGES:
            # The same numbers, bit for bit, ~20x faster on big graphs (pagerank.py).
            if self._vector is None:
                self._vector = pagerank.IncomingRows(self._incoming, self.dangling)
            got = self._vector.run(p, alpha, max_iter, tol)
            if got is not None:
                return got
            log.warning("repo map: PageRank did not converge; ranking by references only")
            return [1.0 / n] * n
        teleport = [(1 - alpha) * v for v in p]
        rows = list(self.rows.items())
        # The same sums in the same order as the plain loops, run by C iterators.
        dangling: Getter = _getter(self.dangling) if self.dangling else _nothing
        x = [1.0 / n] * n
        for _ in range(max_iter):
            last = x
            dangling_sum = alpha * sum(dangling(last))
            x = list(map(add, map(mul, repeat(dangling_sum), p), teleport))
            for node, (get, weights) in rows:
                x[node] += alpha * sum(map(mul, get(last), weights))
            if sum(map(abs, map(sub, x, last))) < n * tol:
                return x
        log.warning("repo map: PageRank did not converge; ranking by references only")
        return [1.0 / n] * n


def _pagerank(
    nodes: Iterable[str],
    edges: Mapping[tuple[str, str], float],
    personalization: dict[str, float] | None,
) -> dict[str, float]:
    """PageRank of a graph given as {(src, dst): weight} (see `_Transitions.run`)."""
    names = list(dict.fromkeys(nodes))
    prepared = _Transitions(names, ((s, d, w) for (s, d), w in edges.items()))
    return dict(zip(names, prepared.run(personalization), strict=True))


class _Variant:
    """The graph weighted for one set of mentioned identifiers: PageRank's transitions and
    the sharing step as a sparse matrix, (definition) <- {file index: weight}; both can
    take new sources for some files in place."""

    def __init__(self, names: list[str], sources: Mapping[str, _Source]) -> None:
        self.transitions = _Transitions(
            names,
            ((src, dst, w) for src in names for dst, w in sources[src].edges.items()),
        )
        self.index = self.transitions.index
        self.out = [sources[src].out for src in names]
        self._contributions: dict[tuple[str, str], dict[int, float]] = {}
        self.shares: dict[tuple[str, str], tuple[Getter, list[float]]] = {}
        for i, src in enumerate(names):
            self._add(i, sources[src])
        for key in list(self._contributions):
            self._share(key)
        self.ranks: OrderedDict[tuple[tuple[str, float], ...], list[float]] = OrderedDict()
        self._key_files: Getter | None = None
        self._vector: SparseRows | None = None  # `shares` for numpy, made by a big graph

    def _add(self, i: int, source: _Source) -> None:
        contributions = self._contributions
        for name, weight, others in source.reaches:
            for dst in others:
                found = contributions.get((dst, name))
                if found is None:
                    contributions[(dst, name)] = {i: weight}
                else:
                    found[i] = weight

    def _share(self, key: tuple[str, str]) -> None:
        pairs = self._contributions.get(key)
        if not pairs:
            self._contributions.pop(key, None)
            self.shares.pop(key, None)
            return
        srcs = sorted(pairs)
        self.shares[key] = (_getter(srcs), [pairs[i] for i in srcs])

    def replace(self, changes: Mapping[str, tuple[_Source, _Source]]) -> None:
        """Swap (old, new) sources of some files (same file set) and forget cached ranks."""
        dirty: set[tuple[str, str]] = set()
        edges: dict[int, dict[int, float]] = {}
        for src, (old, new) in changes.items():
            i = self.index[src]
            for name, _, others in old.reaches:
                for dst in others:
                    del self._contributions[(dst, name)][i]
                    dirty.add((dst, name))
            self._add(i, new)
            dirty.update((dst, name) for name, _, others in new.reaches for dst in others)
            self.out[i] = new.out
            edges[i] = {self.index[dst]: w for dst, w in new.edges.items()}
        self.transitions.replace(edges)
        for key in dirty:
            self._share(key)
        self.ranks.clear()
        self._key_files = None
        self._vector = None

    def pagerank(self, personalization: dict[str, float]) -> list[float]:
        key = tuple(sorted(personalization.items()))
        found = self.ranks.get(key)
        if found is not None:
            self.ranks.move_to_end(key)
            return found
        ranks = self.transitions.run(personalization or None)
        self.ranks[key] = ranks
        if len(self.ranks) > _CACHED_RANKS:
            self.ranks.popitem(last=False)
        return ranks

    def definition_ranks(self, ranks: list[float]) -> tuple[list[tuple[str, str]], list[float]]:
        """Each file's rank shared among the definitions its references reach, by weight:
        the (file, name) keys and their values."""
        shares = self.shares
        if self.transitions.edge_count() >= pagerank.VECTOR_MIN_EDGES:
            if self._vector is None:  # the same floats, with numpy (pagerank.py)
                self._vector = pagerank.SparseRows(map(self._contributions.__getitem__, shares))
            return list(shares), pagerank.shared_ranks(self._vector, ranks, self.out)
        share = [r / out if out else 0.0 for r, out in zip(ranks, self.out, strict=True)]
        values = [sum(map(mul, get(share), weights)) for get, weights in shares.values()]
        return list(shares), values

    def key_files(self, keys: list[tuple[str, str]]) -> Getter:
        """Reads the ranks of the files defining `keys` (cached until `replace`)."""
        if self._key_files is None:
            self._key_files = _getter([self.index[dst] for dst, _ in keys]) if keys else _nothing
        return self._key_files


class _Lean(NamedTuple):
    """What ranking reads of a file: the names it defines (each once, in order), the
    names it references with counts, and where its imported names come from."""

    names: tuple[str, ...]
    references: Mapping[str, int]
    imports: Mapping[str, str]


def _lean(ft: FileTags) -> _Lean:
    return _Lean(
        tuple(dict.fromkeys(tag.name for tag in ft.definitions)), ft.references, ft.imports
    )


class ReferenceGraph:
    """Who defines and who references each name, per file set; updated file by file.

    The files' tags stay as given (a `LazyFiles` keeps them as the cache's bytes): the
    graph keeps what ranking reads of each (`_Lean`), and decodes a file's definitions
    when a ranking shows them (kept, so a tag is the same object in every ranking: the
    question's fusion matches tags by identity). On 20k files the decoded definitions,
    signatures and docs were the largest part of the graph's memory.

    Not thread-safe: the owner serializes `update` and `rank`.
    """

    def __init__(self, files: Mapping[str, FileTags]) -> None:
        if isinstance(files, LazyFiles):
            self._files = files.copy()
        else:
            self._files = LazyFiles(dict(files))
        self._lean: dict[str, _Lean] = {path: _lean(ft) for path, ft in self._files.items()}
        self._shown: dict[str, tuple[Tag, ...]] = {}  # definitions decoded, by path
        definers: defaultdict[str, list[str]] = defaultdict(list)
        for path, lean in self._lean.items():
            for name in lean.names:
                definers[name].append(path)
        # Who defines each name, sorted: the order of edges, and so every sum, is the same
        # however the graph got here. `_targets` are the definers a reference reaches.
        self._definers = {name: tuple(sorted(paths)) for name, paths in definers.items()}
        self._targets = {name: _reached(paths) for name, paths in self._definers.items()}
        self._base = {src: self._source(src, lean, frozenset()) for src, lean in self._lean.items()}
        self._variant: _Variant | None = None  # built on first use, then patched
        self._last: tuple[Hashable, list[tuple[float, Tag]]] | None = None  # last ranking

    @property
    def files(self) -> Mapping[str, FileTags]:
        """The files' tags, decoded on access and not kept (see `definitions`)."""
        return self._files

    def definitions(self, path: str) -> tuple[Tag, ...]:
        """A file's definitions, the same objects every time (until the file changes)."""
        found = self._shown.get(path)
        if found is None:
            found = self._shown[path] = self._files[path].definitions
        return found

    def usage(self) -> dict[str, float]:
        """`relevance.usage` of the files, from what the graph keeps."""
        from coda_ls.repomap.relevance import usage_of

        return usage_of((path, lean.names, lean.references) for path, lean in self._lean.items())

    def _referencing(self, names: Collection[str]) -> set[str]:
        """Files referencing any of `names`. A scan (2 ms on Django) rather than an index
        of every reference: that index cost more to build than all updates use it."""
        wanted = set(names)
        return {src for src, lean in self._lean.items() if not wanted.isdisjoint(lean.references)}

    def _source(self, src: str, lean: _Lean, boosted: Collection[str]) -> _Source:
        reaches: list[tuple[str, float, tuple[str, ...]]] = []
        edges: dict[str, float] = {}
        out = 0.0
        get_targets, sqrt, ident_weight = self._targets.get, math.sqrt, _ident_weight
        own = set(lean.names)
        imports = lean.imports
        for name, count in lean.references.items():
            targets = get_targets(name)
            if not targets:
                continue
            mentioned = name in boosted
            if len(targets) > MAX_DEFINERS and not mentioned:
                continue
            others = tuple(dst for dst in targets if dst != src)
            if not others:
                continue
            weight = ident_weight(name, len(targets), mentioned) * sqrt(count)
            module = imports.get(name)
            if module is not None:  # imported: the definers in that module, if any
                inside = tuple(dst for dst in others if module and module_matches(dst, module))
                if inside:
                    others = inside
                else:  # from an outside package, or re-exported from elsewhere
                    weight *= IMPORT_MISMATCH
            if name in own:
                # Its own definition is what the file most likely means: that vote stays
                # home (a self-loop; scaling the other edges alone would be undone by
                # PageRank's normalization), the other definers get LOCAL_FACTOR of it.
                edges[src] = edges.get(src, 0.0) + weight
                out += weight
                weight *= LOCAL_FACTOR
            for dst in others:
                edges[dst] = edges.get(dst, 0.0) + weight
            out += weight * len(others)
            reaches.append((name, weight, others))
        return _Source(tuple(reaches), edges, out) if reaches else _EMPTY

    def update(self, path: str, ft: FileTags | None) -> None:
        """Replace one file's tags (None: the file is gone), touching only what depends on
        it: the files referencing a name whose set of defining files changed."""
        self._last = None
        old = self._lean.get(path)
        new = _lean(ft) if ft is not None else None
        same_files = old is not None and new is not None
        old_names = set(old.names) if old else set()
        new_names = set(new.names) if new else set()
        self._shown.pop(path, None)
        if ft is not None and new is not None:
            self._files.put(path, ft)
            self._lean[path] = new
        else:
            self._files.pop(path)
            self._lean.pop(path, None)
            self._base.pop(path, None)
        dirty = {path} if ft is not None else set()
        retargeted: list[str] = []
        for name in old_names ^ new_names:
            definers = set(self._definers.get(name, ()))
            before = self._targets.get(name, ())
            if name in new_names:
                definers.add(path)
            else:
                definers.discard(path)
            if definers:
                self._definers[name] = tuple(sorted(definers))
                self._targets[name] = after = _reached(self._definers[name])
            else:
                self._definers.pop(name, None)
                self._targets.pop(name, None)
                after = ()
            # A name defined too widely is skipped either way (unless mentioned: variants
            # are rebuilt below), so its referrers' unboosted edges stay as they are.
            wide = len(before) > MAX_DEFINERS and len(after) > MAX_DEFINERS
            if before != after and not wide:
                retargeted.append(name)
        if retargeted:
            dirty |= self._referencing(retargeted)
        changes: dict[str, tuple[_Source, _Source]] = {}
        for src in dirty:
            found = self._lean.get(src)
            if found is not None:
                old_source = self._base.get(src, _EMPTY)
                self._base[src] = new_source = self._source(src, found, frozenset())
                if new_source != old_source:
                    changes[src] = (old_source, new_source)
        # The weighted graph is patched in place (an edit, then the next question) unless
        # the file set changed: node indexes would shift.
        if not same_files or len(changes) * 4 > len(self._files):
            self._variant = None  # rebuilding costs less than patching most files
        elif self._variant is not None and changes:
            self._variant.replace(changes)

    def _base_variant(self) -> _Variant:
        if self._variant is None:
            self._variant = _Variant(list(self._files), self._base)
        return self._variant

    def rank(
        self,
        focus_files: Collection[str] = (),
        mentioned_files: Collection[str] = (),
        mentioned_idents: Collection[str] = (),
        limit: int | None = None,
        related: Mapping[str, float] | None = None,
    ) -> list[tuple[float, Tag]]:
        """Every definition with its score, best first (the best `limit` if given).

        `related` adds personalization to files a question's words match (lexical)."""
        # An identifier nobody defines changes neither the graph nor any score.
        boosted = frozenset(name for name in mentioned_idents if name in self._targets)
        personalization: dict[str, float] = {}
        for path in self._files:
            boost = related.get(path, 0.0) if related else 0.0
            if path in focus_files:
                boost += FOCUS_WEIGHT
            if path in mentioned_files:
                boost += MENTION_WEIGHT
            if boost:
                personalization[path] = boost
        if not personalization:
            personalization = base_personalization(self._files)
        # Personalization says which files are focused: with the defined identifiers it
        # is all a ranking depends on (a question naming only unknown words reuses it).
        key = (boosted, tuple(personalization.items()), limit)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        result = self._rank(personalization, focus_files, boosted, limit)
        self._last = (key, result)
        return result

    def _rank(
        self,
        personalization: dict[str, float],
        focus_files: Collection[str],
        boosted: frozenset[str],
        limit: int | None,
    ) -> list[tuple[float, Tag]]:
        variant = self._base_variant()
        changes: dict[str, tuple[_Source, _Source]] = {}
        if boosted:  # mentioned names weigh more: the files referencing them change
            for src in self._referencing(boosted):
                old = self._base[src]
                new = self._source(src, self._lean[src], boosted)
                if new != old:
                    changes[src] = (old, new)
        if not changes:
            return self._rank_with(variant, personalization, focus_files, boosted, limit)
        if len(changes) * 4 > len(self._files):  # a name used everywhere: build afresh
            sources = {**self._base, **{src: new for src, (_, new) in changes.items()}}
            fresh = _Variant(list(self._files), sources)
            return self._rank_with(fresh, personalization, focus_files, boosted, limit)
        # Patch the unboosted graph for this question and restore it after: patching and
        # restoring give exactly the floats of a graph built either way (rows and sums
        # follow file order), at the cost of the files touched only.
        saved, variant.ranks = variant.ranks, OrderedDict()
        variant.replace(changes)
        try:
            return self._rank_with(variant, personalization, focus_files, boosted, limit)
        finally:
            variant.replace({src: (new, old) for src, (old, new) in changes.items()})
            variant.ranks = saved

    def _rank_with(
        self,
        variant: _Variant,
        personalization: dict[str, float],
        focus_files: Collection[str],
        boosted: frozenset[str],
        limit: int | None,
    ) -> list[tuple[float, Tag]]:
        ranks = variant.pagerank(personalization)
        keys, values = variant.definition_ranks(ranks)
        if limit is None:
            def_rank = dict(zip(keys, values, strict=True))
            return self._score_all(ranks, def_rank, focus_files, boosted)
        return self._score_top(limit, variant, ranks, keys, values, focus_files, boosted)

    def _score_all(
        self,
        ranks: list[float],
        def_rank: Mapping[tuple[str, str], float],
        focus_files: Collection[str],
        boosted: frozenset[str],
    ) -> list[tuple[float, Tag]]:
        get = def_rank.get
        scored: list[tuple[float, Tag]] = []
        for path, file_rank in zip(self._files, ranks, strict=True):
            base = file_rank * 0.01  # unreferenced symbols of important files next
            focused = path in focus_files
            for tag in self.definitions(path):
                reached = get((path, tag.name), 0.0)
                scored.append((_score(reached, base, tag.name in boosted, focused), tag))
        scored.sort(key=_order)
        return scored

    def _score_top(
        self,
        limit: int,
        variant: _Variant,
        ranks: list[float],
        keys: list[tuple[str, str]],
        values: list[float],
        focus_files: Collection[str],
        boosted: frozenset[str],
    ) -> list[tuple[float, Tag]]:
        """The best `limit` of what `_score_all` returns, with the same scores and order.

        Definitions that references reach (or the question names) are scored as keys,
        (file, name), in bulk; every other definition scores 0.0 + its file's rank * 0.01
        (halved if focused), so the best files give those in order. Only what can make the
        cut is turned into tags and sorted."""
        files, index, definitions = self._files, variant.index, self.definitions
        # def_rank + file rank * 0.01, the same float operations as `_score`.
        scores = list(map(add, values, map(mul, variant.key_files(keys)(ranks), repeat(0.01))))
        keys = list(keys)
        explicit = set(keys)
        for name in boosted:
            for path in self._definers[name]:
                if (path, name) not in explicit:
                    explicit.add((path, name))
                    keys.append((path, name))
                    scores.append(0.0)  # scored below
        if boosted or focus_files:
            for i, (path, name) in enumerate(keys):
                if name in boosted or path in focus_files:
                    scores[i] = _score(
                        values[i] if i < len(values) else 0.0,
                        ranks[index[path]] * 0.01,
                        name in boosted,
                        path in focus_files,
                    )
        heap = [(-(file_rank * 0.01), path) for path, file_rank in zip(files, ranks, strict=True)]
        for i, (negative, path) in enumerate(heap):
            if path in focus_files:
                heap[i] = (-_score(0.0, -negative, False, True), path)
        heapq.heapify(heap)
        rest: list[tuple[float, Tag]] = []
        while heap and len(rest) < limit:
            negative, path = heapq.heappop(heap)
            rest.extend(
                (-negative, tag) for tag in definitions(path) if (path, tag.name) not in explicit
            )
        # One score per key undercounts its tags: the cut can only be lower, never wrong.
        best = heapq.nlargest(limit, [*scores, *map(itemgetter(0), rest)])
        if not best:  # no definitions at all (a project of constants, or no source)
            return []
        cut = best[-1]
        candidates = [item for item in rest if item[0] >= cut]
        for key, score in zip(keys, scores, strict=True):
            if score >= cut:
                path, name = key
                candidates.extend((score, t) for t in definitions(path) if t.name == name)
        candidates.sort(key=_order)
        return candidates[:limit]


def base_personalization(files: Iterable[str]) -> dict[str, float]:
    """Where a walk restarts when nothing is focused: tests, examples and docs vote for
    what they use, but a test suite larger than the code must not outvote the code.
    (Scaling a file's edges would change nothing: PageRank divides by its out-weight.)"""
    out: dict[str, float] = {}
    for path in files:
        role = path_role(path)
        out[path] = ROLE_SOURCE_FACTOR[role] if role is not None else 1.0
    return out


def _reached(definers: tuple[str, ...]) -> tuple[str, ...]:
    """The definers a bare reference reaches: those in the project's code when it has any
    (the code does not call its tests' or examples' copies of a name), else all."""
    core = tuple(path for path in definers if path_role(path) is None)
    return core or definers


def _score(reached: float, base: float, boosted: bool, focused: bool) -> float:
    score = reached + base
    if boosted:
        score *= IDENT_BOOST
        score += 1.0
    if focused:
        score *= 0.5  # the user sees that file already; show what it uses
    return score


def _order(item: tuple[float, Tag]) -> tuple[float, str, int, str]:
    return -item[0], item[1].path, item[1].line, item[1].qualname


def rank_tags(
    files: Mapping[str, FileTags],
    focus_files: Collection[str] = (),
    mentioned_files: Collection[str] = (),
    mentioned_idents: Collection[str] = (),
) -> list[tuple[float, Tag]]:
    """Every definition with its score, best first. Paths are relative (as in `files`)."""
    return ReferenceGraph(files).rank(focus_files, mentioned_files, mentioned_idents)
