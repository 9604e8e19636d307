"""How fast Coda learns a git repository of 10,000 tracked files.

    python benchmarks/vcs.py [--files N] [--repeat R]

Builds a temporary repository (100 directories x 100 files, one commit, a few changes),
then times, best and median of R runs: `detect` (walk up, no subprocess), detect +
`tracked_files`, `status`, and `describe` (branch, revision, status and file count
together, as `coda vcs` does). The target is detection + the tracked-file list in 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coda_ls.vcs import describe, detect, run_sync

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def build(root: Path, files: int) -> None:
    per_dir = 100
    for i in range(files):
        folder = root / f"pkg{i // per_dir:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"mod{i % per_dir:03d}.py").write_text(f"VALUE = {i}\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=ENV)
    subprocess.run(["git", "add", "."], cwd=root, check=True, env=ENV)
    subprocess.run(["git", "commit", "-q", "-m", "bench"], cwd=root, check=True, env=ENV)
    for i in range(10):  # a few uncommitted changes, so status has work to report
        (root / "pkg000" / f"mod{i:03d}.py").write_text("changed\n")
    (root / "untracked.py").write_text("new\n")


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build(root, args.files)
        deep = root / "pkg050"
        count = len(detect(deep).sync.tracked_files())
        assert count == args.files, count
        rows = [
            ("detect (walk up, no subprocess)", lambda: detect(deep)),
            ("detect + tracked_files", lambda: detect(deep).sync.tracked_files()),
            ("detect + status", lambda: detect(deep).sync.status()),
            ("detect + describe (coda vcs)", lambda: run_sync(describe(detect(deep)))),
        ]
        print(f"git repository, {count} tracked files, best/median of {args.repeat} runs")
        print(f"{'operation':<34} {'best':>10} {'median':>10}")
        for name, fn in rows:
            best, median = measure(fn, args.repeat)
            print(f"{name:<34} {best * 1000:>8.1f}ms {median * 1000:>8.1f}ms")
        best, _ = measure(rows[1][1], args.repeat)
        verdict = "ok" if best <= 0.5 else "TOO SLOW"
        print(f"target: detect + tracked_files <= 500 ms: {verdict}")


if __name__ == "__main__":
    main()
