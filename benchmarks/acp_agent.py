"""ACP benchmark: `coda acp` over stdio with the SDK's client, against the scripted server.

    python benchmarks/acp_agent.py [--runs 7] [--chunks 500]

Measures, as an editor sees them: process start -> `initialize` answered, `session/new`
answered, a prompt's first `agent_message_chunk` (time to first token through ACP; the
first prompt of a session, sent `--pause` s after session/new, and a second one), a
500-chunk reply streamed whole (per-chunk cost of the session/update notifications), and
`session/cancel` -> the prompt answered "cancelled". Medians of `--runs` processes.
Nothing touches the network.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from acp import spawn_agent_process  # noqa: E402
from acp.schema import (  # noqa: E402
    AgentMessageChunk,
    ClientCapabilities,
    FileSystemCapabilities,
    TextContentBlock,
)

from tests.support.model_server import Reply, ScriptedModelServer  # noqa: E402


class Client:
    def __init__(self) -> None:
        self.chunks = 0
        self.first = asyncio.Event()

    async def session_update(self, session_id: str, update: Any, **_: Any) -> None:
        if isinstance(update, AgentMessageChunk):
            self.chunks += 1
            self.first.set()

    async def request_permission(self, **_: Any) -> Any:
        raise NotImplementedError


def _text(value: str) -> list[TextContentBlock]:
    return [TextContentBlock(type="text", text=value)]


async def one_run(
    server: ScriptedModelServer, root: Path, chunks: int, args_pause: float
) -> dict[str, float]:
    env = {**os.environ, "OLLAMA_HOST": server.url}
    client = Client()
    times: dict[str, float] = {}
    start = time.perf_counter()
    async with spawn_agent_process(
        client, sys.executable, "-m", "coda_cli", "acp", env=env, cwd=root
    ) as (conn, _):
        await conn.initialize(
            protocol_version=1,
            client_capabilities=ClientCapabilities(
                fs=FileSystemCapabilities(read_text_file=True, write_text_file=True)
            ),
        )
        times["start -> initialize"] = time.perf_counter() - start
        t = time.perf_counter()
        session = await conn.new_session(cwd=str(root), mcp_servers=[])
        times["session/new"] = time.perf_counter() - t

        server.script(Reply(text="Hello there."))
        await asyncio.sleep(args_pause)
        t = time.perf_counter()
        prompt = asyncio.ensure_future(
            conn.prompt(session_id=session.session_id, prompt=_text("hi"))
        )
        await client.first.wait()
        times["prompt -> first chunk"] = time.perf_counter() - t
        await prompt
        times["prompt (3 chunks) whole"] = time.perf_counter() - t

        server.script(Reply(text="Hello again."))
        client.first.clear()
        t = time.perf_counter()
        prompt = asyncio.ensure_future(
            conn.prompt(session_id=session.session_id, prompt=_text("hi"))
        )
        await client.first.wait()
        times["second prompt -> first chunk"] = time.perf_counter() - t
        await prompt

        server.script(Reply(chunks=["x"] * chunks))
        client.chunks = 0
        t = time.perf_counter()
        await conn.prompt(session_id=session.session_id, prompt=_text("stream"))
        elapsed = time.perf_counter() - t
        times[f"{chunks}-chunk reply whole"] = elapsed
        assert client.chunks == chunks, client.chunks

        server.script(Reply(chunks=["y "] * 200, chunk_delay=0.05))
        client.first.clear()
        prompt = asyncio.ensure_future(
            conn.prompt(session_id=session.session_id, prompt=_text("long"))
        )
        await client.first.wait()
        t = time.perf_counter()
        await conn.cancel(session_id=session.session_id)
        response = await prompt
        assert response.stop_reason == "cancelled"
        times["cancel -> prompt answered"] = time.perf_counter() - t
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="seconds between session/new and the first prompt (a user typing)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer() as server:
        home = Path(tmp) / "home"
        os.environ.update(
            HOME=str(home),
            XDG_DATA_HOME=str(home / "data"),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            PYTHONPATH=str(REPO),
        )
        root = Path(tmp) / "project"
        root.mkdir()
        (root / "app.py").write_text("def main():\n    return 1\n")
        runs = [await one_run(server, root, args.chunks, args.pause) for _ in range(args.runs)]
    print(f"| `coda acp` ({args.runs} runs) | median | min | max |")
    print("| --- | ---: | ---: | ---: |")
    for key in runs[0]:
        values = [run[key] * 1000 for run in runs]
        print(
            f"| {key} | {statistics.median(values):.1f} ms | {min(values):.1f} ms "
            f"| {max(values):.1f} ms |"
        )
    per_chunk = statistics.median(run[f"{args.chunks}-chunk reply whole"] for run in runs)
    micros = per_chunk / args.chunks * 1e6
    print(f"\nper streamed chunk (whole reply / {args.chunks}): {micros:.0f} µs")


if __name__ == "__main__":
    asyncio.run(main())
