"""RepoMap: the map of one project, built once (cached on disk) and kept up to date.

Thread-safe: the language server calls build() in a worker thread and update() from its
event loop; one lock guards the state, parsing happens outside it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TypeVar

from coda_ls.heap import paused_gc
from coda_ls.repomap.cache import Row, TagCache, cache_file, content_hash, decode
from coda_ls.repomap.files import (
    SNIFF,
    SNIFF_RULES,
    FileLister,
    default_lister,
    skip_reason,
    vendored_path,
)
from coda_ls.repomap.held import Change, Holder, Render, as_strings
from coda_ls.repomap.languages import EXTENSIONS, FILENAMES, detect_language
from coda_ls.repomap.lazy import LazyFiles
from coda_ls.repomap.lexical import LexicalIndex
from coda_ls.repomap.model import FileTags, RenderedMap, Tag
from coda_ls.repomap.options import MapSettings, options_dict
from coda_ls.repomap.persist import (
    decode_ranking,
    decode_rendered,
    encode_ranking,
    encode_rendered,
    ranking_key,
    state_digest,
    tokenizer_fingerprint,
)
from coda_ls.repomap.rank import ReferenceGraph
from coda_ls.repomap.relevance import (
    OVERVIEW_CANDIDATES,
    Question,
    classify,
    fuse,
    overview,
    related_files,
)
from coda_ls.repomap.render import Entry as RenderEntry
from coda_ls.repomap.render import fit, max_entries
from coda_ls.repomap.worker import (
    Result,
    Skipped,
    background,
    exit_with_parent,
    parse_batch,
    parse_path,
    tag_bytes,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
T = TypeVar("T")
PARALLEL_MIN_FILES = 300  # below this a process pool costs more than it saves
MAX_WORKERS = 16
ISOLATED_MIN_FILES = 64  # an isolated build (server) parses in a worker from this many
_BATCH = 64


class RepoMap:
    """The ranked, cached map of the source files under `root`."""

    def __init__(
        self,
        root: Path,
        settings: MapSettings,
        cache_dir: Path | None = None,
        *,
        lister: FileLister | None = None,
        workers: int | None = None,
    ) -> None:
        from coda_ls import paths

        self.root = root.resolve()
        self.settings = settings
        self.lister: FileLister = lister or default_lister
        # Measured (benchmarks/monorepo.py --mode pool, 5,000 real files, 2 shared cores):
        # serial 62.6 s, one spawned worker 49.1 s, two 28.4 s. Processes pay from a few
        # hundred files on any machine; past MAX_WORKERS the parent's share (reading the
        # results, writing the cache) is what limits.
        cpus = os.cpu_count() or 1
        self.workers = workers if workers is not None else min(cpus, MAX_WORKERS)
        self.cache_dir = cache_dir if cache_dir is not None else paths.cache_dir()
        db = cache_file(self.cache_dir, self.root)
        self._cache = TagCache(db)
        self._lock = threading.RLock()
        self._files = LazyFiles()  # decoded on access: see lazy.py
        self._stats: dict[str, tuple[int, int, str]] = {}  # path -> (mtime_ns, size, hash)
        # Files mapped from an unsaved buffer: their state is not on disk, so rankings
        # are not persisted while there are any.
        self._buffers: set[str] = set()
        self._state: tuple[int, str | None] | None = None  # (generation, state digest)
        self.skipped: dict[str, str] = {}  # path -> why it is not mapped
        self.last_build: dict[str, float | int] = {}
        self._generation = 0
        self._ranked: tuple[Any, list[tuple[float, Tag]]] | None = None
        # The reference graph outlives a generation: one-file changes queue up in
        # `_pending` and are applied in place before the next ranking; build() drops it.
        self._graph: ReferenceGraph | None = None
        self._pending: dict[str, FileTags | None] = {}
        # The words index: built by the first question, then kept like the graph.
        self._lexical: LexicalIndex | None = None
        self._lexical_pending: dict[str, FileTags | None] = {}
        self._epoch = 0  # bumped when the graph is dropped
        self._graph_generation = -1  # the generation the graph in use reflects
        self._graph_stored: str | None = None  # the key of the graph on disk, if known
        self._graph_lock = threading.Lock()  # one ranking at a time owns the graph
        # A worker holding the graph, which renders personalized maps (see held.py), and
        # the changes it has not seen yet, in order; recorded from the snapshot it loaded.
        self._holder: Holder | None = None
        self._outbox: list[Change] = []
        self._recording = False
        self._holder_lock = threading.Lock()  # requests and their changes go in order

    # -- building ---------------------------------------------------------------------

    def build(self, progress: Progress | None = None, *, isolated: bool = False) -> None:
        """Map every listed source file: cached ones are loaded, changed ones parsed.

        `isolated` parses in a worker process even where one core would be faster, so a
        caller's other threads (a language server's event loop) keep the GIL."""
        started = time.perf_counter()
        candidates = self._candidates()
        rows = self._cache.load_all()
        known_skips = self._cache.load_skipped()
        # Rows decided under older sniffing rules: each file's head is read once more, so
        # a file the rules now skip (a generated parser) leaves the map and one they now
        # read as another language (a C++ `.h`) is parsed again, without a rebuild.
        resniff = self._cache.sniff_rules() != SNIFF_RULES
        fresh = LazyFiles()
        stats: dict[str, tuple[int, int, str]] = {}
        to_parse: list[str] = []
        touched: list[tuple[str, int, int]] = []
        skipped: dict[str, str] = {}
        new_skips: list[tuple[str, int, int, str]] = []
        for rel in candidates:
            try:
                st = os.stat(os.path.join(self.root, rel))
            except OSError:
                continue
            row = rows.get(rel)
            if row is not None and resniff:
                reason, language = self._sniff(rel, st.st_size)
                if reason is not None:
                    skipped[rel] = reason
                    new_skips.append((rel, st.st_mtime_ns, st.st_size, reason))
                    continue
                if language != row[3]:
                    to_parse.append(rel)
                    continue
            if row is not None and row[0] == st.st_mtime_ns and row[1] == st.st_size:
                fresh.put_raw(rel, row[3], row[4], row[5])
                stats[rel] = (row[0], row[1], row[2])
            elif row is not None and row[1] == st.st_size and self._same_content(rel, row[2]):
                fresh.put_raw(rel, row[3], row[4], row[5])  # touched, not changed
                stats[rel] = (st.st_mtime_ns, st.st_size, row[2])
                touched.append((rel, st.st_mtime_ns, st.st_size))
            else:
                skip = known_skips.get(rel)
                if skip is not None and skip[0] == st.st_mtime_ns and skip[1] == st.st_size:
                    skipped[rel] = skip[2]  # skipped before, unchanged since
                else:
                    to_parse.append(rel)
        for rel, mtime, size in touched:
            self._cache.touch(rel, mtime, size)
        encoded: list[Row] = []
        # Pausing the cyclic GC saves time when this thread tags, but gc.disable() is the
        # whole process's: an isolated build (a server's; its workers tag and pause their
        # own GC) would stop collection for the event loop too, whose garbage from
        # thousands of requests then came back as one collection of 0.5-1.7 s at the end.
        with paused_gc() if not isolated else nullcontext():
            for result in self._parse(to_parse, progress, isolated):
                if isinstance(result, Skipped):
                    skipped[result.path] = result.reason
                    if result.mtime_ns:
                        new_skips.append((result.path, result.mtime_ns, result.size, result.reason))
                    continue
                # Kept encoded, as the cache stores it: decoding is for what gets read.
                fresh.put_raw(result.path, result.language, result.note, result.blob)
                stats[result.path] = (result.mtime_ns, result.size, result.hash)
                encoded.append(result)
        self._cache.put_rows(encoded)
        self._cache.put_skipped(new_skips)
        gone = [p for p in rows if p not in fresh]
        if gone:
            self._cache.delete(gone)
        stale = [p for p in known_skips if p not in skipped]
        if stale:
            self._cache.delete_skipped(stale)
        if resniff:
            self._cache.set_sniff_rules(SNIFF_RULES)
        with self._lock:
            self._files = fresh
            self._stats = stats
            self._buffers.clear()
            self.skipped.update(skipped)
            self._changed(None)
        self.last_build = {
            "seconds": time.perf_counter() - started,
            "files": len(fresh),
            "parsed": len(to_parse),
            "cached": len(fresh) - len(encoded),
            "skipped": len(skipped),
        }
        log.info("repo map: %s", self.last_build)

    def _candidates(self) -> list[str]:
        """Listed files that look like source, minus vendored ones unless asked for."""
        out: list[str] = []
        for rel in self.lister(self.root):
            name = rel.rsplit("/", 1)[-1]
            suffix = os.path.splitext(name)[1].lower()
            known = suffix in EXTENSIONS or name in FILENAMES
            if not known and (suffix or not self._has_shebang(rel)):
                continue
            if not self.settings.include_vendored and vendored_path(rel):
                self.skipped[rel] = "vendored, generated or asset path"
                continue
            out.append(rel)
        return out

    def _head(self, rel: str, size: int) -> bytes | None:
        """The first `size` bytes of a file, or None when it cannot be read."""
        try:
            with open(os.path.join(self.root, rel), "rb") as handle:
                return handle.read(size)
        except OSError:
            return None

    def _has_shebang(self, rel: str) -> bool:
        head = self._head(rel, 128)
        return head is not None and detect_language(rel, head) is not None

    def _sniff(self, rel: str, size: int) -> tuple[str | None, str | None]:
        """What the current rules say of a cached file from its head: why it is not
        mapped (or None), and its language."""
        head = self._head(rel, SNIFF)
        if head is None:
            return None, None
        return skip_reason(head, size, self.settings.max_file_bytes), detect_language(rel, head)

    def _same_content(self, rel: str, digest: str) -> bool:
        try:
            data = (self.root / rel).read_bytes()
        except OSError:
            return False
        return content_hash(data) == digest

    def _parse(
        self, rels: Sequence[str], progress: Progress | None, isolated: bool = False
    ) -> Iterable[Result]:
        total = len(rels)
        root, limit = str(self.root), self.settings.max_file_bytes
        if progress:
            progress(0, total)
        workers = self.workers
        serial = total < PARALLEL_MIN_FILES or workers < 2
        if isolated:
            # Even one worker frees the caller's GIL. They run at a lower priority
            # (worker.background), so all cores can parse and the caller still gets one
            # when it needs it (measured on 20k files, 2 cores: one worker 216 s to
            # ready, two 149 s; code action p95 0.4 ms either way).
            workers = max(1, workers)
            serial = total < ISOLATED_MIN_FILES
        if serial:
            for done, rel in enumerate(rels, start=1):
                yield parse_path(root, rel, limit)
                if progress and (done % 50 == 0 or done == total):
                    progress(done, total)
            return
        # tree-sitter holds the GIL for most of the work (measured: 2 threads no faster
        # than 1), so a cold build of a big project uses processes. "spawn" because
        # build() runs in a thread of the language server, where fork is unsafe.
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

        batches = [list(rels[i : i + _BATCH]) for i in range(0, total, _BATCH)]
        done = 0
        context = multiprocessing.get_context("spawn")
        try:
            initializer = background if isolated else exit_with_parent
            with ProcessPoolExecutor(workers, context, initializer, (os.getpid(),)) as pool:
                futures = [pool.submit(parse_batch, root, batch, limit) for batch in batches]
                for future in futures:
                    results = future.result()
                    done += len(results)
                    if progress:
                        progress(done, total)
                    yield from results
        except (BrokenProcessPool, OSError) as exc:
            # No processes here (sandbox, a __main__ without the import guard): go serial.
            log.warning("repo map: process pool failed (%s); parsing serially", exc)
            for rel in rels[done:]:
                yield parse_path(root, rel, limit)
                done += 1
                if progress and (done % 50 == 0 or done == total):
                    progress(done, total)

    # -- incremental ------------------------------------------------------------------

    def _rel(self, path: Path | str) -> str | None:
        p = Path(path)
        full = p if p.is_absolute() else self.root / p
        try:
            return full.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def update(self, path: Path | str, text: str | None = None) -> list[Tag]:
        """Re-tag one file: from an unsaved buffer (`text`) or from disk (`text` None)."""
        rel = self._rel(path)
        if rel is None:
            log.debug("repo map: %s is outside %s; not mapped", path, self.root)
            return []
        if text is not None:
            data = text.encode("utf-8", "surrogatepass")
            tags = tag_bytes(rel, data, detect_language(rel, data))
            if tags.language is None and tags.note == "no language":
                return []
            with self._lock:
                self._files.put(rel, tags)  # the buffer is not on disk: memory only
                self._buffers.add(rel)
                self._changed(rel)
            return list(tags.definitions)
        result = parse_path(str(self.root), rel, self.settings.max_file_bytes)
        if isinstance(result, Skipped):
            with self._lock:
                self.skipped[rel] = result.reason
            if result.mtime_ns:
                self._cache.put_skipped([(rel, result.mtime_ns, result.size, result.reason)])
            self.remove(rel)
            return []
        tags = decode(rel, result.language, result.note, result.blob)
        self._cache.put_rows([result])
        self._cache.delete_skipped([rel])
        with self._lock:
            self._files.put(rel, tags)
            self._stats[rel] = (result.mtime_ns, result.size, result.hash)
            self._buffers.discard(rel)
            self._changed(rel)
        return list(tags.definitions)

    def remove(self, path: Path | str) -> None:
        """Forget one file (deleted, or newly ignored)."""
        rel = self._rel(path)
        if rel is None:
            return
        self._cache.delete([rel])
        with self._lock:
            self._files.pop(rel)
            self._stats.pop(rel, None)
            self._buffers.discard(rel)
            self._changed(rel)

    def _changed(self, rel: str | None) -> None:
        """Called with the lock held: one file changed (`rel`), or all of them (None)."""
        self._generation += 1
        self._ranked = None
        self._state = None
        if rel is None:
            self._graph = None
            self._pending.clear()
            self._lexical = None
            self._lexical_pending.clear()
            self._epoch += 1
            self._drop_holder()
        else:  # queued even while a ranking builds the graph from an older snapshot
            tags = self._files.get(rel)
            self._pending[rel] = tags
            self._lexical_pending[rel] = tags
            if self._recording:
                stat = self._stats.get(rel) if tags is not None else None
                self._outbox.append(Change(rel, tags, stat, rel in self._buffers))

    def wait_warm(self, timeout: float | None = None) -> None:
        """Until the worker holding the map has built its graph and words index, so the
        first question is ranked, not waiting for them (no worker: returns at once)."""
        with self._lock:
            holder = self._holder
        if holder is not None:
            holder.wait_warm(timeout)

    def _drop_holder(self) -> None:
        """Called with the lock held: the worker's file set is not ours any more."""
        self._recording = False
        self._outbox = []
        if self._holder is not None:
            self._holder.close()
            self._holder = None

    def apply(self, changes: Iterable[Change]) -> None:
        """Replay a parent's file changes, in order (a worker holding the map)."""
        with self._lock:
            for change in changes:
                rel = change.path
                if change.tags is None:
                    self._files.pop(rel)
                    self._stats.pop(rel, None)
                    self._buffers.discard(rel)
                else:
                    self._files.put(rel, change.tags)
                    if change.buffer:
                        self._buffers.add(rel)
                    else:
                        if change.stat is not None:
                            self._stats[rel] = change.stat
                        self._buffers.discard(rel)
                self._changed(rel)

    # -- queries ----------------------------------------------------------------------

    def tags(self, path: Path | str | None = None) -> list[Tag]:
        """Definitions of one file, or of every file (by path, then line)."""
        with self._lock:
            files = self._files.copy()
        if path is None:
            return [t for rel in sorted(files) for t in files[rel].definitions]
        rel = self._rel(path)
        found = files.get(rel) if rel is not None else None
        return list(found.definitions) if found else []

    def file_tags(self) -> dict[str, FileTags]:
        """Each mapped file's tags (a snapshot: a changed file gets a new FileTags, an
        unchanged one the same object, so an index can compare by identity). Decoding
        is done outside the lock, then kept: whoever asks for every file's tags (the
        completion index) holds them all anyway."""
        with self._lock:
            snapshot = self._files.copy()
        files, decoded = snapshot.decode_all()
        if decoded:
            with self._lock:
                self._files.keep(decoded)
        return files

    def references(self, path: Path | str) -> list[Tag]:
        """The references of one file, with lines (parsed on demand: not cached)."""
        rel = self._rel(path)
        if rel is None:
            return []
        try:
            data = (self.root / rel).read_bytes()
        except OSError:
            return []
        return tag_bytes(rel, data, detect_language(rel, data)).reference_tags()

    def find_symbol(self, name: str) -> list[Tag]:
        """Definitions named `name`, or whose qualified name is or ends with `name`."""
        suffix = "." + name
        with self._lock:
            files = self._files.copy()  # decoded outside the lock
        return [
            tag
            for ft in files.values()
            for tag in ft.definitions
            if tag.name == name or tag.qualname == name or tag.qualname.endswith(suffix)
        ]

    @property
    def generation(self) -> int:
        """Moves on whenever a file's tags change (for caches built on the tags)."""
        return self._generation

    @property
    def files(self) -> list[str]:
        with self._lock:
            return sorted(self._files)

    def ranked(
        self,
        focus_files: Collection[Path | str] = (),
        mentioned_files: Collection[Path | str] = (),
        mentioned_idents: Collection[str] = (),
        limit: int | None = None,
        question: str | None = None,
    ) -> list[tuple[float, Tag]]:
        """Definitions with their scores, best first (the best `limit` if given).

        With `question` (the request's text), its words are matched against the files
        and only the identifiers it writes as code are boosted as names; without it,
        every identifier given is boosted (an API caller naming symbols)."""
        focus = frozenset(r for r in map(self._rel, focus_files) if r)
        mentioned = frozenset(r for r in map(self._rel, mentioned_files) if r)
        asked = classify(question, mentioned_idents, focus | mentioned)
        idents = asked.code_idents if asked is not None else frozenset(mentioned_idents)
        with self._lock:
            key = (self._generation, focus, mentioned, idents, limit, asked)
            if self._ranked is not None and self._ranked[0] == key:
                return self._ranked[1]
            stored = self._stored_key(focus, mentioned, idents, limit, asked)
        if stored is not None:
            blob = self._cache.get_ranking(stored[1])
            if blob is not None:
                result = decode_ranking(blob)
                with self._lock:
                    if self._generation == stored[0]:
                        self._ranked = (key, result)
                return result
        generation, result = self._with_graph(
            lambda graph: self._fused(graph, focus, mentioned, idents, limit, asked)
        )
        with self._lock:
            if self._generation == generation:
                self._ranked = ((generation, *key[1:]), result)
        if stored is not None and stored[0] == generation:  # ranked the state keyed
            self._cache.put_ranking(stored[1], encode_ranking(result))
        return result

    def _with_graph(self, use: Callable[[ReferenceGraph], T]) -> tuple[int, T]:
        """`use(graph)` owning the graph, brought up to date (built on first use); with
        the generation it reflects."""
        with self._graph_lock:
            with self._lock:
                generation, epoch, graph = self._generation, self._epoch, self._graph
                pending, self._pending = self._pending, {}
                snapshot = self._files.copy() if graph is None else None
                key = self._snapshot_key("graph") if graph is None else None
            done = built = False
            try:
                if graph is None:
                    graph = self._stored_graph(snapshot or LazyFiles(), key)
                    if graph is None:
                        graph = ReferenceGraph(snapshot or LazyFiles())  # decodes each file once
                        built = True
                else:
                    for rel, tags in pending.items():
                        graph.update(rel, tags)
                self._graph_generation = generation
                result = use(graph)
                done = True
            finally:
                if not done:  # a half-applied update: the next ranking starts afresh
                    with self._lock:
                        if self._epoch == epoch:
                            self._graph = None
            with self._lock:
                if self._epoch == epoch:
                    self._graph = graph
            if built:  # seconds on a big project: the next process loads it instead
                self._keep_graph(graph)
        return generation, result

    def warm(self) -> None:
        """Build the reference graph, its unboosted weighted form and the words index
        now, before a question needs them (a worker holding the map: see held.py), and
        keep the graph on disk for the next start (snapshot.py). After a restart that
        loaded the default map, the weighted form and the tokenizer were left to the
        first question (1.5 s of a focused map on 20k files)."""
        self._with_graph(self._warmed)

    def _warmed(self, graph: ReferenceGraph) -> None:
        from coda_ls.tokens import token_counter

        self._lexical_index(graph)
        graph.prepare()
        token_counter()  # loaded once: a default map loaded as persisted counted nothing
        self._keep_graph(graph)

    def _keep_graph(self, graph: ReferenceGraph) -> None:
        """Store `graph` (owned, reflecting `_graph_generation`) for the next start, when
        it is of the files on disk and not stored yet (0.13 s on 20k files)."""
        with self._lock:
            same = self._generation == self._graph_generation
            key = self._snapshot_key("graph") if same else None
            path = self._cache.path
        if key is None or path is None or key == self._graph_stored:
            return
        from coda_ls.repomap import snapshot

        if snapshot.save(snapshot.graph_file(path), key, graph):
            self._graph_stored = key

    def _stored_graph(self, files: LazyFiles, key: str | None) -> ReferenceGraph | None:
        """The graph stored under `key` (the current files' state), or None."""
        path = self._cache.path
        if key is None or path is None:
            return None
        from coda_ls.repomap import snapshot

        graph = snapshot.load(snapshot.graph_file(path), key, files)
        if graph is not None:
            self._graph_stored = key
        return graph

    def _stored_key(
        self,
        focus: frozenset[str],
        mentioned: frozenset[str],
        idents: frozenset[str],
        limit: int | None,
        asked: Question | None,
    ) -> tuple[int, str] | None:
        """(generation, key) under which this request's ranking is persisted, or None
        when it is not: a question's ranking (its words rarely come back), or a state
        that is not on disk (an unsaved buffer). Called with the lock held."""
        if asked is not None:
            return None
        state = self._state_now()
        if state is None:
            return None
        request = ("ranked", sorted(focus), sorted(mentioned), sorted(idents), limit)
        return self._generation, ranking_key(state, request)

    def _state_now(self) -> str | None:
        """The digest of the mapped files as they are on disk (persist.state_digest), or
        None while an unsaved buffer is mapped. Called with the lock held."""
        if self._buffers:
            return None
        if self._state is None or self._state[0] != self._generation:
            stats = self._stats
            try:
                pairs = [(rel, stats[rel][2]) for rel in self._files]
            except KeyError:  # a file without its stat: not as on disk
                digest: str | None = None
            else:
                digest = state_digest(pairs)
            self._state = (self._generation, digest)
        return self._state[1]

    def _snapshot_key(self, kind: str) -> str | None:
        """The key the `kind` ("graph", "words") of the current files is stored under
        (snapshot.py), or None when it is not stored. Called with the lock held."""
        if not self._cache.persistent or self._cache.path is None:
            return None
        state = self._state_now()
        return None if state is None else ranking_key(state, (kind,))

    def _fused(
        self,
        graph: ReferenceGraph,
        focus: frozenset[str],
        mentioned: frozenset[str],
        idents: frozenset[str],
        limit: int | None,
        asked: Question | None,
    ) -> list[tuple[float, Tag]]:
        """The graph's ranking fused with the question's words (called owning the graph)."""
        from coda_ls.repomap.evidence import roles_pointed_at

        if asked is None and not (focus or mentioned or idents):
            # An overview: the core types first (see relevance.overview), re-scored from
            # the graph's best OVERVIEW_CANDIDATES x what is shown.
            wide = None if limit is None else limit * OVERVIEW_CANDIDATES
            ranked = graph.rank(limit=wide)
            return overview(ranked, graph.usage(), frozenset(), limit)
        if asked is None:  # focus or identifiers without a question: no words to match
            roles = roles_pointed_at(frozenset(), focus | mentioned)
            asked = Question("", frozenset(), idents, roles)
        lexical: dict[str, float] = {}
        if asked.terms:
            lexical = self._lexical_index(graph).scores(asked.terms)
        # Priors reorder the graph's best: take more of them than will be shown.
        wide = None if limit is None else limit * 3
        ranked = graph.rank(focus, mentioned, idents, wide, related_files(lexical))
        return fuse(ranked, _Definitions(graph), lexical, asked, asked.roles, limit)

    def _lexical_index(self, graph: ReferenceGraph) -> LexicalIndex:
        with self._lock:
            index, pending = self._lexical, self._lexical_pending
            self._lexical_pending = {}
        if index is None:
            index = self._new_lexical_index(graph.files)
        # Changes queued since: some are in graph.files already (applying them again is
        # harmless), others came after the graph took its queue.
        for rel, tags in pending.items():
            index.update(rel, tags)
        with self._lock:
            self._lexical = index
        return index

    def _new_lexical_index(self, files: Mapping[str, FileTags]) -> LexicalIndex:
        """The words index, from the words stored for files whose content is unchanged;
        the others' words are counted and stored (a restart of a 20k-file project
        counted them all again: ~3 s before its first question could be answered)."""
        from coda_ls.repomap import snapshot
        from coda_ls.repomap.lexical import decode_terms, encode_terms

        with self._lock:
            stats = dict(self._stats)
            buffers = set(self._buffers)
            # `files` are the graph's (see _with_graph): the current state's key only
            # when no change came since.
            same = self._generation == self._graph_generation
            key = self._snapshot_key("words") if same else None
            db = self._cache.path
        if key is not None and db is not None:
            loaded = snapshot.load_words(snapshot.words_file(db), key, files)
            if loaded is not None:
                return loaded
        stored = self._cache.load_words() if self._cache.persistent else {}
        counted: dict[str, Counter[str]] = {}
        for path, (digest, blob) in stored.items():
            stat = stats.get(path)
            if stat is not None and stat[2] == digest and path not in buffers:
                try:
                    counted[path] = decode_terms(blob)
                except (ValueError, EOFError, TypeError):  # a damaged row: count again
                    continue
        index = LexicalIndex(files, counted)
        if self._cache.persistent:
            fresh: list[tuple[str, str, bytes]] = []
            for path in files:
                stat = stats.get(path)
                terms = index.terms_of(path)
                if path in counted or stat is None or path in buffers or terms is None:
                    continue
                fresh.append((path, stat[2], encode_terms(terms)))
            self._cache.put_words(fresh)
        if key is not None and db is not None:  # 0.1 s on 20k files
            snapshot.save_words(snapshot.words_file(db), key, index)
        return index

    def render(
        self,
        tokens: int | None = None,
        focus_files: Collection[Path | str] = (),
        mentioned_files: Collection[Path | str] = (),
        mentioned_idents: Collection[str] = (),
        question: str | None = None,
    ) -> RenderedMap:
        """The best-ranked tags as an outline per file, within `tokens` (default: settings)."""
        budget = tokens if tokens is not None else self.settings.tokens
        limit = max_entries(budget)  # fit() never shows more: rank only that many
        stored = None
        if question is None:  # the fitted map is persisted with its ranking
            stored = self._fit_key(focus_files, mentioned_files, mentioned_idents, limit, budget)
        if stored is not None:
            blob = self._cache.get_ranking(stored[1])
            if blob is not None:
                return decode_rendered(blob)
        request = Render(
            budget,
            as_strings(list(focus_files)),
            as_strings(list(mentioned_files)),
            tuple(mentioned_idents),
            question,
        )
        held = self._render_held(request)
        if held is not None:
            return held
        ranked = self.ranked(focus_files, mentioned_files, mentioned_idents, limit, question)
        entries = [RenderEntry(tag.path, tag) for _, tag in ranked]
        if len(entries) < limit:
            with self._lock:
                listed = self._files
                entries += [
                    RenderEntry(rel, None, listed.note(rel) or "no tags")
                    for rel in sorted(listed)
                    if listed.language(rel) is None
                ]
        with self._lock:
            files = self._files.copy()  # the few files shown are decoded below
        found: dict[tuple[str, str], Tag | None] = {}

        def parent(path: str, qualname: str) -> Tag | None:
            key = (path, qualname)
            if key not in found:
                ft = files.get(path)
                defs = ft.definitions if ft is not None else ()
                found[key] = next((t for t in defs if t.qualname == qualname), None)
            return found[key]

        rendered = fit(entries, budget, parent)
        if stored is not None:
            with self._lock:
                unchanged = self._generation == stored[0]
            if unchanged:
                self._cache.put_ranking(stored[1], encode_rendered(rendered))
        return rendered

    def _render_held(self, request: Render) -> RenderedMap | None:
        """The map rendered by the worker holding the graph, if one is up (see held.py)."""
        with self._holder_lock:
            with self._lock:
                holder = self._holder
                if holder is None:
                    return None
                changes, self._outbox = self._outbox, []
            future = holder.submit(changes, request)
        result = holder.result(future) if future is not None else None
        if result is None:  # gone: rank here from now on
            with self._lock:
                if self._holder is holder:
                    self._drop_holder()
        return result

    def _fit_key(
        self,
        focus_files: Collection[Path | str],
        mentioned_files: Collection[Path | str],
        mentioned_idents: Collection[str],
        limit: int,
        budget: int,
    ) -> tuple[int, str] | None:
        """(generation, key) of a fitted map without a question: its ranking's key, the
        budget and the tokenizer (a warm `coda map` then loads no tokenizer at all)."""
        focus = frozenset(r for r in map(self._rel, focus_files) if r)
        mentioned = frozenset(r for r in map(self._rel, mentioned_files) if r)
        with self._lock:
            stored = self._stored_key(focus, mentioned, frozenset(mentioned_idents), limit, None)
        if stored is None:
            return None
        return stored[0], ranking_key(stored[1], ("fit", budget, tokenizer_fingerprint()))

    def to_json(
        self,
        tokens: int | None = None,
        focus_files: Collection[Path | str] = (),
        mentioned_files: Collection[Path | str] = (),
        mentioned_idents: Collection[str] = (),
    ) -> str:
        """The rendered map plus build statistics, as JSON for scripts and the LSP."""
        rendered = self.render(tokens, focus_files, mentioned_files, mentioned_idents)
        payload = {"root": str(self.root), **rendered.to_dict(), "build": self.last_build}
        return json.dumps(payload, indent=2)

    # -- ranking ahead, in a worker ------------------------------------------------------

    def rank_ahead(self, tokens: int | None = None, *, hold: bool = False) -> bool:
        """Persist the default map, ranked and fitted (`render(tokens)` then loads it),
        without ranking here: a worker process loads the same files from the cache,
        ranks, fits and stores the result. The reference graph then never lives here unless a
        question needs it (it is most of a ranked map's memory), and the GIL stays free
        for the caller's other threads. False when the ranking was not persisted (an
        in-memory cache, unsaved buffers, no worker process): `render` ranks here then.

        `hold` keeps that worker, with its graph, to render personalized maps (a
        question, a focused file) for this map until its next build (see held.py)."""
        budget = tokens if tokens is not None else self.settings.tokens
        stored = self._fit_key((), (), (), max_entries(budget), budget)
        with self._lock:
            order = list(self._files)
            if hold and stored is not None and self._cache.persistent:
                self._drop_holder()
                self._recording = True  # changes from this snapshot on go to the worker
                epoch = self._epoch
        if stored is None or not self._cache.persistent:
            return False  # a worker could not see an in-memory cache
        if hold:
            return self._start_holder(stored, order, budget, epoch)
        if self._cache.get_ranking(stored[1]) is not None:
            return True  # an unchanged tree: ranked by an earlier run
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

        from coda_ls.repomap.worker import rank_cached

        context = multiprocessing.get_context("spawn")  # called from a thread: no fork
        settings = options_dict(self.settings)
        try:
            with ProcessPoolExecutor(1, context, background, (os.getpid(),)) as pool:
                args = (str(self.root), settings, str(self.cache_dir), order, budget)
                ranked = pool.submit(rank_cached, *args).result()
        except (BrokenProcessPool, OSError) as exc:
            log.warning("repo map: ranking worker failed (%s); ranking here", exc)
            return False
        except Exception as exc:
            # Whatever the ranking raised in the worker costs only the head start: the
            # caller ranks here, where the same error (if any) reaches it as usual.
            log.warning("repo map: ranking worker raised %s: %s", type(exc).__name__, exc)
            return False
        return ranked and self._cache.get_ranking(stored[1]) is not None

    def _start_holder(
        self, stored: tuple[int, str], order: list[str], budget: int, epoch: int
    ) -> bool:
        """rank_ahead with a worker that stays (see held.py)."""
        ranked_before = self._cache.get_ranking(stored[1]) is not None
        settings = options_dict(self.settings)
        started = Holder.start(self.root, settings, self.cache_dir, order, budget)
        if started is None:
            with self._lock:
                self._recording = False
                self._outbox = []
            return ranked_before
        holder, loaded = started
        with self._lock:
            if self._epoch != epoch:  # rebuilt meanwhile: that worker's files are old
                holder.close()
                return False
            self._holder = holder
        if ranked_before:
            # An unchanged tree: the map is loaded at once, the worker builds the graph
            # and the words index meanwhile (a question queues behind them).
            holder.warm()
            return True
        if not holder.result(loaded):
            with self._lock:
                if self._holder is holder:
                    self._drop_holder()
            return False
        holder.warm()  # the words index, before the first question
        return self._cache.get_ranking(stored[1]) is not None

    def load_cached(self, order: Sequence[str]) -> bool:
        """Take the files `order` lists, in that order, from the cache (a worker ranking
        what its parent built). False when one of them is not cached."""
        rows = self._cache.load_all()
        files = LazyFiles()
        stats: dict[str, tuple[int, int, str]] = {}
        for rel in order:
            row = rows.get(rel)
            if row is None:
                return False
            files.put_raw(rel, row[3], row[4], row[5])
            stats[rel] = (row[0], row[1], row[2])
        with self._lock:
            self._files = files
            self._stats = stats
            self._buffers.clear()
            self._changed(None)
        return True

    def close(self) -> None:
        with self._lock:
            self._drop_holder()
        self._cache.close()


class _Definitions(Mapping[str, tuple[Tag, ...]]):
    """Every file's definitions as the graph shows them, decoded on access (a question
    reads those of the few files its words match)."""

    def __init__(self, graph: ReferenceGraph) -> None:
        self._graph = graph

    def __getitem__(self, path: str) -> tuple[Tag, ...]:
        if path not in self._graph.files:
            raise KeyError(path)
        return self._graph.definitions(path)

    def __iter__(self) -> Iterator[str]:
        return iter(self._graph.files)

    def __len__(self) -> int:
        return len(self._graph.files)
