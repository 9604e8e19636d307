"""What a restart costs with and without the stored graph and words index (issue 16).

    python benchmarks/snapshot.py [--files 20000] [--rounds 3]

On the corpus of `benchmarks/monorepo.py` (made if missing), with a warm tag cache in a
scratch directory: building the reference graph and its weighted form from the cached
tags against loading them from `*.graph`; building the words index from the words stored
per file against loading `*.words`; what each costs to write and its size; the words
index's memory (tracemalloc, what stays allocated). In-process, medians of `--rounds`.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.monorepo import add_corpus_options, corpus  # noqa: E402

T = TypeVar("T")


def timed(run: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    got = run()
    return time.perf_counter() - start, got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    add_corpus_options(parser)
    args = parser.parse_args()

    from coda_ls.config import RepoMapSettings
    from coda_ls.repomap import snapshot
    from coda_ls.repomap.rank import ReferenceGraph
    from coda_ls.repomap.repomap import RepoMap

    root = corpus(args, args.files)
    with tempfile.TemporaryDirectory(prefix="coda-snapshot-") as scratch:
        repo_map = RepoMap(root, RepoMapSettings(), cache_dir=Path(scratch))
        repo_map.build()  # cold: fills the tag cache
        repo_map.warm()  # builds the graph and words index once, stores them
        db = repo_map._cache.path
        assert db is not None
        with repo_map._lock:
            key = repo_map._snapshot_key("graph")
            words_key = repo_map._snapshot_key("words")
            files = repo_map._files.copy()
        assert key is not None and words_key is not None
        got: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            took, graph = timed(lambda: ReferenceGraph(files))
            prepared, _ = timed(graph.prepare)
            got.setdefault("graph: build (+ weighted form)", []).append(took + prepared)
            start = time.perf_counter()
            snapshot.save(Path(scratch) / "x.graph", key, graph)
            got.setdefault("graph: write", []).append(time.perf_counter() - start)
            took, loaded = timed(lambda: snapshot.load(snapshot.graph_file(db), key, files))
            assert loaded is not None
            got.setdefault("graph: load", []).append(took)
            del graph, loaded
            gc.collect()
            # Another generation than the graph's: no stored index applies, so the words
            # stored per file are decoded and indexed (what a restart did before).
            generation, repo_map._graph_generation = repo_map._graph_generation, -2
            took, index = timed(lambda: repo_map._new_lexical_index(files))
            repo_map._graph_generation = generation
            got.setdefault("words: build from stored words", []).append(took)
            took, loaded_words = timed(
                lambda: snapshot.load_words(snapshot.words_file(db), words_key, files)
            )
            assert loaded_words is not None
            got.setdefault("words: load", []).append(took)
            del index, loaded_words
            gc.collect()
        gc.collect()
        tracemalloc.start()
        held = snapshot.load_words(snapshot.words_file(db), words_key, files)
        assert held is not None
        gc.collect()
        words_mb = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()
        del held
        print(f"\n{len(files)} files, load average {_load():.1f}")
        print("| step | median | rounds |")
        print("|---|---|---|")
        for step, values in got.items():
            runs = ", ".join(f"{v:.2f}" for v in values)
            print(f"| {step} | {statistics.median(values):.2f} s | {runs} |")
        print(
            f"| sizes | graph {snapshot.graph_file(db).stat().st_size / 1e6:.0f} MB, "
            f"words {snapshot.words_file(db).stat().st_size / 1e6:.0f} MB, "
            f"tag cache {db.stat().st_size / 1e6:.0f} MB | |"
        )
        print(f"| words index held (tracemalloc) | {words_mb:.0f} MB | |")
        repo_map.close()


def _load() -> float:
    return os.getloadavg()[0]


if __name__ == "__main__":
    main()
