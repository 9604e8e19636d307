"""Editor clients end to end: wall time of each headless editor scenario in tests/editors
(Emacs + eglot, Neovim 0.7 / 0.12, VS Code in code-server), median of N pytest runs.

Each repetition runs the editor tests once with `--durations=0` and reads the time of each
test's call phase (the editor session itself; the setup, e.g. code-server starting, is
reported separately). Clients not installed are reported as skipped.

    python benchmarks/editors.py [--runs 3] [-k EXPR]

Needs what the tests need (see tests/editors/*); CODA_CODE_SERVER as set by .ci/run, or the
default cache ~/.cache/coda-ci/code-server-4.100.3.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = re.compile(r"^\s*([\d.]+)s (call|setup)\s+(\S+)", re.MULTILINE)
SKIPPED = re.compile(r"^SKIPPED \[\d+\] (\S+): (.*)$", re.MULTILINE)


def run_once(keyword: str | None) -> tuple[dict[tuple[str, str], float], list[str], int]:
    command = [sys.executable, "-m", "pytest", "tests/editors", "-q", "-rs", "--durations=0"]
    command += ["-p", "no:cacheprovider", "--durations-min=0"]
    if keyword:
        command += ["-k", keyword]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    times = {(m[3], m[2]): float(m[1]) for m in DURATION.finditer(proc.stdout)}
    skipped = [f"{m[1]}: {m[2]}" for m in SKIPPED.finditer(proc.stdout)]
    return times, skipped, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("-k", dest="keyword", help="pytest -k expression")
    args = parser.parse_args()
    samples: dict[tuple[str, str], list[float]] = defaultdict(list)
    skipped: set[str] = set()
    failed = 0
    for _ in range(args.runs):
        times, skips, code = run_once(args.keyword)
        failed += code not in (0, 5)
        skipped.update(skips)
        for key, seconds in times.items():
            samples[key].append(seconds)
    print("| test | phase | median s | min s | max s | runs |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for (test, phase), values in sorted(samples.items()):
        if phase == "setup" and max(values) < 0.5:
            continue  # only setups worth naming (code-server start, vsix install)
        if max(values) < 0.1:
            continue  # skipped where it does not apply (listed below)
        name = test.removeprefix("tests/editors/")
        print(
            f"| {name} | {phase} | {statistics.median(values):.1f} | {min(values):.1f} "
            f"| {max(values):.1f} | {len(values)} |"
        )
    for reason in sorted(skipped):
        print(f"\nskipped: {reason}")
    if failed:
        print(f"\n{failed} of {args.runs} runs had failures (see pytest for details)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
