"""`coda web` benchmark: startup of the command to a served page, and the dashboard's load
time over a session store of 100k messages (spread over 30 days, four models).

    python benchmarks/web.py [--messages 100000] [--runs 5]

Startup is spawn -> URL printed -> first 200 of the dashboard (which runs the doctor
checks: providers here are closed ports, so they fail fast). Dashboard load is the whole
page over HTTP; the usage query alone is timed in-process too.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.sessions import _text
from coda_ls.sessions import SessionStore
from coda_ls.sessions.usage import usage_report

REPO = Path(__file__).resolve().parents[1]
MODELS = [
    ("ollama", "qwen2.5-coder:7b"),
    ("ollama", "llama3.2"),
    ("openai", "gpt-4o-mini"),
    ("oci", "cohere.command-r"),
]


def build(store: SessionStore, messages: int, per_session: int = 100) -> None:
    rng = random.Random(7)
    now = time.time()
    conn = store._db.conn  # bulk load in one transaction (as benchmarks/sessions.py)
    conn.execute("BEGIN IMMEDIATE")
    for start in range(0, messages, per_session):
        session = f"{rng.getrandbits(128):032x}"
        stamp = now - rng.random() * 30 * 86400
        conn.execute(
            "INSERT INTO sessions (id, title, project_root, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (session, _text(rng, 5), "/work/project", stamp, stamp),
        )
        provider, model = rng.choice(MODELS)
        rows = []
        for index in range(min(per_session, messages - start)):
            role = "user" if index % 2 == 0 else "assistant"
            status = "error" if rng.random() < 0.02 else "complete"
            rows.append(
                (
                    session,
                    role,
                    _text(rng, 20 if role == "user" else 120),
                    status,
                    provider,
                    model,
                    "chat",
                    500,
                    120,
                    50,
                    0.0004,
                    rng.uniform(80, 900),
                    stamp + index,
                    stamp + index,
                )
            )
        conn.executemany(
            "INSERT INTO messages (session_id, role, content, status, provider, model, mode, "
            "input_tokens, output_tokens, cached_tokens, cost, ttft_ms, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    conn.execute("COMMIT")


def start(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], str, float]:
    """(process, url, seconds from spawn to the first served dashboard)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "coda_cli", "web", "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    match = re.search(r"http://\S+", process.stdout.readline())
    if match is None:
        process.kill()
        raise SystemExit("coda web printed no URL")
    url = match.group(0)
    response = httpx.get(url, timeout=60)
    response.raise_for_status()
    return process, url, time.perf_counter() - started


def stats(samples: list[float]) -> str:
    samples = sorted(samples)
    return (
        f"median {statistics.median(samples) * 1000:7.0f} ms   "
        f"min {samples[0] * 1000:7.0f} ms   max {samples[-1] * 1000:7.0f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("CODA_", "OLLAMA_", "OPENAI_"))
            },
            "PYTHONPATH": str(REPO),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "OLLAMA_HOST": "http://127.0.0.1:9",
        }
        project = home / "proj"
        project.mkdir()
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)

        startups = []
        for _ in range(args.runs):
            process, _, seconds = start(env, project)
            startups.append(seconds)
            process.terminate()
            process.wait()
        print(f"startup to a served dashboard (empty store)    {stats(startups)}")

        os.environ["XDG_DATA_HOME"] = env["XDG_DATA_HOME"]
        with SessionStore() as store:
            began = time.perf_counter()
            build(store, args.messages)
            print(f"built {args.messages:,} messages in {time.perf_counter() - began:.1f} s")
            path = store.path
        queries = []
        for _ in range(args.runs):
            began = time.perf_counter()
            report = usage_report(path)
            queries.append(time.perf_counter() - began)
        print(
            f"usage query ({len(report.days)} days, {len(report.models)} models)  {stats(queries)}"
        )

        process, url, first = start(env, project)
        try:
            loads = []
            with httpx.Client(timeout=60) as client:
                for _ in range(args.runs):
                    began = time.perf_counter()
                    client.get(url).raise_for_status()
                    loads.append(time.perf_counter() - began)
        finally:
            process.terminate()
            process.wait()
        print(f"startup to a served dashboard ({args.messages:,} messages) {first * 1000:7.0f} ms")
        print(f"dashboard load, {args.messages:,} messages        {stats(loads)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
