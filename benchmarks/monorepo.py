"""The repo map at monorepo scale: real Python files from five sdists, repeated to N files.

    python benchmarks/monorepo.py [--files 5000 --files 20000] [--rounds 3] [--cold-rounds 1]
        [--floor] [--tree PATH ...] [--mode cli|server|parse|pool|all] [--sdists DIR]
        [--work DIR]

Corpora: the Python files of the Django, SymPy, pandas, NumPy and SciPy sdists
(`pip download --no-deps --no-binary :all:`, archives already in `--sdists` are reused),
unpacked with `tar --no-same-owner` and copied in rounds (`copy0/`, `copy1/`, ...) until
the corpus has N files, under `<work>/coda-monorepo-N`, committed to a fresh git
repository so the map lists files through the VCS as it would in a user's project.

Each `--tree` is a checkout of Coda (default: this one) run with the shared Python and
`PYTHONPATH=<tree>`; giving two trees (before, after) interleaves their runs round by round
on the same corpora, so both see the same machine load. Measured per tree and corpus:

- cli: `coda map --tokens 1024 <corpus>` as a whole process: cold (empty cache) and warm
  wall time, the warm build as the CLI reports it ("built in X s"), peak RSS (wait4's
  ru_maxrss), the cache's size, and a hash of the printed map (same hash = same output);
- parse: bare tree-sitter parsing of the same files on one core (bytes already in
  memory), the floor a cold build is compared with;
- pool: a cold `RepoMap.build()` alone (no ranking) parsing serially in the process, in a
  pool of one worker process (what the server does, to keep its GIL free) and of two,
  for the crossover where processes pay;
- warm: on a warm cache shared by the trees (`<work>/coda-monorepo-warm/N`, built once,
  cold, if missing, and kept; the tag cache does not depend on the tree), `coda map` as
  a whole process against the build alone in a process (`RepoMap.build()`, the cache
  load), each as wall and CPU time (user + system, children included): on a shared
  machine the CPU ratio is the steady one;
- server: `coda-ls` over stdio with an empty cache then a warm one: initialize -> map
  ready ($/progress end), the first `coda.repoMap` right after ready, RSS at ready and
  after that first map, and code-action latency (max, p95) while the cold build runs.

Medians over `--rounds`. Nothing touches the network after the sdists are downloaded.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.lsp import Client, initialize, pct  # noqa: E402

PACKAGES = ("django", "sympy", "pandas", "numpy", "scipy")
BUILT = re.compile(r"built in ([0-9.]+)s")
GOALS = {
    "warm wall / warm build": "<= 1.5",
    "cold / bare parse": "<= 1.8",
    "first repoMap after ready": "<= 200 ms (20k)",
    "RSS after ready": "<= 350 MB (20k)",
    "code action max during cold build": "<= 50 ms",
}


# -- corpora ------------------------------------------------------------------------------


def fetch_sdists(sdists: Path) -> list[Path]:
    """One source archive per package: reused when present, else downloaded."""
    sdists.mkdir(parents=True, exist_ok=True)
    archives: list[Path] = []
    for name in PACKAGES:
        found = sorted(sdists.glob(f"{name}-*.tar.gz"))
        if not found:
            print(f"downloading the {name} sdist (pip builds its metadata: minutes for NumPy)")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                 "--quiet", "-d", str(sdists), name],
                check=True,
            )  # fmt: skip
            found = sorted(sdists.glob(f"{name}-*.tar.gz"))
        archives.append(found[-1])
    return archives


def unpack(archives: list[Path], dest: Path) -> list[Path]:
    """Every .py file of the archives, unpacked once under `dest` (sorted, stable)."""
    for archive in archives:
        target = dest / archive.name.removesuffix(".tar.gz")
        if not target.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            # --no-same-owner: as root, tar keeps the sdist's uid and git then refuses
            # the tree ("dubious ownership").
            subprocess.run(
                ["tar", "--no-same-owner", "-xzf", str(archive), "-C", str(dest)], check=True
            )
    return sorted(p for p in dest.rglob("*.py") if p.is_file())


def assemble(sources: list[Path], src_root: Path, n: int, work: Path) -> Path:
    """`<work>/coda-monorepo-N`: the source files copied in rounds to N, committed."""
    root = work / f"coda-monorepo-{n}"
    marker = root / ".corpus"
    if marker.is_file() and marker.read_text() == f"{n}\n":
        return root
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for i in range(n):
        source = sources[i % len(sources)]
        target = root / f"copy{i // len(sources)}" / source.relative_to(src_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    git = ["git", "-C", str(root), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", f"corpus of {n} files"], check=True)
    marker.write_text(f"{n}\n")  # untracked: written after the commit
    return root


def add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """`--sdists` and `--work`: where the sdists and the assembled corpora live."""
    parser.add_argument("--sdists", type=Path, default=Path(tempfile.gettempdir()) / "coda-sdists")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))


def corpus(args: argparse.Namespace, n: int) -> Path:
    """The corpus of `n` files under `args.work` (see add_corpus_options), made if missing."""
    src_root = args.sdists / "src"
    return assemble(unpack(fetch_sdists(args.sdists), src_root), src_root, n, args.work)


def corpus_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.py"))


# -- one process of the CLI -----------------------------------------------------------------


@dataclass
class CliRun:
    wall: float
    build: float
    rss_mb: float
    output: str  # hash of stdout
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for
    load: float = 0.0  # 1-minute load average when it ended (the machine is shared)


def environment(tree: Path, home: Path) -> dict[str, str]:
    # No PYTHONDONTWRITEBYTECODE: an installed Coda has its bytecode compiled (pip does
    # it), and without it each run compiles ~60 modules again (+0.1 s on the warm map).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CODA_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        PYTHONPATH=str(tree),
        COLUMNS="200",
        OLLAMA_HOST="http://127.0.0.1:9",  # never reached
    )
    return env


def run_cli(tree: Path, root: Path, home: Path) -> CliRun:
    out = home / "stdout.txt"
    err = home / "stderr.txt"
    peak = home / "maxrss.txt"
    peak.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "coda_cli", "map", "--tokens", "1024", str(root)]
    # Peak RSS through /usr/bin/time: a child forked from this (large) process starts its
    # ru_maxrss at this process's RSS, which Linux keeps across exec.
    timed = ["/usr/bin/time", "-f", "%M", "-o", str(peak), *cmd]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        start = time.perf_counter()
        # cwd=tree: `python -m` puts the cwd first on sys.path, so each tree runs its own code.
        process = subprocess.Popen(
            timed if Path(timed[0]).exists() else cmd,
            stdout=stdout, stderr=stderr, cwd=tree, env=environment(tree, home),
        )  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    rss_kb = int(peak.read_text().split()[-1]) if peak.exists() else usage.ru_maxrss
    text = err.read_text(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"coda map failed ({process.returncode}): {text[-2000:]}")
    found = BUILT.search(text)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:12]
    build = float(found.group(1)) if found else float("nan")
    cpu = usage.ru_utime + usage.ru_stime  # wait4: the child and its reaped descendants
    return CliRun(wall, build, rss_kb / 1024, digest, cpu, os.getloadavg()[0])


def cache_size(home: Path) -> int:
    base = home / ".cache" / "coda" / "repomap"
    return sum(p.stat().st_size for p in base.glob("*")) if base.is_dir() else 0


# -- bare parsing -------------------------------------------------------------------------


def bare_parse(root: Path) -> float:
    """Seconds tree-sitter takes to parse every .py file of `root` (bytes in memory)."""
    import tree_sitter
    import tree_sitter_python

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))
    blobs = [p.read_bytes() for p in sorted(root.rglob("*.py"))]
    start = time.perf_counter()
    for data in blobs:
        parser.parse(data)
    return time.perf_counter() - start


# -- serial vs process pool ----------------------------------------------------------------

_POOL_SCRIPT = r"""
import sys, tempfile, time
from pathlib import Path
from coda_ls.config import RepoMapSettings
from coda_ls.repomap.repomap import RepoMap
root, workers = Path(sys.argv[1]), int(sys.argv[2])
with tempfile.TemporaryDirectory() as cache:
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=Path(cache), workers=max(workers, 1))
    start = time.perf_counter()
    if workers == 0:
        repo_map.build()
    else:
        repo_map.build(isolated=True)
    print(time.perf_counter() - start)
    repo_map.close()
"""


def run_pool(tree: Path, root: Path, home: Path, workers: int) -> float:
    """Seconds of a cold build: serial in-process (0), or in a pool of `workers`."""
    done = subprocess.run(
        [sys.executable, "-c", _POOL_SCRIPT, str(root), str(workers)],
        cwd=tree, env=environment(tree, home), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(done.stdout.strip().splitlines()[-1])


# -- warm: the CLI against its own cache load ----------------------------------------------

_WARM_SCRIPT = r"""
import resource, sys, time
from pathlib import Path
from coda_ls.config import RepoMapSettings
from coda_ls.repomap.repomap import RepoMap
def cpu_now():  # this process and its waited-for children (git), in microseconds
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
repo_map = RepoMap(Path(sys.argv[1]), RepoMapSettings())
before, start = cpu_now(), time.perf_counter()
repo_map.build()
wall, cpu = time.perf_counter() - start, cpu_now() - before
print(wall, cpu, repo_map.last_build.get("parsed", 0))
repo_map.close()
"""


def run_warm_build(tree: Path, root: Path, home: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of a warm `RepoMap.build()` alone, in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _WARM_SCRIPT, str(root)],
        cwd=tree, env=environment(tree, home), capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall, cpu, parsed = done.stdout.split()
    if int(parsed):
        raise RuntimeError(f"the cache of {root} was not warm ({parsed} files parsed)")
    return float(wall), float(cpu)


# -- the server ---------------------------------------------------------------------------


@dataclass
class ServerRun:
    ready: float  # the map's progress ended: questions are ranked at once
    first_map: float
    rss_ready_mb: float
    rss_after_mb: float
    actions: list[float] = field(default_factory=list)
    idle: list[float] = field(default_factory=list)  # after ready: the machine's noise
    # The control: a request the server answers with an error at once (no handler), sent
    # alternately with the code actions, so a spike in both is the server's thread not
    # running at all (another thread holding the GIL, or the machine), one in code actions
    # alone their own work.
    noops: list[float] = field(default_factory=list)
    # (start, latency, kind) of requests over SPIKE, and (start, lateness) of the probe
    # process's 1 ms sleeps that woke > 10 ms late (the machine's scheduling, not ours).
    spikes: list[tuple[float, float, str]] = field(default_factory=list)
    stalls: list[tuple[float, float]] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start, at ready
    served: float = float("nan")  # the map served (a server reporting two stages)
    focused: float = float("nan")  # first `coda.repoMap` focused on a file (a question)
    focused_again: float = float("nan")  # then focused on another file
    rss_focused_mb: float = float("nan")
    workers_mb: float = float("nan")  # the server's worker processes (the ranking worker)

    def machine_spikes(self) -> int:
        """Spikes during which the probe process also woke late: machine load."""
        return sum(
            any(s - 0.02 <= t0 + late and t0 <= s + lat for t0, late in self.stalls)
            for s, lat, _ in self.spikes
        )


SPIKE = 0.05  # the goal's bound for a code action during a cold build
PROBE = """
import sys, time
out = open(sys.argv[1], "w", buffering=1)
while True:
    t = time.perf_counter()
    time.sleep(0.001)
    late = time.perf_counter() - t - 0.001
    if late > 0.01:
        out.write(f"{t:.4f} {late:.4f}\\n")
"""


def children_rss_mb(pid: int) -> float:
    """RSS of a process's descendants (the server's workers), in MB."""
    total = 0
    todo = [pid]
    while todo:
        parent = todo.pop()
        kids = []
        # Per thread: a pool started from a worker thread is that thread's children.
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids += (task / "children").read_text().split()
            except OSError:
                continue
        for kid in map(int, kids):
            todo.append(kid)
            try:
                status = Path(f"/proc/{kid}/status").read_text()
            except OSError:
                continue
            line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), None)
            total += int(line.split()[1]) if line else 0
    return total / 1024


async def raw_call(client: Client, method: str, params: Any) -> Any:
    """A request whose error reply is an answer too (the no-op control)."""
    client._id += 1
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    client.pending[client._id] = future
    client._send({"id": client._id, "method": method, "params": params})
    return await asyncio.wait_for(future, 600)


async def traffic(
    client: Client, uris: list[str], start: float, run: ServerRun, until_ready: bool, count: int
) -> tuple[list[float], list[float]]:
    """Code actions alternating with no-op requests: (action latencies, no-op latencies)."""
    rng = random.Random(1)
    actions: list[float] = []
    noops: list[float] = []
    for _ in range(count):
        line = rng.randrange(0, 30)
        params = {
            "textDocument": {"uri": rng.choice(uris)},
            "range": {
                "start": {"line": line, "character": 0},
                "end": {"line": line + rng.randrange(0, 8), "character": 4},
            },
            "context": {"diagnostics": []},
        }
        t = time.perf_counter()
        found = await client.call("textDocument/codeAction", params)
        took = time.perf_counter() - t
        assert len(found) >= 3
        actions.append(took)
        if took > SPIKE:
            run.spikes.append((t - start, took, "action"))
        t = time.perf_counter()
        await raw_call(client, "coda/noop", {})
        took = time.perf_counter() - t
        noops.append(took)
        if took > SPIKE:
            run.spikes.append((t - start, took, "noop"))
        if until_ready and client.map_ready() is not None:
            break
    return actions, noops


async def run_server(
    tree: Path, root: Path, home: Path, actions: bool, focus_from: int = 0
) -> ServerRun:
    """One server start. `focus_from`: which of the sampled files the two focused maps
    are for (a restart asks for files the run before did not: their rankings are not
    persisted, so the restart really ranks them)."""
    log = home / "server.log"
    stalls = home / "probe.txt"
    probe = subprocess.Popen([sys.executable, "-c", PROBE, str(stalls)])
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coda_ls",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=log.open("ab"), env=environment(tree, home), cwd=str(tree), limit=2**24,
    )  # fmt: skip
    client = Client(process)
    run = ServerRun(0.0, 0.0, 0.0, 0.0)
    load_start = os.getloadavg()[0]
    start = time.perf_counter()
    try:
        start = await initialize(client, root)
        files = sorted(root.rglob("*.py"))
        sample = random.Random(2).sample(files, min(200, len(files)))
        uris = [p.as_uri() for p in sample]
        # This process's own full collections (its corpus lists) must not show up as
        # the server's latency.
        gc.collect()
        gc.freeze()
        if actions:
            run.actions, run.noops = await traffic(client, uris, start, run, True, 10**7)
        while client.map_ready() is None:
            if time.perf_counter() - start > 1800:
                raise TimeoutError("the repo map was not ready in 30 minutes")
            await asyncio.sleep(0.005)
        ready_at = client.map_ready()
        assert ready_at is not None
        run.load = (load_start, os.getloadavg()[0])
        run.ready = ready_at - start
        served = client.map_first_served()
        run.served = (served if served is not None else ready_at) - start
        run.rss_ready_mb = client.rss_kb() / 1024
        t = time.perf_counter()
        await client.command("coda.repoMap", {"tokens": 1024})
        run.first_map = time.perf_counter() - t
        run.rss_after_mb = client.rss_kb() / 1024
        # A map for a file in focus: personalized, so neither persisted nor ranked ahead
        # (what a question about the file open in the editor ranks).
        for i, path in enumerate(sample[focus_from : focus_from + 2]):
            t = time.perf_counter()
            await client.command("coda.repoMap", {"tokens": 1024, "focus": [path.as_uri()]})
            took = time.perf_counter() - t
            if i == 0:
                run.focused = took
                run.rss_focused_mb = client.rss_kb() / 1024
            else:
                run.focused_again = took
        run.workers_mb = children_rss_mb(process.pid)
        if actions:
            run.idle, _ = await traffic(client, uris, start, ServerRun(0, 0, 0, 0), False, 300)
        return run
    finally:
        await client.stop()
        probe.kill()
        probe.wait()
        if stalls.exists():
            for line in stalls.read_text().split("\n"):
                if line.strip():
                    at, late = map(float, line.split())
                    run.stalls.append((at - start, late))


# -- the report ---------------------------------------------------------------------------


def spike_report(run: ServerRun) -> str:
    """Code actions and the no-op control during the cold build: max, p95, spikes."""
    acts, noops = run.actions, run.noops
    worst = sorted(run.spikes, key=lambda s: -s[1])[:5]
    return (
        f"during build: action max {max(acts) * 1000:.0f} p95 {pct(acts, 0.95) * 1000:.1f} "
        f"p99 {pct(acts, 0.99) * 1000:.1f} ms (n={len(acts)}); no-op max "
        f"{max(noops) * 1000:.0f} p95 {pct(noops, 0.95) * 1000:.1f} ms; "
        f"> {SPIKE * 1000:.0f} ms: {sum(k == 'action' for *_, k in run.spikes)} actions, "
        f"{sum(k == 'noop' for *_, k in run.spikes)} no-ops, "
        f"{run.machine_spikes()} with the probe late too; probe stalls > 10 ms: "
        f"{len(run.stalls)} (max {max((x[1] for x in run.stalls), default=0) * 1000:.0f} ms); "
        "worst: " + ", ".join(f"{k} {lat * 1000:.0f} ms at {t:.1f} s" for t, lat, k in worst)
    )


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, action="append", help="corpus size (repeatable)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--tree", type=Path, action="append", help="a Coda checkout to run")
    parser.add_argument(
        "--mode", choices=("cli", "warm", "server", "parse", "pool", "all"), default="all"
    )
    add_corpus_options(parser)
    parser.add_argument(
        "--floor", action="store_true", help="also a 1-file corpus: the CLI's fixed cost"
    )
    parser.add_argument(
        "--cold-rounds", type=int, help="rounds with cold and server runs (default: all)"
    )
    args = parser.parse_args()
    sizes = args.files or [5000, 20000]
    if args.floor:
        sizes = [1, *sizes]
    trees = [t.resolve() for t in (args.tree or [REPO])]

    archives = fetch_sdists(args.sdists)
    src_root = args.sdists / "src"
    sources = unpack(archives, src_root)
    print(f"{len(sources)} Python files in {', '.join(a.name for a in archives)}\n")
    corpora = {n: assemble(sources, src_root, n, args.work) for n in sizes}
    sizes_mb = {n: corpus_bytes(root) / 1e6 for n, root in corpora.items()}

    name = {tree: tree.name for tree in trees}
    cli: dict[tuple[Path, int], dict[str, list[Any]]] = {}
    servers: dict[tuple[Path, int, str], list[ServerRun]] = {}
    parse: dict[int, list[float]] = {}
    pools: dict[tuple[Path, int, int], list[float]] = {}
    warms: dict[tuple[Path, int], dict[str, list[float]]] = {}
    homes = Path(tempfile.mkdtemp(prefix="coda-monorepo-homes-"))
    try:
        for r in range(args.rounds):
            cold_round = args.cold_rounds is None or r < args.cold_rounds
            for n, root in corpora.items():
                if args.mode in ("parse", "pool", "all"):
                    parse.setdefault(n, []).append(bare_parse(root))
                # Kept between runs (a cold 20k build is minutes on a busy machine).
                warm_home = args.work / "coda-monorepo-warm" / str(n)
                if args.mode == "warm" and r == 0:
                    warm_home.mkdir(parents=True, exist_ok=True)
                    run_cli(trees[0], root, warm_home)  # the cache (cold only the first time)
                for tree in trees if args.mode == "warm" else ():
                    home = warm_home
                    run_cli(tree, root, home)  # persists this tree's ranking (its code's key)
                    cli_run = run_cli(tree, root, home)
                    build_wall, build_cpu = run_warm_build(tree, root, home)
                    got_w = warms.setdefault((tree, n), {})
                    for key, value in (("wall", cli_run.wall), ("cpu", cli_run.cpu),
                                       ("build_wall", build_wall), ("build_cpu", build_cpu),
                                       ("load", cli_run.load)):  # fmt: skip
                        got_w.setdefault(key, []).append(value)
                    print(
                        f"round {r + 1} {name[tree]} {n} warm: cli {cli_run.wall:.2f} s wall "
                        f"{cli_run.cpu:.2f} s cpu, build {build_wall:.2f} s wall "
                        f"{build_cpu:.2f} s cpu, load {cli_run.load:.1f}, out {cli_run.output}",
                        flush=True,
                    )
                for tree in trees:
                    home = homes / f"{name[tree]}-{n}"
                    if args.mode in ("cli", "all"):
                        got = cli.setdefault((tree, n), {"cold": [], "warm": [], "build": [],
                                                         "cold_rss": [], "warm_rss": [],
                                                         "warm_cpu": [], "load": [],
                                                         "output": set(), "cache": 0})  # fmt: skip
                        if cold_round:
                            shutil.rmtree(home, ignore_errors=True)
                            home.mkdir(parents=True)
                            cold = run_cli(tree, root, home)
                            got["cold"].append(cold.wall)
                            got["cold_rss"].append(cold.rss_mb)
                            got["output"].add(cold.output)
                        warm = run_cli(tree, root, home)
                        got["warm"].append(warm.wall)
                        got["build"].append(warm.build)
                        got["warm_rss"].append(warm.rss_mb)
                        got["warm_cpu"].append(warm.cpu)
                        got["load"].append(warm.load)
                        got["output"].add(warm.output)
                        got["cache"] = cache_size(home)
                        print(
                            f"round {r + 1} {name[tree]} {n}: cold {got['cold'][-1:]} "
                            f"warm {warm.wall:.2f} s (build {warm.build:.2f} s, "
                            f"cpu {warm.cpu:.2f} s) rss {warm.rss_mb:.0f} MB "
                            f"out {warm.output} load {warm.load:.1f}",
                            flush=True,
                        )
                    if args.mode == "pool":
                        home.mkdir(parents=True, exist_ok=True)
                        for workers in (0, 1, 2):
                            took = run_pool(tree, root, home, workers)
                            pools.setdefault((tree, n, workers), []).append(took)
                            print(f"round {r + 1} {name[tree]} {n} pool {workers}: {took:.1f} s")
                    if args.mode in ("server", "all") and cold_round:
                        shome = homes / f"{name[tree]}-{n}-server"
                        shutil.rmtree(shome, ignore_errors=True)
                        shome.mkdir(parents=True)
                        for stage in ("cold", "warm"):
                            is_cold = stage == "cold"
                            focus_from = 0 if is_cold else 2
                            run = asyncio.run(run_server(tree, root, shome, is_cold, focus_from))
                            servers.setdefault((tree, n, stage), []).append(run)
                            print(
                                f"round {r + 1} {name[tree]} {n} server {stage}: map served "
                                f"{run.served:.2f} s, ready {run.ready:.2f} s, "
                                f"first map {run.first_map * 1000:.0f} ms, "
                                f"rss {run.rss_ready_mb:.0f}/{run.rss_after_mb:.0f} MB, "
                                f"focused {run.focused * 1000:.0f}/"
                                f"{run.focused_again * 1000:.0f} ms "
                                f"rss {run.rss_focused_mb:.0f} MB (workers "
                                f"{run.workers_mb:.0f} MB), load {run.load}",
                                flush=True,
                            )
                            if run.actions:
                                print("  " + spike_report(run), flush=True)
    finally:
        shutil.rmtree(homes, ignore_errors=True)

    print()
    if cli:
        rows = []
        for (tree, n), got in cli.items():
            build = med(got["build"])
            warm = med(got["warm"])
            cold = med(got["cold"])
            ratio = f"{cold / med(parse[n]):.2f}x" if parse.get(n) and got["cold"] else "-"
            rows.append([
                name[tree], f"{n} ({sizes_mb[n]:.0f} MB)",
                f"{cold:.1f} s" if got["cold"] else "-", f"{warm:.2f} s", f"{build:.2f} s",
                f"{warm / build:.2f}" if build > 0 else "-", ratio,
                f"{med(got['warm_cpu']):.2f} s", f"{med(got['load']):.1f}",
                f"{med(got['cold_rss']):.0f} / {med(got['warm_rss']):.0f} MB" if got["cold"]
                else f"- / {med(got['warm_rss']):.0f} MB",
                f"{got['cache'] / 1e6:.0f} MB", ",".join(sorted(got["output"])),
            ])  # fmt: skip
        print_table(
            ["tree", "corpus", "cold wall", "warm wall", "warm build", "warm/build",
             "cold/parse", "warm CPU", "load", "peak RSS cold/warm", "cache", "output"], rows,
        )  # fmt: skip
    if warms:
        print_table(
            ["tree", "corpus", "coda map wall", "build wall", "wall ratio", "coda map CPU",
             "build CPU", "CPU ratio", "load"],
            [
                [name[tree], f"{n} ({sizes_mb[n]:.0f} MB)", f"{med(w['wall']):.2f} s",
                 f"{med(w['build_wall']):.2f} s", f"{med(w['wall']) / med(w['build_wall']):.2f}",
                 f"{med(w['cpu']):.2f} s", f"{med(w['build_cpu']):.2f} s",
                 f"{med(w['cpu']) / max(med(w['build_cpu']), 1e-3):.2f}",
                 f"{med(w['load']):.1f}"]
                for (tree, n), w in warms.items()
            ],
        )  # fmt: skip
    if parse:
        print_table(
            ["corpus", "bare tree-sitter parse (1 core)"],
            [[f"{n} ({sizes_mb[n]:.0f} MB)", f"{med(v):.1f} s"] for n, v in parse.items()],
        )
    if pools:
        labels = {0: "serial, in process", 1: "1 worker process", 2: "2 worker processes"}
        print_table(
            ["tree", "corpus", "cold build (no ranking)", "seconds", "vs serial"],
            [
                [name[tree], str(n), labels[workers], f"{med(v):.1f} s",
                 f"{med(pools[(tree, n, 0)]) / med(v):.2f}x"]
                for (tree, n, workers), v in pools.items()
            ],
        )  # fmt: skip
    if servers:
        rows = []
        for (tree, n, stage), runs in servers.items():
            actions = [a for run in runs for a in run.actions]
            idle = [a for run in runs for a in run.idle]
            rows.append([
                name[tree], str(n), stage,
                f"{med([x.served for x in runs]):.2f} / {med([x.ready for x in runs]):.2f} s",
                f"{med([x.first_map for x in runs]) * 1000:.0f} ms",
                f"{med([x.rss_ready_mb for x in runs]):.0f} MB",
                f"{med([x.rss_after_mb for x in runs]):.0f} MB",
                f"{max(actions) * 1000:.0f} / {pct(actions, 0.95) * 1000:.1f} ms (n={len(actions)})"
                if actions else "-",
                f"{max(idle) * 1000:.0f} / {pct(idle, 0.95) * 1000:.1f} ms" if idle else "-",
                f"{med([x.focused for x in runs]) * 1000:.0f} / "
                f"{med([x.focused_again for x in runs]) * 1000:.0f} ms",
                f"{med([x.rss_focused_mb for x in runs]):.0f} MB "
                f"(+{med([x.workers_mb for x in runs]):.0f} MB workers)",
                " ".join(f"{x.load[0]:.1f}-{x.load[1]:.1f}" for x in runs),
            ])  # fmt: skip
        print_table(
            ["tree", "files", "server", "initialize -> map served / ready", "first repoMap",
             "RSS at ready", "RSS after map", "code action max / p95 during build",
             "after ready", "focused map 1st / 2nd", "RSS after focused", "load"], rows,
        )  # fmt: skip
    print("goals: " + "; ".join(f"{k} {v}" for k, v in GOALS.items()))


if __name__ == "__main__":
    main()
