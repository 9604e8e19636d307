"""The ranking worker's memory and speed: what holding a map's reference graph costs.

    python benchmarks/graph_memory.py --corpus /tmp/coda-monorepo-5000 [--corpus ...]
        [--tree PATH ...] [--rounds 1] [--home DIR] [--trace N]

Each run is a fresh process doing what the ranking worker does (held.py): load the map
from a warm tag cache, build the reference graph and the words index (`RepoMap.warm`),
move them out of the GC's sight, then render two maps focused on a file each (1024
tokens, personalized: neither persisted nor ranked ahead). Printed per tree and corpus:
RSS after the load, after the graph and words index, after the first focused map; the
graph's build time, the words index's, both focused maps' times; medians over `--rounds`,
trees interleaved round by round. `--trace N` instead runs once per tree with tracemalloc
started after the load and prints the N source lines holding most of what was allocated
for the graph, the words index and the first focused map.

The corpora are `benchmarks/monorepo.py`'s (`<work>/coda-monorepo-N`); their tag cache
must be warm under `--home` (`XDG_CACHE_HOME=<home>/.cache`: one cold build fills it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_RUN = r"""
import gc, hashlib, json, sys, time, tracemalloc
from pathlib import Path
from coda_ls.config import RepoMapSettings
from coda_ls.repomap.held import settle  # what the worker does after warming
from coda_ls.repomap.repomap import RepoMap

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

root, trace = Path(sys.argv[1]), int(sys.argv[2])
out = {}
repo_map = RepoMap(root, RepoMapSettings())
# Rank every time: a focused map without a question is persisted (a second run would
# load it from the cache and measure nothing).
repo_map._cache.get_ranking = lambda key: None
repo_map._cache.put_ranking = lambda key, blob: None
t = time.perf_counter()
repo_map.build()
out["load_s"] = time.perf_counter() - t
if repo_map.last_build.get("parsed", 0):
    raise SystemExit(f"the cache of {root} was not warm")
out["rss_loaded"] = rss_mb()
if trace:
    tracemalloc.start()
t = time.perf_counter()
repo_map._with_graph(lambda graph: None)
out["graph_s"] = time.perf_counter() - t
out["rss_graph"] = rss_mb()
t = time.perf_counter()
repo_map.warm()  # the words index (the graph is built)
out["words_s"] = time.perf_counter() - t
settle()
gc.collect()
out["rss_warm"] = rss_mb()
files = sorted(repo_map.files)
picks = [files[len(files) // 3], files[2 * len(files) // 3]]
for i, rel in enumerate(picks):
    t = time.perf_counter()
    rendered = repo_map.render(1024, focus_files=[root / rel])
    out[f"focused{i}_s"] = time.perf_counter() - t
    out[f"rss_focused{i}"] = rss_mb()
    out[f"map{i}"] = hashlib.sha1(rendered.text.encode()).hexdigest()[:10]
if trace:
    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("lineno")
    out["traced_mb"] = sum(s.size for s in stats) / 2**20
    out["top"] = [
        ("/".join(str(s.traceback[0].filename).rsplit("/", 2)[-2:]), s.traceback[0].lineno,
         s.size / 2**20, s.count)
        for s in stats[:trace]
    ]
repo_map.close()
print(json.dumps(out))
"""

FIELDS = [
    ("rss_loaded", "RSS loaded", "MB"),
    ("rss_warm", "RSS graph+words", "MB"),
    ("rss_focused0", "RSS after focused", "MB"),
    ("graph_s", "graph build", "s"),
    ("words_s", "words index", "s"),
    ("focused0_s", "focused 1st", "s"),
    ("focused1_s", "focused 2nd", "s"),
]


def run(tree: Path, corpus: Path, home: Path, trace: int) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODA_")}
    env.update(PYTHONPATH=str(tree), XDG_CACHE_HOME=str(home / ".cache"), HOME=str(home))
    done = subprocess.run(
        [sys.executable, "-c", _RUN, str(corpus), str(trace)],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"{tree} on {corpus} failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", required=True)
    parser.add_argument("--tree", type=Path, action="append")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--home", type=Path, default=Path("/tmp/coda-graph-memory-home"))
    parser.add_argument("--trace", type=int, default=0)
    args = parser.parse_args()
    trees: list[Path] = args.tree or [REPO]
    for corpus in args.corpus:
        runs: dict[Path, list[dict[str, object]]] = {tree: [] for tree in trees}
        for _ in range(1 if args.trace else args.rounds):
            for tree in trees:
                result = run(tree, corpus, args.home, args.trace)
                runs[tree].append(result)
                brief = " ".join(f"{k}={float(result[k]):.2f}" for k, _, _ in FIELDS)  # type: ignore[arg-type]
                print(f"# {corpus.name} {tree}: {brief}", flush=True)
                if args.trace:
                    print(f"  traced {float(result['traced_mb']):.1f} MB:")  # type: ignore[arg-type]
                    for where, line, size, count in result["top"]:  # type: ignore[attr-defined]
                        print(f"  {size:8.1f} MB {count:>9} {where}:{line}")
        print(f"\n{corpus.name}, medians of {len(next(iter(runs.values())))} run(s)")
        print("| tree | " + " | ".join(f"{label} ({unit})" for _, label, unit in FIELDS) + " |")
        print("|---" * (len(FIELDS) + 1) + "|")
        for tree, results in runs.items():
            cells = [
                f"{statistics.median(float(r[key]) for r in results):.2f}"  # type: ignore[arg-type]
                for key, _, _ in FIELDS
            ]
            maps = sorted({f"{r['map0']}/{r['map1']}" for r in results})
            print(f"| {tree} | " + " | ".join(cells) + f" | maps {' '.join(maps)}")


if __name__ == "__main__":
    main()
