"""A cold build's CPU time against bare tree-sitter parsing of the same files (issue 16).

    python benchmarks/cold_cpu.py [--files 2000] [--rounds 2] [--tree PATH ...]

On a corpus of N real Python files (`benchmarks/monorepo.py`'s, made if missing), each
round runs, per tree, one process that parses every file with tree-sitter alone (bytes in
memory) and then builds the map serially in the process with an empty cache
(`RepoMap.build()`, no ranking): both as CPU seconds of that process, so a machine shared
with other jobs changes both alike. Trees interleave round by round; medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.monorepo import add_corpus_options, corpus  # noqa: E402

_SCRIPT = r"""
import sys, tempfile, time
from pathlib import Path
import tree_sitter, tree_sitter_python
from coda_ls.config import RepoMapSettings
from coda_ls.repomap.repomap import RepoMap
root = Path(sys.argv[1])
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))
blobs = [p.read_bytes() for p in sorted(root.rglob("*.py"))]
start = time.process_time()
for data in blobs:
    parser.parse(data)
bare = time.process_time() - start
with tempfile.TemporaryDirectory() as cache:
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=Path(cache), workers=1)
    start = time.process_time()
    repo_map.build()
    build = time.process_time() - start
    repo_map.close()
print(bare, build)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tree", type=Path, action="append", help="a Coda checkout to run")
    add_corpus_options(parser)
    args = parser.parse_args()
    trees = [t.resolve() for t in (args.tree or [REPO])]
    root = corpus(args, args.files)
    got: dict[Path, list[tuple[float, float, float]]] = {t: [] for t in trees}
    for r in range(args.rounds):
        for tree in trees:
            env = {**os.environ, "PYTHONPATH": str(tree)}
            done = subprocess.run(
                [sys.executable, "-c", _SCRIPT, str(root)],
                cwd=tree, env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            bare, build = (float(x) for x in done.stdout.split())
            load = os.getloadavg()[0]
            got[tree].append((bare, build, load))
            print(
                f"round {r + 1} {tree.name}: bare parse {bare:.2f} s, serial build "
                f"{build:.2f} s CPU = {build / bare:.2f}x, load {load:.1f}",
                flush=True,
            )
    print("\n| tree | files | bare parse CPU | serial cold build CPU | ratio | load |")
    print("|---|---|---|---|---|---|")
    for tree, runs in got.items():
        bare = statistics.median(b for b, _, _ in runs)
        build = statistics.median(b for _, b, _ in runs)
        ratio = statistics.median(b / a for a, b, _ in runs)
        load = statistics.median(x for _, _, x in runs)
        print(f"| {tree.name} | {args.files} | {bare:.2f} s | {build:.2f} s | {ratio:.2f}x "
              f"| {load:.1f} |")  # fmt: skip
    print("goal: cold build <= 1.8x bare parsing (one core)")


if __name__ == "__main__":
    main()
