"""Tool plugins and diagrams: what they cost.

1. Plugin discovery, which runs when a Workspace builds its toolbox (every `coda ask`, every
   language-server workspace): the time `add_plugins` adds to a Toolbox whose built-in tools
   are already imported, in a fresh process (metadata scan + plugin imports), and for a
   second Toolbox in the same process; 0, 1 and 20 plugin distributions installed in a
   temporary site directory (real dist-info, as tests/support/plugin_site.py writes them).
2. Diagram generation (`file_diagram`, tag extraction included) on real modules of the
   standard library, call graph and class diagram, median of N runs.

    python benchmarks/plugins_diagrams.py [--runs 15]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coda_ls.diagrams import file_diagram  # noqa: E402
from tests.support.plugin_site import install_dist, install_example  # noqa: E402

TOOL = """from coda_ls.tools.sdk import PluginTool
class T(PluginTool):
    name = "bench_tool_{n}"
    description = "benchmark tool {n}"
    category = "read"
    async def run(self, args, context):
        return "ok"
"""


def site_with(count: int, base: Path) -> Path:
    site = base / f"site{count}"
    if site.exists():
        return site
    if count >= 1:
        install_example(site)
    for n in range(1, count):
        install_dist(site, f"bench-plugin-{n}", "1.0", {f"t{n}": f"bench_plugin_{n}:T"},
                     {f"bench_plugin_{n}.py": TOOL.format(n=n)})  # fmt: skip
    site.mkdir(parents=True, exist_ok=True)
    return site


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:,.1f}"


PROBE = """
import sys, time, json
from pathlib import Path
from coda_ls.config import Settings
from coda_ls.tools import PolicyOnlyAsker, Toolbox
from coda_ls.tools.catalog import add_plugins
settings = Settings()
box = Toolbox(Path.cwd(), settings, PolicyOnlyAsker())  # built-ins imported before timing
t0 = time.perf_counter(); add_plugins(box, settings); t1 = time.perf_counter()
box = Toolbox(Path.cwd(), settings, PolicyOnlyAsker())
t2 = time.perf_counter(); add_plugins(box, settings); t3 = time.perf_counter()
print(json.dumps([t1 - t0, t3 - t2, len(box.all_tools())]))
"""


def discovery(runs: int, base: Path) -> None:
    print("| plugins installed | tools offered | first toolbox: plugins add ms | next toolbox ms |")
    print("| ---: | ---: | ---: | ---: |")
    for count in (0, 1, 20):
        site = site_with(count, base)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)])}
        first, later, tools = [], [], 0
        for _ in range(runs):  # a fresh process each: the first scan is what `coda ask` pays
            out = subprocess.run([sys.executable, "-c", PROBE], cwd=base, env=env,
                                 capture_output=True, text=True, check=True)  # fmt: skip
            cold, warm, tools = json.loads(out.stdout)
            first.append(cold)
            later.append(warm)
        print(f"| {count} | {tools} | {median_ms(first)} | {median_ms(later)} |")


def diagrams(runs: int) -> None:
    print("\n| module | lines | diagram | nodes | edges | median ms |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for name in ("textwrap", "argparse", "typing"):
        path = Path(importlib.import_module(name).__file__ or "")
        lines = path.read_text().count("\n")
        for kind in ("call", "class"):
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                diagram = file_diagram(path, kind)  # type: ignore[arg-type]
                samples.append(time.perf_counter() - start)
            row = f"| {name}.py | {lines:,} | {kind} | {diagram.nodes} | {diagram.edges} |"
            print(f"{row} {median_ms(samples)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        discovery(args.runs, base)
    diagrams(args.runs)


if __name__ == "__main__":
    main()
