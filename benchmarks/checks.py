"""`coda docs check` and `coda changelog check` on a real repository's history.

    python benchmarks/checks.py [--git DIR] [--since REV] [--runs N]

Clones DIR (default: pallets/click's mirror) into a temporary directory, then runs both
checks through the CLI in a subprocess, `--runs` times each, and prints a table: wall
time (median), changed symbols, stale mentions, changes checked and entries missing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_GIT = Path("/work/.mirror/pallets+click/repo")


def run(args: list[str], cwd: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "coda_cli", *args, "--json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr}")
    data: dict[str, object] = json.loads(proc.stdout)
    return elapsed, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--git", type=Path, default=DEFAULT_GIT)
    parser.add_argument("--since", default="8.4.0", help="REV for docs check")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    if not options.git.exists():
        raise SystemExit(f"{options.git} not found: give --git DIR (a clone of a repository)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(options.git), str(work)], check=True)
        rows = []
        for label, args in (
            (f"docs check --since {options.since}", ["docs", "check", "--since", options.since]),
            ("changelog check", ["changelog", "check"]),
        ):
            times = []
            data: dict[str, object] = {}
            for _ in range(options.runs):
                elapsed, data = run(args, work)
                times.append(elapsed)
            rows.append((label, statistics.median(times), data))
    print(f"| command | wall (median of {options.runs}) | result |")
    print("|---|---|---|")
    for label, wall, data in rows:
        if "stale" in data:
            changed = data["changed_symbols"]
            stale = data["stale"]
            assert isinstance(changed, list) and isinstance(stale, list)
            kinds: dict[str, int] = {}
            for item in changed:
                kinds[item["change"]] = kinds.get(item["change"], 0) + 1
            result = (
                f"{len(changed)} changed symbols {kinds}, {len(stale)} stale mentions of "
                f"{len({m['symbol'] for m in stale})} symbols in {data['docs_scanned']} documents"
            )
        else:
            missing = data["missing"]
            assert isinstance(missing, list)
            result = (
                f"convention {data['convention']} ({data['path']}), release {data['release']}, "
                f"{data['checked']} changes checked, {len(missing)} without an entry"
            )
        print(f"| `coda {label}` | {wall:.1f} s | {result} |")


if __name__ == "__main__":
    main()
