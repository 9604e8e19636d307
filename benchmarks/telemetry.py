"""Telemetry overhead: `Engine.ask` latency with telemetry off vs on (OpenTelemetry SDK,
batch span processor and periodic metric reader, exporting to a local OTLP/HTTP receiver
that drops everything), against the scripted model server on 127.0.0.1. Requests are
interleaved off/on so background load hits both alike.

    python benchmarks/telemetry.py [--requests 200] [--tools]

Goal: on − off ≤ 2 ms per request (median).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coda_ls import telemetry
from coda_ls.config import Settings
from coda_ls.engine import AskRequest, Engine
from tests.support.model_server import Reply, ScriptedModelServer


class Sink(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()


async def one(engine: Engine) -> float:
    started = time.perf_counter()
    await engine.ask(AskRequest(question="hi", use_tools=False))
    return time.perf_counter() - started


async def main(requests: int) -> None:
    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{sink.server_address[1]}"
    with (
        ScriptedModelServer(default_reply=Reply(text="ok")) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        root = Path(tmp)
        settings = Settings.model_validate(
            {"providers": {"ollama": {"host": server.url}}, "provider": "ollama"}
        )
        engine = Engine(settings, root)
        on = Settings.model_validate({"telemetry": {"enabled": True, "endpoint": endpoint}})
        from coda_ls.telemetry.otel import OTelTelemetry

        otel = OTelTelemetry.from_settings(on)
        for _ in range(10):  # warm up both paths
            await one(engine)
            telemetry.install(otel)
            await one(engine)
            telemetry.install(telemetry.Telemetry())  # off again; `otel` keeps its providers
        offs: list[float] = []
        ons: list[float] = []
        for _ in range(requests):
            telemetry.install(telemetry.Telemetry())
            offs.append(await one(engine))
            telemetry.install(otel)
            ons.append(await one(engine))
        otel.shutdown()
        await engine.aclose()
    sink.shutdown()

    def ms(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    print(f"{requests} requests each, interleaved, scripted model on 127.0.0.1")
    print("| telemetry | median ms | p95 ms |")
    print("| --- | --- | --- |")
    print(f"| off | {statistics.median(offs) * 1000:.2f} | {ms(offs, 0.95):.2f} |")
    print(f"| on (OTLP/HTTP) | {statistics.median(ons) * 1000:.2f} | {ms(ons, 0.95):.2f} |")
    paired = statistics.median(b - a for a, b in zip(offs, ons, strict=True)) * 1000
    print(f"overhead (median of paired differences): {paired:.3f} ms (goal ≤ 2 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.requests))
