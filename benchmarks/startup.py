"""CLI startup: wall time of `coda --help` and friends, and which heavy modules they import.

Each command runs N times as a fresh subprocess (median, min, max reported); a separate
`python -X importtime` run lists the top-level modules it imported. `coda --help` must not
import litellm, oci, tree_sitter, networkx, pydantic or httpx (the subcommands are loaded
lazily, and each imports its heavy dependencies inside the function that needs them).

    python benchmarks/startup.py [--runs 15] [--target 0.3]

Exit status 1 when a forbidden module is imported or a median misses the target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("litellm", "oci", "tree_sitter", "networkx", "pydantic", "httpx")
NOTED = ("rich", "prompt_toolkit", "pygls", "sqlite_utils", "tiktoken", "platformdirs")
COMMANDS: list[tuple[str, ...]] = [
    ("--help",),
    ("--version",),
    ("ask", "--help"),
    ("chat", "--help"),
    ("sessions", "--help"),
    ("serve", "--help"),
]


def _launcher() -> list[str]:
    """The installed `coda` script next to this Python, else `python -m coda_cli`."""
    script = Path(sys.executable).with_name("coda")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "coda_cli"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def wall_times(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env=_env())  # fmt: skip
        times.append(time.perf_counter() - started)
    return times


def imported(args: tuple[str, ...]) -> dict[str, float]:
    """Top-level package -> cumulative import time (s), from `python -X importtime`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "coda_cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    packages: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if not cumulative.isdigit():
            continue  # the header line
        top = name.strip().split(".")[0]
        packages[top] = max(packages.get(top, 0.0), int(cumulative) / 1e6)
    return packages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--target", type=float, default=0.3, help="seconds, median")
    args = parser.parse_args()
    launcher = _launcher()
    baseline = statistics.median(wall_times([sys.executable, "-c", "pass"], args.runs))
    print(f"launcher: {' '.join(launcher)}   ({args.runs} runs each; python -c pass: "
          f"{baseline * 1000:.0f} ms)\n")  # fmt: skip
    header = f"{'command':<22} {'median':>8} {'min':>7} {'max':>7}  {'heavy imports':<28} noted"
    print(header)
    print("-" * (len(header) + 30))
    failed = False
    top_imports = ""
    for command in COMMANDS:
        times = wall_times([*launcher, *command], args.runs)
        median = statistics.median(times)
        packages = imported(command)
        heavy = [name for name in FORBIDDEN if name in packages]
        noted = [f"{name} {packages[name] * 1000:.0f}ms" for name in NOTED if name in packages]
        gate = command == ("--help",) or command[-1] == "--help"
        too_slow = median > args.target
        bad = bool(heavy) and command == ("--help",)
        failed |= bad or (too_slow and gate)
        verdict = "FAIL" if bad or (too_slow and gate) else "ok"
        name = "coda " + " ".join(command)
        print(
            f"{name:<22} {median * 1000:>6.0f}ms {min(times) * 1000:>5.0f}ms "
            f"{max(times) * 1000:>5.0f}ms  {', '.join(heavy) or 'none':<28} "
            f"{', '.join(noted) or '-'}  {verdict}"
        )
        if command == ("--help",):
            slowest = sorted(packages.items(), key=lambda item: -item[1])[:4]
            top_imports = ", ".join(f"{n} {t * 1000:.0f}ms" for n, t in slowest)
    print(f"\nslowest imports of `coda --help`: {top_imports}")
    print(f"target: median <= {args.target * 1000:.0f} ms; `coda --help` imports none of "
          f"{', '.join(FORBIDDEN)}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
