"""The weighted reference graph, in ids and arrays: each file's weighted references
(`Source`), PageRank's transitions (`Transitions`), the sharing step that spreads a
file's rank over the definitions its references reach (`Shares`), and the two together
for one set of boosted names (`Variant`), all updatable in place with the same floats as
a fresh build. rank.py builds them from the files' tags and scores definitions.

Paths and names are int ids (rank.py interns them); a definition's key is its file's id
<< KEY | its name's id. A string, a dict or a float object per entry was most of a
20k-file graph's memory (issue 16): here an entry is a few bytes of an array.
"""

from __future__ import annotations

import logging
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import accumulate, pairwise, repeat
from operator import add, itemgetter, lshift, mul, sub
from typing import Any, NamedTuple, cast

from coda_ls.repomap import pagerank
from coda_ls.repomap.flat import array_of, split_array
from coda_ls.repomap.pagerank import IncomingRows, SparseRows

log = logging.getLogger(__name__)

CACHED_RANKS = 16  # PageRank results kept, per (identifiers, personalization)

Getter = Callable[[list[float]], Any]


def getter(indexes: list[int]) -> Getter:
    # itemgetter of one index returns the item, not a 1-tuple: take a slice instead.
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return itemgetter(slice(indexes[0], indexes[0] + 1))


KEY = 32  # a definition's key: its file's id << KEY | its name's id
NAME = (1 << KEY) - 1
# Keys changed in place are merged into the sharing step's flat arrays once they are more
# than 1/MERGE_AT of all keys (0: never; tests run both ways).
MERGE_AT = 8


def nothing(values: list[float]) -> tuple[float, ...]:
    return ()


class Source(NamedTuple):
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


EMPTY = Source(array("i", (0, 0)), array("d", (0.0,)))


class Transitions:
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
        self.dangling = self._dangling()
        self._rows: list[tuple[int, Getter, array[float]]] | None = None  # the loop's form
        self._vector: IncomingRows | None = None  # numpy's form

    def _dangling(self) -> list[int]:
        """The nodes with no out-edges."""
        return [i for i, total in enumerate(self._out_sum) if total == 0]

    def parts(self) -> list[object]:
        """The rows as flat bytes, in row order (for `restored`; see snapshot.py)."""
        rows = list(self._srcs)
        return [
            self._out_sum.tobytes(),
            self._edges,
            array("i", rows).tobytes(),
            array("i", [len(self._srcs[j]) for j in rows]).tobytes(),
            b"".join([self._srcs[j].tobytes() for j in rows]),
            b"".join([self._weights[j].tobytes() for j in rows]),
        ]

    @classmethod
    def restored(cls, names: list[str], parts: list[Any]) -> Transitions:
        """The transitions `parts` describes, as they were (no weights recomputed)."""
        out_sum, edges, rows, sizes, srcs, weights = parts
        self = cls.__new__(cls)
        self.names = names
        n = len(names)
        self.ints = list(range(n))
        self._out_sum = array_of("d", out_sum)
        if len(self._out_sum) != n:
            raise ValueError("transitions of another file set")
        self._srcs, self._weights = {}, {}
        src_rows, weight_rows = split_array("i", srcs, sizes), split_array("d", weights, sizes)
        for j, found, found_weights in zip(array_of("i", rows), src_rows, weight_rows, strict=True):
            self._srcs[j] = found
            self._weights[j] = found_weights
        self._edges = edges
        self.dangling = self._dangling()
        self._rows = None
        self._vector = None
        return self

    @classmethod
    def of(cls, names: list[str], edges: Iterable[tuple[str, str, float]]) -> Transitions:
        """From (source name, target name, weight) edges, each node's in the order given."""
        index = {name: i for i, name in enumerate(names)}
        out: list[dict[int, float]] = [{} for _ in names]
        for src, dst, weight in edges:
            out[index[src]][index[dst]] = weight
        return cls(names, ((list(o), array("d", o.values())) for o in out))

    def edge_count(self) -> int:
        return self._edges

    def getter(self, srcs: array[int]) -> Getter:
        """`getter` of the shared int objects (not one int per edge)."""
        ints = self.ints
        return getter([ints[i] for i in srcs])

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
        self.dangling = self._dangling()
        self._rows = None
        self._vector = None

    def prepare(self) -> None:
        """Make numpy's form of the rows now (see `Variant.prepare`)."""
        self._incoming_rows()

    def _loop_rows(self) -> list[tuple[int, Getter, array[float]]]:
        if self._rows is None:
            weights = self._weights
            self._rows = [(j, self.getter(srcs), weights[j]) for j, srcs in self._srcs.items()]
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
            matrix = pagerank.SparseRows(
                np.frombuffer(columns, dtype=np.int32).astype(np.intp),  # gathers faster
                np.frombuffer(weights, dtype=np.float64),
                np.frombuffer(sizes, dtype=np.int32),
            )
            self._vector = pagerank.IncomingRows(n, matrix, self.dangling)
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
        dangling: Getter = getter(self.dangling) if self.dangling else nothing
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


def pagerank_of(
    nodes: Iterable[str],
    edges: Mapping[tuple[str, str], float],
    personalization: dict[str, float] | None,
) -> dict[str, float]:
    """PageRank of a graph given as {(src, dst): weight} (see `Transitions.run`)."""
    names = list(dict.fromkeys(nodes))
    prepared = Transitions.of(names, ((s, d, w) for (s, d), w in edges.items()))
    return dict(zip(names, prepared.run(personalization), strict=True))


class Shares:
    """The sharing step as a sparse matrix: definition key -> the nodes whose references
    reach it (ascending) and their weights. Compressed rows: keys sorted, each key's
    entries at `starts[k]:starts[k + 1]` of two flat arrays (12 bytes per entry and per
    key; a pair of arrays per key was 200 bytes more, issue 16). Keys changed in place
    since (an edit, a question's identifiers) are held apart in `changed` until they are
    many, then merged."""

    def __init__(self, keys: array[int], nodes: array[int], weights: array[float]) -> None:
        """From (key, node, weight) entries listed in node order."""
        self._merge(keys, nodes, weights)

    def parts(self) -> list[bytes] | None:
        """The matrix as bytes (for `restored`), or None while keys changed in place are
        held apart (a snapshot is of a merged matrix only)."""
        if self.changed:
            return None
        return [a.tobytes() for a in (self.keys, self.starts, self.nodes, self.weights)]

    @classmethod
    def restored(cls, parts: list[bytes]) -> Shares:
        keys, starts, nodes, weights = parts
        self = cls.__new__(cls)
        self.changed = {}
        self._vector = None
        self.keys, self.starts = array_of("q", keys), array_of("i", starts)
        self.nodes, self.weights = array_of("i", nodes), array_of("d", weights)
        if len(self.starts) != len(self.keys) + 1 or len(self.nodes) != len(self.weights):
            raise ValueError("a damaged sharing matrix")
        return self

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

    def add(self, i: int, source: Source) -> None:
        for name, weight, others in source.reaches():
            for dst in others:
                nodes, weights = self._entry(dst << KEY | name)
                k = bisect_left(nodes, i)
                nodes.insert(k, i)
                weights.insert(k, weight)

    def remove(self, i: int, source: Source) -> None:
        for name, _, others in source.reaches():
            for dst in others:
                nodes, weights = self._entry(dst << KEY | name)
                k = bisect_left(nodes, i)
                del nodes[k], weights[k]

    def settle(self) -> None:
        """Merge the changed keys once they are a good part of the matrix."""
        if len(self.changed) * MERGE_AT <= len(self.keys):
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

    def prepare(self) -> None:
        """Make numpy's view of the matrix now (see `Variant.prepare`)."""
        self._matrix()

    def _matrix(self) -> SparseRows:
        if self._vector is None:
            import numpy as np

            starts = np.frombuffer(self.starts, dtype=np.int32)
            self._vector = pagerank.SparseRows(
                np.frombuffer(self.nodes, dtype=np.int32),  # views: no copy
                np.frombuffer(self.weights, dtype=np.float64),
                np.diff(starts),
            )
        return self._vector


class Variant:
    """The graph weighted for one set of mentioned identifiers: PageRank's transitions and
    the sharing step as a sparse matrix, definition key -> (files reaching it, ascending;
    their weights); both can take new sources for some files in place. Nodes are the
    files in the file set's order (the order every sum runs in); `pos` maps a file's id
    to its node."""

    def __init__(
        self, names: list[str], ids: list[int], sources: Mapping[int, Source], size: int
    ) -> None:
        self.pos = pos = array("i", [-1]) * size
        for i, fid in enumerate(ids):
            pos[fid] = i
        self.transitions = Transitions(names, self._edges(sources[fid] for fid in ids))
        self.out = array("d", [sources[fid].out for fid in ids])
        keys, nodes, weights = array("q"), array("i"), array("d")
        for i, fid in enumerate(ids):
            for name, weight, others in sources[fid].reaches():
                keys.extend(map(name.__or__, map(lshift, others, repeat(KEY))))
                nodes.extend(repeat(i, len(others)))
                weights.extend(repeat(weight, len(others)))
        self.shares = Shares(keys, nodes, weights)
        self.ranks: OrderedDict[tuple[tuple[str, float], ...], list[float]] = OrderedDict()
        self._key_files: Getter | None = None

    def parts(self) -> list[object] | None:
        """What `restored` needs, as bytes; None when the sharing matrix is not merged."""
        shares = self.shares.parts()
        if shares is None:
            return None
        return [self.pos.tobytes(), self.out.tobytes(), self.transitions.parts(), shares]

    @classmethod
    def restored(cls, names: list[str], parts: list[Any]) -> Variant:
        """The variant `parts` describes, for the file set `names` (in node order)."""
        pos, out, transitions, shares = parts
        self = cls.__new__(cls)
        self.pos = array_of("i", pos)
        self.transitions = Transitions.restored(names, transitions)
        self.out = array_of("d", out)
        if len(self.out) != len(names):
            raise ValueError("a variant of another file set")
        self.shares = Shares.restored(shares)
        self.ranks = OrderedDict()
        self._key_files = None
        return self

    def _edges(self, sources: Iterable[Source]) -> Iterator[tuple[list[int], array[float]]]:
        pos = self.pos
        for source in sources:
            dsts, weights = source.edges()
            yield [pos[dst] for dst in dsts], weights

    def replace(self, changes: Mapping[int, tuple[Source, Source]]) -> None:
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

    def prepare(self) -> None:
        """Make the forms a ranking runs on (numpy's compressed rows, big graphs) now,
        not on the first question (0.2 s on 20k files)."""
        if self.transitions.edge_count() >= pagerank.VECTOR_MIN_EDGES:
            self.transitions.prepare()
            if not self.shares.changed:
                self.shares.prepare()
        if not self.shares.changed:  # the keys a ranking reads the files' ranks of
            self.key_files(self.shares.keys.tolist())

    def pagerank(self, personalization: dict[str, float]) -> list[float]:
        key = tuple(sorted(personalization.items()))
        found = self.ranks.get(key)
        if found is not None:
            self.ranks.move_to_end(key)
            return found
        ranks = self.transitions.run(personalization or None)
        self.ranks[key] = ranks
        if len(self.ranks) > CACHED_RANKS:
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
            files = [ints[pos[key >> KEY]] for key in keys]
            self._key_files = getter(files) if keys else nothing
        return self._key_files
