"""The reference graph's memory per file stays small (issue 16): paths and names interned
as ids, references, edges and shares in arrays rather than a dict, a string or a float
object per entry. Measured with tracemalloc on a generated project loaded from a warm
cache (what the ranking worker holds), graph built and a focused map ranked."""

from __future__ import annotations

import gc
import random
import tracemalloc
from pathlib import Path

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import lexical, rank
from coda_ls.repomap.rank import ReferenceGraph
from coda_ls.repomap.repomap import RepoMap

FILES = 400
# Measured on this corpus: 5.4 KB per file with ids and arrays, 17.0 KB with the graph of
# path-keyed dicts of floats it replaced. Generous against allocator and version noise.
MAX_BYTES_PER_FILE = 10_000


def module(i: int, rng: random.Random) -> str:
    """A module of a package: a class and functions of its own, using ~25 names that
    other modules define (each name defined in 1-4 modules, as in a real project)."""
    own = [f"compute_{i}_{k}" for k in range(6)]
    used = [f"compute_{rng.randrange(FILES)}_{rng.randrange(6)}" for _ in range(25)]
    used += [f"Record{rng.randrange(FILES // 3)}" for _ in range(5)]
    imports = "".join(
        f"from pkg.part{rng.randrange(8)}.mod{rng.randrange(FILES)} import {name}\n"
        for name in used[:6]
    )
    body = "".join(
        f"def {name}(value):\n" + "".join(f"    {rng.choice(used)}(value)\n" for _ in range(4))
        for name in own
    )
    record = f"class Record{i // 3}:\n    def update(self):\n        {used[0]}(self)\n"
    return f"{imports}\n{body}\n{record}"


def test_graph_memory_per_file(tmp_path: Path) -> None:
    rng = random.Random(16)
    root = tmp_path / "project"
    for i in range(FILES):
        path = root / "pkg" / f"part{i % 8}" / f"mod{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module(i, rng))
    cache = tmp_path / "cache"
    cold = RepoMap(root, RepoMapSettings(), cache_dir=cache)
    cold.build()
    cold.close()
    warm = RepoMap(root, RepoMapSettings(), cache_dir=cache)  # files kept as cache rows
    warm.build()
    files = warm._files.copy()
    warm.close()
    assert len(files) == FILES
    focus = "pkg/part3/mod99.py"
    # Caches of pure functions filled while building are not the graph's memory.
    lexical.split_name.cache_clear()
    rank._ident_weight.cache_clear()
    gc.collect()
    tracemalloc.start()
    try:
        graph = ReferenceGraph(files)
        ranked = graph.rank(focus_files=[focus], limit=60)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(ranked) == 60
    assert used / FILES < MAX_BYTES_PER_FILE, f"{used / FILES:.0f} bytes per file"
