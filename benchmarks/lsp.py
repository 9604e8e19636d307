"""Language-server benchmark: a client over stdio against `coda-ls` on a big workspace.

    python benchmarks/lsp.py [--files 5000] [--django DIR] [--actions 400]

Generates a synthetic Python project (`--files` modules that import and call each other;
with `--django`, Django's source is copied in first and modules are generated up to
`--files`), starts the real server (`python -m coda_ls`) with an empty cache and
measures: initialize -> repo map ready (the map's $/progress end), code-action latency
while the map builds and after, server RSS (VmRSS) once the map is built, didChange ->
updated map (as the client sees it through `coda.repoMap`), and a warm restart.
Nothing touches the network: the model provider is never called.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
MARKER = "bench_marker_helper"  # called everywhere, defined nowhere until the didChange
GOALS = {"code action p95": "<= 30 ms"}


# -- the workspace ----------------------------------------------------------------------


def generate(root: Path, files: int, django: Path | None) -> int:
    """Write the project; returns how many source files it has."""
    existing = 0
    if django is not None:
        shutil.copytree(django / "django", root / "django")
        existing = sum(1 for _ in (root / "django").rglob("*.py"))
    rng = random.Random(0)
    count = max(0, files - existing)
    for i in range(count):
        package = root / f"pkg_{i // 100:03d}"
        if i % 100 == 0:
            package.mkdir(parents=True, exist_ok=True)
            (package / "__init__.py").write_text("")
        deps = rng.sample(range(count), k=min(3, count))
        imports = "".join(f"from pkg_{d // 100:03d}.mod_{d} import helper_{d}\n" for d in deps)
        calls = "".join(f"    total += helper_{d}(value)\n" for d in deps)
        (package / f"mod_{i}.py").write_text(
            f'"""Module {i}."""\n\n{imports}\n\n'
            f"class Model{i}:\n"
            f'    """A model."""\n\n'
            f"    def __init__(self, value: int) -> None:\n        self.value = value\n\n"
            f"    def compute_{i}(self) -> int:\n        return helper_{i}(self.value)\n\n"
            f"    def describe(self) -> str:\n        return str(self.value)\n\n\n"
            f"def helper_{i}(value: int) -> int:\n"
            f'    """Helper {i}."""\n    return value + {i}\n\n\n'
            f"def combine_{i}(value: int) -> int:\n    total = 0\n{calls}"
            f"    return {MARKER}(total)\n"
        )
    return existing + count


# -- a small JSON-RPC client ------------------------------------------------------------


class Client:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.progress_end: dict[str, float] = {}
        self.map_served: dict[str, float] = {}
        self._id = 0
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], log: Path) -> Client:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "coda_ls",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=log.open("ab"), env=env, cwd=str(REPO), limit=2**24,
        )  # fmt: skip
        return cls(process)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    async def call(self, method: str, params: Any, timeout: float = 600) -> Any:
        self._id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self._id] = future
        self._send({"id": self._id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    async def command(self, name: str, argument: dict[str, Any]) -> Any:
        return await self.call(
            "workspace/executeCommand", {"command": name, "arguments": [argument]}
        )

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            try:
                header = await stdout.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            message = json.loads(await stdout.readexactly(length))
            if "method" in message and "id" in message:  # progress/create, configuration
                result = [None] if message["method"] == "workspace/configuration" else None
                self._send({"id": message["id"], "result": result})
            elif message.get("method") == "$/progress":
                value = message["params"]["value"]
                token = str(message["params"]["token"])
                if value.get("kind") == "end":
                    self.progress_end[token] = time.perf_counter()
                    self.map_served.setdefault(token, self.progress_end[token])
                elif value.get("message") == "indexing for questions":
                    # The first of the two stages: the map is served from here on.
                    self.map_served[token] = time.perf_counter()
            elif "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message)

    def map_ready(self) -> float | None:
        """When the map's progress ended: the map served and questions ranked at once."""
        ends = [t for token, t in self.progress_end.items() if token.startswith("coda-map-")]
        return ends[0] if ends else None

    def map_first_served(self) -> float | None:
        """When the map was served (the first stage; = map_ready for a server without)."""
        got = [t for token, t in self.map_served.items() if token.startswith("coda-map-")]
        return got[0] if got else None

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1])

    async def stop(self) -> None:
        await self.call("shutdown", None, timeout=30)
        self.notify("exit", None)
        await asyncio.wait_for(self.process.wait(), 30)
        self._reader.cancel()


# -- measurements -----------------------------------------------------------------------


async def initialize(client: Client, root: Path) -> float:
    start = time.perf_counter()
    await client.call(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {"window": {"workDoneProgress": True}},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        },
    )
    client.notify("initialized", {})
    return start


async def wait_for_map(client: Client, start: float, timeout: float = 900) -> float:
    deadline = time.perf_counter() + timeout
    while client.map_ready() is None:
        if time.perf_counter() > deadline:
            raise TimeoutError("the repo map was not ready in time")
        await asyncio.sleep(0.01)
    ready = client.map_ready()
    assert ready is not None
    return ready - start


async def code_action_latencies(
    client: Client, uris: list[str], count: int, until: float | None = None
) -> list[float]:
    """Sequential code actions on random files; stop early once `until()` is true."""
    rng = random.Random(1)
    out: list[float] = []
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
        actions = await client.call("textDocument/codeAction", params)
        out.append(time.perf_counter() - t)
        assert len(actions) >= 3
        if until is not None and client.map_ready() is not None:
            break
    return out


async def did_change_latency(client: Client, path: Path) -> tuple[float, float]:
    """didChange that defines MARKER -> `coda.repoMap` shows it; (seconds, render seconds)."""
    uri = path.as_uri()
    text = path.read_text()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    before = await client.command("coda.repoMap", {"tokens": 1024})
    assert MARKER not in before["text"]
    changed = text + f"\n\ndef {MARKER}(value: int) -> int:\n    return value\n"
    start = time.perf_counter()
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": changed}]},
    )
    while True:
        t = time.perf_counter()
        rendered = await client.command("coda.repoMap", {"tokens": 1024})
        if MARKER in rendered["text"]:
            return time.perf_counter() - start, time.perf_counter() - t
        if time.perf_counter() - start > 60:
            raise TimeoutError("the map never showed the change")
        await asyncio.sleep(0.005)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="coda-lsp-bench-") as tmp:
        work = Path(tmp)
        root = work / "project"
        root.mkdir()
        t = time.perf_counter()
        total = generate(root, args.files, args.django)
        generated = time.perf_counter() - t
        home = work / "home"
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_STATE_HOME": str(home / ".local/state"),
            "OLLAMA_HOST": "http://127.0.0.1:9",  # never reached: no LLM call is made
        }
        env = {k: v for k, v in env.items() if not k.startswith("CODA_")}
        log = work / "server.log"
        uris = [p.as_uri() for p in sorted(root.rglob("*.py"))]
        rows: list[tuple[str, str, str]] = []

        # cold: empty cache
        client = await Client.start(env, log)
        start = await initialize(client, root)
        during = await code_action_latencies(client, uris, 100_000, until=start)
        cold = await wait_for_map(client, start)
        after = await code_action_latencies(client, uris, args.actions)
        await asyncio.sleep(0.5)
        rss = client.rss_kb()
        first_render_t = time.perf_counter()
        await client.command("coda.repoMap", {"tokens": 1024})
        first_render = time.perf_counter() - first_render_t
        target = root / "pkg_000" / "mod_0.py"
        change, last_render = await did_change_latency(client, target)
        rss_after = client.rss_kb()
        await client.stop()

        # warm: same cache, new server
        client = await Client.start(env, log)
        start = await initialize(client, root)
        warm = await wait_for_map(client, start)
        warm_actions = await code_action_latencies(client, uris, args.actions // 2)
        await client.stop()

    ms = 1000.0
    rows.append(("files in workspace", f"{total}", f"generated in {generated:.1f} s"))
    rows.append(("initialize -> map ready (cold)", f"{cold:.2f} s", "empty cache"))
    rows.append(("initialize -> map ready (warm)", f"{warm:.2f} s", "cached tags"))
    if during:
        rows.append(
            (
                "code action during cold build",
                f"p50 {pct(during, 0.5) * ms:.1f} / p95 {pct(during, 0.95) * ms:.1f} ms",
                f"n={len(during)}",
            )
        )
    rows.append(
        (
            "code action after build",
            f"p50 {pct(after, 0.5) * ms:.1f} / p95 {pct(after, 0.95) * ms:.1f} ms",
            f"n={len(after)}, max {max(after) * ms:.1f} ms; goal p95 {GOALS['code action p95']}",
        )
    )
    rows.append(
        (
            "code action (warm server)",
            f"p50 {pct(warm_actions, 0.5) * ms:.1f} / p95 {pct(warm_actions, 0.95) * ms:.1f} ms",
            f"n={len(warm_actions)}",
        )
    )
    rows.append(("server RSS, map built", f"{rss / 1024:.0f} MB", "VmRSS"))
    rows.append(("server RSS, after update", f"{rss_after / 1024:.0f} MB", "VmRSS"))
    rows.append(("first coda.repoMap (1024 tok)", f"{first_render * ms:.0f} ms", "rank + fit"))
    rows.append(
        (
            "didChange -> map shows it",
            f"{change * ms:.0f} ms",
            f"incl. 300 ms debounce; last render {last_render * ms:.0f} ms",
        )
    )
    width = max(len(r[0]) for r in rows) + 2
    vwidth = max(len(r[1]) for r in rows) + 2
    print(f"{'measure':<{width}}{'value':<{vwidth}}note")
    for name, value, note in rows:
        print(f"{name:<{width}}{value:<{vwidth}}{note}")
    print(f"\nmean code action after build: {statistics.mean(after) * ms:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000, help="source files in total")
    parser.add_argument("--django", type=Path, help="copy this Django tree's source in first")
    parser.add_argument("--actions", type=int, default=400, help="code actions to time")
    args = parser.parse_args()
    if args.django is None and Path("/work/bench-data/Django-5.1.4").is_dir():
        args.django = Path("/work/bench-data/Django-5.1.4")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
