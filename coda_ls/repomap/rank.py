"""Rank definitions: a graph of which file references which file's symbols, personalized
PageRank over it (boosted toward focused and mentioned files), then each file's rank
shared out among the definitions its references point at.

The graph (`ReferenceGraph`) is built once per file set and updated in place when one file
changes; what a question changes (its identifiers, its files) is applied per query on top,
and PageRank results are cached per personalization.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from functools import lru_cache
from itertools import repeat
from operator import add, itemgetter, mul
from typing import Any

from coda_ls.repomap.evidence import COMMON_NAMES, ROLE_SOURCE_FACTOR, path_role
from coda_ls.repomap.flat import array_of, split_array
from coda_ls.repomap.imports import module_matches
from coda_ls.repomap.lazy import LazyFiles
from coda_ls.repomap.model import FileTags, Tag
from coda_ls.repomap.weighted import EMPTY, KEY, NAME, Source, Variant

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


PREPARE_ENTRIES = 200  # what `prepare` ranks: about what a map shows


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
        self._index_definers()
        self._base = {fid: self._source(fid, lean, frozenset()) for fid, lean in self._lean.items()}
        # Its memo helped while every file was weighed (names repeat across files); the
        # graph keeps the weights, and the memo's entries are 5 MB on 20k files.
        _ident_weight.cache_clear()
        self._variant: Variant | None = None  # built on first use, then patched
        self._last: tuple[Hashable, list[tuple[float, Tag]]] | None = None  # last ranking

    def _index_definers(self) -> None:
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

    def prepare(self) -> None:
        """Build the unboosted weighted graph now (a ranking builds it on first use), and
        rank once if nothing was ranked yet: a graph loaded from disk has decoded no
        definitions and run no PageRank, and its first question paid for both."""
        self._base_variant().prepare()
        if self._last is None and PREPARE_ENTRIES:
            self.rank(limit=PREPARE_ENTRIES)

    def parts(self) -> list[object]:
        """What `restored` needs to stand this graph up again without weighing a file
        (a restart on an unchanged project: snapshot.py): the interned tables, each
        file's summary and weighted references, and the unboosted weighted graph when it
        is built and merged. Arrays as bytes, in the dicts' orders (every sum's order)."""
        bases = list(self._base.values())
        variant = self._variant.parts() if self._variant is not None else None
        return [
            self._paths,
            bytes(self._core),
            self._names,
            self._modules,
            array("i", self._lean).tobytes(),
            array("i", map(len, self._lean.values())).tobytes(),
            b"".join([lean.tobytes() for lean in self._lean.values()]),
            array("i", self._base).tobytes(),
            array("i", [len(b.ints) for b in bases]).tobytes(),
            array("i", [len(b.floats) for b in bases]).tobytes(),
            b"".join([b.ints.tobytes() for b in bases]),
            b"".join([b.floats.tobytes() for b in bases]),
            variant,
            self._definer_parts(),
        ]

    def _definer_parts(self) -> list[bytes]:
        """`_definers` and `_targets` as arrays (rebuilding them was a third of a load):
        names, sizes and definers flat; then the names whose targets are not their
        definers (some are not code), with theirs."""
        definers, targets = self._definers, self._targets
        apart = [name for name, found in targets.items() if found is not definers[name]]
        return [
            array("i", definers).tobytes(),
            array("i", map(len, definers.values())).tobytes(),
            array("i", [fid for ids in definers.values() for fid in ids]).tobytes(),
            array("i", apart).tobytes(),
            array("i", [len(targets[name]) for name in apart]).tobytes(),
            array("i", [fid for name in apart for fid in targets[name]]).tobytes(),
        ]

    def _restore_definers(self, parts: list[bytes]) -> None:
        names, sizes, flat, apart, apart_sizes, apart_flat = parts
        self._definers = {
            name: tuple(ids)
            for name, ids in zip(array_of("i", names), split_array("i", flat, sizes), strict=True)
        }
        self._targets = dict(self._definers)
        for name, ids in zip(
            array_of("i", apart), split_array("i", apart_flat, apart_sizes), strict=True
        ):
            self._targets[name] = tuple(ids)

    @classmethod
    def restored(cls, files: Mapping[str, FileTags], parts: list[Any]) -> ReferenceGraph:
        """The graph `parts` (from `parts()`) describes, over `files` (the same files, in
        the same order, with the same contents: the caller checks that by the key it
        stored them under). ValueError when `parts` does not describe them."""
        (paths, core, names, modules, lean_ids, lean_sizes, leans, base_ids, int_sizes,
         float_sizes, ints, floats, variant, definers) = parts  # fmt: skip
        self = cls.__new__(cls)
        self._files = files.copy() if isinstance(files, LazyFiles) else LazyFiles(dict(files))
        self._paths, self._core = list(paths), bytearray(core)
        self._fid = {path: i for i, path in enumerate(self._paths)}
        self._names, self._modules = list(names), list(modules)
        self._nid = {name: i for i, name in enumerate(self._names)}
        self._mid = {module: i for i, module in enumerate(self._modules)}
        ids = array_of("i", lean_ids)
        self._lean = dict(zip(ids, split_array("i", leans, lean_sizes), strict=True))
        if len(self._core) != len(self._paths) or [self._paths[i] for i in ids] != list(
            self._files
        ):
            raise ValueError("a graph of other files")
        base_ints, base_floats = (
            split_array("i", ints, int_sizes),
            split_array("d", floats, float_sizes),
        )
        self._base = {}
        for fid, b_ints, b_floats in zip(
            array_of("i", base_ids), base_ints, base_floats, strict=True
        ):
            empty = b_ints == EMPTY.ints and b_floats == EMPTY.floats
            self._base[fid] = EMPTY if empty else Source(b_ints, b_floats)
        self._shown = {}
        self._restore_definers(definers)
        self._variant = None
        if variant is not None:
            self._variant = Variant.restored(list(self._files), variant)
        self._last = None
        return self

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

    def _source(self, src: int, lean: array[int], boosted: Collection[int]) -> Source:
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
            return EMPTY
        ints = array("i", (len(reach_names), len(edges)))
        ints += reach_names
        ints += ends
        ints.extend(edges)
        ints += reached
        floats = array("d", (out,))
        floats += reach_weights
        floats.extend(edges.values())
        return Source(ints, floats)

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
        changes: dict[int, tuple[Source, Source]] = {}
        for src in dirty:
            found = self._lean.get(src)
            if found is not None:
                old_source = self._base.get(src, EMPTY)
                self._base[src] = new_source = self._source(src, found, frozenset())
                if new_source != old_source:
                    changes[src] = (old_source, new_source)
        # The weighted graph is patched in place (an edit, then the next question) unless
        # the file set changed: node indexes would shift.
        if not same_files or len(changes) * 4 > len(self._files):
            self._variant = None  # rebuilding costs less than patching most files
        elif self._variant is not None and changes:
            self._variant.replace(changes)

    def _new_variant(self, sources: Mapping[int, Source]) -> Variant:
        names = list(self._files)
        fid = self._fid
        return Variant(names, [fid[path] for path in names], sources, len(self._paths))

    def _base_variant(self) -> Variant:
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
        changes: dict[int, tuple[Source, Source]] = {}
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
        variant: Variant,
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
            high = fid[path] << KEY
            for tag in self.definitions(path):
                reached = get(high | nid[tag.name], 0.0)
                scored.append((_score(reached, base, tag.name in boosted, focused), tag))
        scored.sort(key=_order)
        return scored

    def _score_top(
        self,
        limit: int,
        variant: Variant,
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
                key = dst << KEY | name
                if key not in explicit:
                    explicit.add(key)
                    keys.append(key)
                    scores.append(0.0)  # scored below
        if boosted or focus_files:
            focused = {fid[path] for path in focus_files if path in fid}
            if boosted_ids:
                touched: Iterable[int] = range(len(keys))
            else:  # a focused file's keys: a range of the ascending ones, and new ones
                touched = [i for i in range(ordered, len(keys)) if keys[i] >> KEY in focused]
                for dst in focused:
                    start = bisect_left(keys, dst << KEY, 0, ordered)
                    touched += range(start, bisect_left(keys, (dst + 1) << KEY, start, ordered))
            for i in touched:
                key = keys[i]
                dst, name = key >> KEY, key & NAME
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
            high = fid[path] << KEY
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
                path, named = paths[key >> KEY], names[key & NAME]
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
