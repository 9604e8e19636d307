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
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping
from functools import lru_cache
from itertools import accumulate, pairwise, repeat
from operator import add, itemgetter, lshift, mul, sub
from typing import Any, NamedTuple, cast

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


_KEY = 32  # a definition's key: its file's id << _KEY | its name's id
_NAME = (1 << _KEY) - 1
# Keys changed in place are merged into the sharing step's flat arrays once they are more
# than 1/_MERGE_AT of all keys (0: never; tests run both ways).
_MERGE_AT = 8


def _nothing(values: list[float]) -> tuple[float, ...]:
    return ()


class _Source(NamedTuple):
    """One file's weighted references, flat: per reference that reaches other files, its
    name, weight and the other files defining it; the summed weight per target file (in
    the order first reached) and the total weight leaving the file. Ids, not strings, in
    two arrays (a few bytes per entry, not an object each: issue 16):

        ints   = [reaches, edges, names..., ends in `others`..., edge targets..., others...]
        floats = [out, weights..., edge weights...]
    """

    ints: array[int]
    floats: array[float]

    @property
    def out(self) -> float:
        return self.floats[0]

    def reaches(self) -> Iterator[tuple[int, float, array[int]]]:
        ints, floats = self.ints, self.floats
        count = ints[0]
        start = first = 2 + 2 * count + ints[1]
        for k in range(count):
            end = first + ints[2 + count + k]
            yield ints[2 + k], floats[1 + k], ints[start:end]
            start = end

    def edges(self) -> tuple[array[int], array[float]]:
        ints = self.ints
        count, edges = ints[0], ints[1]
        return ints[2 + 2 * count : 2 + 2 * count + edges], self.floats[1 + count :]


_EMPTY = _Source(array("i", (0, 0)), array("d", (0.0,)))


def _summary(lean: array[int]) -> tuple[array[int], array[int], array[int], array[int] | None]:
    """A file's lean record: [defined, referenced, imported?, defined name ids...,
    referenced name ids..., their counts..., their modules' ids (-1: not imported)...]."""
    defined, referenced = lean[0], lean[1]
    start = 3 + defined
    names = lean[3:start]
    refs = lean[start : start + referenced]
    counts = lean[start + referenced : start + 2 * referenced]
    modules = lean[start + 2 * referenced : start + 3 * referenced] if lean[2] else None
    return names, refs, counts, modules


class _Transitions:
    """A weighted graph prepared for PageRank: per node, the nodes linking to it (in
    index order) and their normalized edge weights, as two arrays per node. Replacing
    one node's out-edges touches only the rows it links to; rows list their sources in
    index order either way, so an updated graph sums exactly as a fresh one.

    A run takes the rows in the form it needs, made on first use and kept until the next
    `replace`: one C-level itemgetter per row for the loop (small graphs), compressed
    rows for numpy (big graphs: pagerank.py)."""

    def __init__(
        self, names: list[str], out_edges: Iterable[tuple[Iterable[int], array[float]]]
    ) -> None:
        self.names = names
        n = len(names)
        # One int object per node, shared by every getter made of node indexes (an int
        # per edge was 28 bytes of the graph's memory each).
        self.ints = list(range(n))
        self._out_sum = array("d", bytes(8 * n))
        self._srcs: dict[int, array[int]] = {}  # row -> its sources, ascending
        self._weights: dict[int, array[float]] = {}  # row -> their normalized weights
        self._edges = 0
        for i, (dsts, weights) in enumerate(out_edges):
            self._link(i, dsts, weights)
        self.dangling = [i for i, total in enumerate(self._out_sum) if total == 0]
        self._rows: list[tuple[int, Getter, array[float]]] | None = None  # the loop's form
        self._vector: IncomingRows | None = None  # numpy's form

    @classmethod
    def of(cls, names: list[str], edges: Iterable[tuple[str, str, float]]) -> _Transitions:
        """From (source name, target name, weight) edges, each node's in the order given."""
        index = {name: i for i, name in enumerate(names)}
        out: list[dict[int, float]] = [{} for _ in names]
        for src, dst, weight in edges:
            out[index[src]][index[dst]] = weight
        return cls(names, ((list(o), array("d", o.values())) for o in out))

    def edge_count(self) -> int:
        return self._edges

    def _getter(self, srcs: array[int]) -> Getter:
        if len(srcs) > 1:
            ints = self.ints
            return itemgetter(*[ints[i] for i in srcs])
        return itemgetter(slice(srcs[0], srcs[0] + 1))

    def _link(self, i: int, dsts: Iterable[int], weights: array[float]) -> None:
        total = 0.0
        for weight in weights:
            total += weight
        self._out_sum[i] = total
        self._edges += len(weights)
        all_srcs, all_weights = self._srcs, self._weights
        for j, weight in zip(dsts, weights, strict=True):
            srcs = all_srcs.get(j)
            if srcs is None:
                all_srcs[j] = array("i", (i,))
                all_weights[j] = array("d", (weight / total,))
            elif not srcs or srcs[-1] < i:
                srcs.append(i)
                all_weights[j].append(weight / total)
            else:
                k = bisect_left(srcs, i)
                srcs.insert(k, i)
                all_weights[j].insert(k, weight / total)

    def replace(
        self, changes: Mapping[int, tuple[Iterable[int], Iterable[int], array[float]]]
    ) -> None:
        """New out-edges for some nodes: {node: (old targets, new targets, new weights)}."""
        dirty: set[int] = set()
        for i, (old, dsts, weights) in changes.items():
            for j in old:
                srcs = self._srcs[j]
                k = bisect_left(srcs, i)
                del srcs[k]
                del self._weights[j][k]
                self._edges -= 1
                dirty.add(j)
            self._link(i, dsts, weights)
        for j in dirty:
            if not self._srcs[j]:
                del self._srcs[j], self._weights[j]
        self.dangling = [i for i, total in enumerate(self._out_sum) if total == 0]
        self._rows = None
        self._vector = None

    def _loop_rows(self) -> list[tuple[int, Getter, array[float]]]:
        if self._rows is None:
            weights = self._weights
            self._rows = [(j, self._getter(srcs), weights[j]) for j, srcs in self._srcs.items()]
        return self._rows

    def _incoming_rows(self) -> IncomingRows:
        """The rows compressed for numpy (row order, sources ascending in each)."""
        if self._vector is None:
            import numpy as np

            n = len(self.names)
            columns, weights, sizes = array("i"), array("d"), array("i", bytes(4 * n))
            for j in sorted(self._srcs):
                srcs = self._srcs[j]
                columns += srcs
                weights += self._weights[j]
                sizes[j] = len(srcs)
            matrix = pagerank.SparseRows.compressed(
                np.frombuffer(columns, dtype=np.int32).astype(np.intp),  # gathers faster
                np.frombuffer(weights, dtype=np.float64),
                np.frombuffer(sizes, dtype=np.int32),
            )
            self._vector = pagerank.IncomingRows.of(n, matrix, self.dangling)
        return self._vector

    def run(
        self,
        personalization: Mapping[str, float] | None,
        alpha: float = 0.85,
        max_iter: int = 100,
        tol: float = 1e-6,
    ) -> list[float]:
        """PageRank per node (in `names` order) by power iteration: networkx's `pagerank`
        (same damping, dangling-node handling and stopping rule, same numbers), without
        scipy. networkx >= 3 falls back to pure Python without it, and that took 0.43 s on
        Django's graph (2.8k nodes, 41k edges); this pull-based loop, where each node's
        sum runs in C (itemgetter + map), takes 0.03 s; numpy's form (big graphs) gives
        the same numbers faster still."""
        names, n = self.names, len(self.names)
        if n == 0:
            return []
        total = sum(personalization.values()) if personalization else 0.0
        if personalization and total > 0:
            p = [personalization.get(name, 0.0) / total for name in names]
        else:
            p = [1.0 / n] * n
        if self._edges >= pagerank.VECTOR_MIN_EDGES:
            # The same numbers, bit for bit, ~20x faster on big graphs (pagerank.py).
            got = self._incoming_rows().run(p, alpha, max_iter, tol)
            if got is not None:
                return got
            log.warning("repo map: PageRank did not converge; ranking by references only")
            return [1.0 / n] * n
        teleport = [(1 - alpha) * v for v in p]
        rows = self._loop_rows()
        # The same sums in the same order as the plain loops, run by C iterators.
        dangling: Getter = _getter(self.dangling) if self.dangling else _nothing
        x = [1.0 / n] * n
        for _ in range(max_iter):
            last = x
            dangling_sum = alpha * sum(dangling(last))
            x = list(map(add, map(mul, repeat(dangling_sum), p), teleport))
            for node, get, weights in rows:
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
    prepared = _Transitions.of(names, ((s, d, w) for (s, d), w in edges.items()))
    return dict(zip(names, prepared.run(personalization), strict=True))


class _Shares:
    """The sharing step as a sparse matrix: definition key -> the nodes whose references
    reach it (ascending) and their weights. Compressed rows: keys sorted, each key's
    entries at `starts[k]:starts[k + 1]` of two flat arrays (12 bytes per entry and per
    key; a pair of arrays per key was 200 bytes more, issue 16). Keys changed in place
    since (an edit, a question's identifiers) are held apart in `changed` until they are
    many, then merged."""

    def __init__(self, keys: array[int], nodes: array[int], weights: array[float]) -> None:
        """From (key, node, weight) entries listed in node order."""
        self._merge(keys, nodes, weights)

    def _merge(self, keys: array[int], nodes: array[int], weights: array[float]) -> None:
        self.changed: dict[int, tuple[array[int], array[float]]] = {}
        self._vector: SparseRows | None = None  # numpy's view of the arrays
        if len(keys) >= pagerank.VECTOR_MIN_EDGES:  # numpy is used (and loaded) anyway
            self._sort(keys, nodes, weights)
            return
        counts = Counter(keys)
        order = sorted(counts)
        self.keys = array("q", order)
        self.starts = starts = array("i", (0,))
        starts.extend(accumulate(map(counts.__getitem__, order)))
        slot = {key: k for k, key in enumerate(order)}
        fill = starts[:-1]
        self.nodes = placed_nodes = array("i", bytes(4 * len(keys)))
        self.weights = placed_weights = array("d", bytes(8 * len(keys)))
        # Entries come in node order: placed in that order, each key's stay ascending.
        for key, node, weight in zip(keys, nodes, weights, strict=True):
            k = slot[key]
            at = fill[k]
            fill[k] = at + 1
            placed_nodes[at] = node
            placed_weights[at] = weight

    def _sort(self, keys: array[int], nodes: array[int], weights: array[float]) -> None:
        """`_merge` by numpy's stable sort: the same arrays, ~10x faster on big graphs."""
        import numpy as np

        by_key = np.frombuffer(keys, dtype=np.int64)
        order = np.argsort(by_key, kind="stable")  # a key's entries stay in node order
        unique, counts = np.unique(by_key[order], return_counts=True)
        self.keys = array("q", unique.tobytes())
        self.starts = array("i", (0,))
        self.starts.frombytes(np.cumsum(counts, dtype=np.int32).tobytes())
        self.nodes = array("i", np.frombuffer(nodes, dtype=np.int32)[order].tobytes())
        self.weights = array("d", np.frombuffer(weights, dtype=np.float64)[order].tobytes())

    def _slot(self, key: int) -> int | None:
        keys = self.keys
        k = bisect_left(keys, key)
        return k if k < len(keys) and keys[k] == key else None

    def _entry(self, key: int) -> tuple[array[int], array[float]]:
        found = self.changed.get(key)
        if found is None:
            k = self._slot(key)
            if k is None:
                found = (array("i"), array("d"))
            else:
                start, end = self.starts[k], self.starts[k + 1]
                found = (self.nodes[start:end], self.weights[start:end])
            self.changed[key] = found
        return found

    def add(self, i: int, source: _Source) -> None:
        for name, weight, others in source.reaches():
            for dst in others:
                nodes, weights = self._entry(dst << _KEY | name)
                k = bisect_left(nodes, i)
                nodes.insert(k, i)
                weights.insert(k, weight)

    def remove(self, i: int, source: _Source) -> None:
        for name, _, others in source.reaches():
            for dst in others:
                nodes, weights = self._entry(dst << _KEY | name)
                k = bisect_left(nodes, i)
                del nodes[k], weights[k]

    def settle(self) -> None:
        """Merge the changed keys once they are a good part of the matrix."""
        if len(self.changed) * _MERGE_AT <= len(self.keys):
            return
        keys, nodes, weights = array("q"), array("i"), array("d")
        changed, starts = self.changed, self.starts
        merged = sorted({*self.keys, *changed})
        for key in merged:
            found = changed.get(key)
            if found is None:
                k = self._slot(key)
                assert k is not None
                found = (
                    self.nodes[starts[k] : starts[k + 1]],
                    self.weights[starts[k] : starts[k + 1]],
                )
            keys.extend(repeat(key, len(found[0])))
            nodes += found[0]
            weights += found[1]
        # Listed by key, not by node: placed in order per key all the same.
        self._merge(keys, nodes, weights)

    def values(
        self, ranks: list[float], out: array[float], vector: bool
    ) -> tuple[list[int], list[float], int]:
        """Every key reached, and its value: the sum over its entries of the node's rank /
        out-weight (0.0 without any) times the entry's weight, in node order from 0 (the
        same floats however the entries got here). `vector`: with numpy (pagerank.py).
        Also how many keys come first in ascending order (the rest: new since a merge)."""
        share: list[float] = []
        if not vector or self.changed:
            share = [r / total if total else 0.0 for r, total in zip(ranks, out, strict=True)]
        values: list[float | None]
        if vector:
            values = list(pagerank.shared_ranks(self._matrix(), ranks, out))
        else:
            get = share.__getitem__
            nodes, weights = self.nodes, self.weights
            values = [
                sum(map(mul, map(get, nodes[a:b]), weights[a:b])) for a, b in pairwise(self.starts)
            ]
        keys = self.keys.tolist()
        ordered = len(keys)
        if self.changed:
            get = share.__getitem__
            for key, (found, found_weights) in self.changed.items():
                value = sum(map(mul, map(get, found), found_weights)) if found else None
                k = self._slot(key)
                if k is not None:
                    values[k] = value  # None: no longer reached
                elif value is not None:
                    keys.append(key)
                    values.append(value)
            if None in values:
                ordered -= values[:ordered].count(None)
                kept = [(key, v) for key, v in zip(keys, values, strict=True) if v is not None]
                return [key for key, _ in kept], [v for _, v in kept], ordered
        return keys, cast("list[float]", values), ordered  # no None left

    def _matrix(self) -> SparseRows:
        if self._vector is None:
            import numpy as np

            starts = np.frombuffer(self.starts, dtype=np.int32)
            self._vector = pagerank.SparseRows.compressed(
                np.frombuffer(self.nodes, dtype=np.int32),  # views: no copy
                np.frombuffer(self.weights, dtype=np.float64),
                np.diff(starts),
            )
        return self._vector


class _Variant:
    """The graph weighted for one set of mentioned identifiers: PageRank's transitions and
    the sharing step as a sparse matrix, definition key -> (files reaching it, ascending;
    their weights); both can take new sources for some files in place. Nodes are the
    files in the file set's order (the order every sum runs in); `pos` maps a file's id
    to its node."""

    def __init__(
        self, names: list[str], ids: list[int], sources: Mapping[int, _Source], size: int
    ) -> None:
        self.pos = pos = array("i", [-1]) * size
        for i, fid in enumerate(ids):
            pos[fid] = i
        self.transitions = _Transitions(names, self._edges(sources[fid] for fid in ids))
        self.out = array("d", [sources[fid].out for fid in ids])
        keys, nodes, weights = array("q"), array("i"), array("d")
        for i, fid in enumerate(ids):
            for name, weight, others in sources[fid].reaches():
                keys.extend(map(name.__or__, map(lshift, others, repeat(_KEY))))
                nodes.extend(repeat(i, len(others)))
                weights.extend(repeat(weight, len(others)))
        self.shares = _Shares(keys, nodes, weights)
        self.ranks: OrderedDict[tuple[tuple[str, float], ...], list[float]] = OrderedDict()
        self._key_files: Getter | None = None

    def _edges(self, sources: Iterable[_Source]) -> Iterator[tuple[list[int], array[float]]]:
        pos = self.pos
        for source in sources:
            dsts, weights = source.edges()
            yield [pos[dst] for dst in dsts], weights

    def replace(self, changes: Mapping[int, tuple[_Source, _Source]]) -> None:
        """Swap (old, new) sources of some files by id (same file set) and forget cached
        ranks."""
        pos, shares = self.pos, self.shares
        edges: dict[int, tuple[list[int], list[int], array[float]]] = {}
        for fid, (old, new) in changes.items():
            i = pos[fid]
            shares.remove(i, old)
            shares.add(i, new)
            self.out[i] = new.out
            dsts, weights = new.edges()
            edges[i] = ([pos[d] for d in old.edges()[0]], [pos[d] for d in dsts], weights)
        self.transitions.replace(edges)
        shares.settle()
        self.ranks.clear()
        self._key_files = None

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

    def definition_ranks(self, ranks: list[float]) -> tuple[list[int], list[float], int]:
        """Each file's rank shared among the definitions its references reach, by weight:
        the definitions' keys, their values, and how many keys come first in ascending
        order."""
        vector = self.transitions.edge_count() >= pagerank.VECTOR_MIN_EDGES
        return self.shares.values(ranks, self.out, vector)

    def key_files(self, keys: list[int]) -> Getter:
        """Reads the ranks of the files defining `keys` (cached until `replace`)."""
        if self._key_files is None:
            pos, ints = self.pos, self.transitions.ints
            files = [ints[pos[key >> _KEY]] for key in keys]
            self._key_files = _getter(files) if keys else _nothing
        return self._key_files


class ReferenceGraph:
    """Who defines and who references each name, per file set; updated file by file.

    The files' tags stay as given (a `LazyFiles` keeps them as the cache's bytes): the
    graph keeps what ranking reads of each, as ids in arrays (file paths and names are
    interned once: a path or name string, a dict or a float object per reference was
    most of a 20k-file graph's memory, issue 16), and decodes a file's definitions when a
    ranking shows them (kept, so a tag is the same object in every ranking: the
    question's fusion matches tags by identity).

    Not thread-safe: the owner serializes `update` and `rank`.
    """

    def __init__(self, files: Mapping[str, FileTags]) -> None:
        if isinstance(files, LazyFiles):
            self._files = files.copy()
        else:
            self._files = LazyFiles(dict(files))
        self._fid: dict[str, int] = {}  # file path -> id (kept when the file goes)
        self._paths: list[str] = []  # id -> path
        self._core = bytearray()  # id -> 1 when the file is the project's code (no role)
        self._nid: dict[str, int] = {}  # name -> id
        self._names: list[str] = []  # id -> name
        self._mid: dict[str, int] = {}  # module path (of an import) -> id
        self._modules: list[str] = []
        self._lean: dict[int, array[int]] = {}  # file id -> what ranking reads (_summary)
        for path in self._files:
            self._lean[self._file_id(path)] = self._summarize(*self._files.summary(path))
        self._shown: dict[str, tuple[Tag, ...]] = {}  # definitions decoded, by path
        definers: defaultdict[int, list[int]] = defaultdict(list)
        for fid, lean in self._lean.items():
            for name in lean[3 : 3 + lean[0]]:
                definers[name].append(fid)
        # Who defines each name, sorted by path: the order of edges, and so every sum, is
        # the same however the graph got here. `_targets` are the definers a reference
        # reaches.
        by_path = self._paths.__getitem__
        self._definers = {name: tuple(sorted(ids, key=by_path)) for name, ids in definers.items()}
        self._targets = {name: self._reached(ids) for name, ids in self._definers.items()}
        self._base = {fid: self._source(fid, lean, frozenset()) for fid, lean in self._lean.items()}
        # Its memo helped while every file was weighed (names repeat across files); the
        # graph keeps the weights, and the memo's entries are 5 MB on 20k files.
        _ident_weight.cache_clear()
        self._variant: _Variant | None = None  # built on first use, then patched
        self._last: tuple[Hashable, list[tuple[float, Tag]]] | None = None  # last ranking

    def _file_id(self, path: str) -> int:
        found = self._fid.get(path)
        if found is None:
            found = self._fid[path] = len(self._paths)
            self._paths.append(path)
            self._core.append(path_role(path) is None)
        return found

    def _summarize(
        self, names: Iterable[str], references: Mapping[str, int], imports: Mapping[str, str]
    ) -> array[int]:
        nid, known = self._nid, self._names

        def intern(name: str) -> int:
            found = nid.get(name)
            if found is None:
                found = nid[name] = len(known)
                known.append(name)
            return found

        defined = [intern(name) for name in dict.fromkeys(names)]
        lean = array("i", (len(defined), len(references), bool(imports)))
        lean.extend(defined)
        lean.extend(map(intern, references))
        lean.extend(references.values())
        if imports:
            mid, modules = self._mid, self._modules
            for name in references:
                module = imports.get(name)
                if module is None:
                    lean.append(-1)
                    continue
                found = mid.get(module)
                if found is None:
                    found = mid[module] = len(modules)
                    modules.append(module)
                lean.append(found)
        return lean

    def _reached(self, definers: tuple[int, ...]) -> tuple[int, ...]:
        """`_reached` of file ids (the definers themselves when all are code)."""
        core = self._core
        found = tuple(fid for fid in definers if core[fid])
        return definers if len(found) == len(definers) else found or definers

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

        paths, names = self._paths, self._names

        def named(fid: int, lean: array[int]) -> tuple[str, list[str], list[str]]:
            defined, refs, _, _ = _summary(lean)
            return paths[fid], [names[i] for i in defined], [names[i] for i in refs]

        return usage_of(named(fid, lean) for fid, lean in self._lean.items())

    def _referencing(self, names: Collection[int]) -> set[int]:
        """Files referencing any of `names`. A scan (2 ms on Django) rather than an index
        of every reference: that index cost more to build than all updates use it."""
        wanted = set(names)
        found: set[int] = set()
        for src, lean in self._lean.items():
            start = 3 + lean[0]
            if not wanted.isdisjoint(lean[start : start + lean[1]]):
                found.add(src)
        return found

    def _source(self, src: int, lean: array[int], boosted: Collection[int]) -> _Source:
        _, refs, counts, modules = _summary(lean)
        own = set(lean[3 : 3 + lean[0]])
        reach_names = array("i")
        reach_weights = array("d")
        ends = array("i")
        reached = array("i")
        edges: dict[int, float] = {}
        out = 0.0
        get_targets, sqrt, ident_weight = self._targets.get, math.sqrt, _ident_weight
        names, paths, module_paths = self._names, self._paths, self._modules
        for k, name in enumerate(refs):
            targets = get_targets(name)
            if not targets:
                continue
            mentioned = name in boosted
            if len(targets) > MAX_DEFINERS and not mentioned:
                continue
            others = tuple(dst for dst in targets if dst != src)
            if not others:
                continue
            weight = ident_weight(names[name], len(targets), mentioned) * sqrt(counts[k])
            if modules is not None and modules[k] >= 0:
                # Imported: the definers in that module, if any.
                module = module_paths[modules[k]]
                inside = tuple(
                    dst for dst in others if module and module_matches(paths[dst], module)
                )
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
            reach_names.append(name)
            reach_weights.append(weight)
            reached.extend(others)
            ends.append(len(reached))
        if not reach_names:
            return _EMPTY
        ints = array("i", (len(reach_names), len(edges)))
        ints += reach_names
        ints += ends
        ints.extend(edges)
        ints += reached
        floats = array("d", (out,))
        floats += reach_weights
        floats.extend(edges.values())
        return _Source(ints, floats)

    def update(self, path: str, ft: FileTags | None) -> None:
        """Replace one file's tags (None: the file is gone), touching only what depends on
        it: the files referencing a name whose set of defining files changed."""
        self._last = None
        fid = self._file_id(path)
        old = self._lean.get(fid)
        new = self._summarize(*_tag_summary(ft)) if ft is not None else None
        same_files = old is not None and new is not None
        old_names = set(old[3 : 3 + old[0]]) if old else set()
        new_names = set(new[3 : 3 + new[0]]) if new else set()
        self._shown.pop(path, None)
        if ft is not None and new is not None:
            self._files.put(path, ft)
            self._lean[fid] = new
        else:
            self._files.pop(path)
            self._lean.pop(fid, None)
            self._base.pop(fid, None)
        dirty = {fid} if ft is not None else set()
        retargeted: list[int] = []
        by_path = self._paths.__getitem__
        for name in old_names ^ new_names:
            definers = set(self._definers.get(name, ()))
            before = self._targets.get(name, ())
            if name in new_names:
                definers.add(fid)
            else:
                definers.discard(fid)
            if definers:
                self._definers[name] = tuple(sorted(definers, key=by_path))
                self._targets[name] = after = self._reached(self._definers[name])
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
        changes: dict[int, tuple[_Source, _Source]] = {}
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

    def _new_variant(self, sources: Mapping[int, _Source]) -> _Variant:
        names = list(self._files)
        fid = self._fid
        return _Variant(names, [fid[path] for path in names], sources, len(self._paths))

    def _base_variant(self) -> _Variant:
        if self._variant is None:
            self._variant = self._new_variant(self._base)
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
        nid, targets = self._nid, self._targets
        boosted = frozenset(
            name for name in mentioned_idents if name in nid and nid[name] in targets
        )
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
        ids = frozenset(self._nid[name] for name in boosted)
        changes: dict[int, tuple[_Source, _Source]] = {}
        if ids:  # mentioned names weigh more: the files referencing them change
            for src in self._referencing(ids):
                old = self._base[src]
                new = self._source(src, self._lean[src], ids)
                if new != old:
                    changes[src] = (old, new)
        if not changes:
            return self._rank_with(variant, personalization, focus_files, boosted, limit)
        if len(changes) * 4 > len(self._files):  # a name used everywhere: build afresh
            sources = {**self._base, **{src: new for src, (_, new) in changes.items()}}
            fresh = self._new_variant(sources)
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
        keys, values, ordered = variant.definition_ranks(ranks)
        if limit is None:
            def_rank = dict(zip(keys, values, strict=True))
            return self._score_all(ranks, def_rank, focus_files, boosted)
        return self._score_top(limit, variant, ranks, (keys, values, ordered), focus_files, boosted)

    def _score_all(
        self,
        ranks: list[float],
        def_rank: Mapping[int, float],
        focus_files: Collection[str],
        boosted: frozenset[str],
    ) -> list[tuple[float, Tag]]:
        get, fid, nid = def_rank.get, self._fid, self._nid
        scored: list[tuple[float, Tag]] = []
        for path, file_rank in zip(self._files, ranks, strict=True):
            base = file_rank * 0.01  # unreferenced symbols of important files next
            focused = path in focus_files
            high = fid[path] << _KEY
            for tag in self.definitions(path):
                reached = get(high | nid[tag.name], 0.0)
                scored.append((_score(reached, base, tag.name in boosted, focused), tag))
        scored.sort(key=_order)
        return scored

    def _score_top(
        self,
        limit: int,
        variant: _Variant,
        ranks: list[float],
        reached: tuple[list[int], list[float], int],
        focus_files: Collection[str],
        boosted: frozenset[str],
    ) -> list[tuple[float, Tag]]:
        """The best `limit` of what `_score_all` returns, with the same scores and order.

        Definitions that references reach (or the question names) are scored as keys,
        (file, name), in bulk; every other definition scores 0.0 + its file's rank * 0.01
        (halved if focused), so the best files give those in order. Only what can make the
        cut is turned into tags and sorted."""
        keys, values, ordered = reached
        files, pos, definitions = self._files, variant.pos, self.definitions
        fid, nid, paths, names = self._fid, self._nid, self._paths, self._names
        # def_rank + file rank * 0.01, the same float operations as `_score`.
        scores = list(map(add, values, map(mul, variant.key_files(keys)(ranks), repeat(0.01))))
        keys = list(keys)
        explicit = set(keys)
        boosted_ids = frozenset(nid[name] for name in boosted)
        for name in boosted_ids:
            for dst in self._definers[name]:
                key = dst << _KEY | name
                if key not in explicit:
                    explicit.add(key)
                    keys.append(key)
                    scores.append(0.0)  # scored below
        if boosted or focus_files:
            focused = {fid[path] for path in focus_files if path in fid}
            if boosted_ids:
                touched: Iterable[int] = range(len(keys))
            else:  # a focused file's keys: a range of the ascending ones, and new ones
                touched = [i for i in range(ordered, len(keys)) if keys[i] >> _KEY in focused]
                for dst in focused:
                    start = bisect_left(keys, dst << _KEY, 0, ordered)
                    touched += range(start, bisect_left(keys, (dst + 1) << _KEY, start, ordered))
            for i in touched:
                key = keys[i]
                dst, name = key >> _KEY, key & _NAME
                if name in boosted_ids or dst in focused:
                    scores[i] = _score(
                        values[i] if i < len(values) else 0.0,
                        ranks[pos[dst]] * 0.01,
                        name in boosted_ids,
                        dst in focused,
                    )
        heap = [(-(file_rank * 0.01), path) for path, file_rank in zip(files, ranks, strict=True)]
        for i, (negative, path) in enumerate(heap):
            if path in focus_files:
                heap[i] = (-_score(0.0, -negative, False, True), path)
        heapq.heapify(heap)
        rest: list[tuple[float, Tag]] = []
        while heap and len(rest) < limit:
            negative, path = heapq.heappop(heap)
            high = fid[path] << _KEY
            rest.extend(
                (-negative, tag)
                for tag in definitions(path)
                if high | nid[tag.name] not in explicit
            )
        # One score per key undercounts its tags: the cut can only be lower, never wrong.
        best = heapq.nlargest(limit, [*scores, *map(itemgetter(0), rest)])
        if not best:  # no definitions at all (a project of constants, or no source)
            return []
        cut = best[-1]
        candidates = [item for item in rest if item[0] >= cut]
        for key, score in zip(keys, scores, strict=True):
            if score >= cut:
                path, named = paths[key >> _KEY], names[key & _NAME]
                candidates.extend((score, t) for t in definitions(path) if t.name == named)
        candidates.sort(key=_order)
        return candidates[:limit]


def _tag_summary(ft: FileTags) -> tuple[list[str], Mapping[str, int], Mapping[str, str]]:
    return [tag.name for tag in ft.definitions], ft.references, ft.imports


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
