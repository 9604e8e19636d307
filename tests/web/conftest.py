"""Start the real `coda web` as a subprocess (the way a user does) against the scripted
model server, on a project with a file to mention and a session store seeded with usage."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.model_server import ScriptedModelServer

REPO = Path(__file__).resolve().parents[2]
DAY = 86400.0


@dataclass
class WebServer:
    url: str  # with the token
    base: str  # without it
    token: str
    process: subprocess.Popen[str]
    root: Path


def start_web(root: Path, *args: str) -> WebServer:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "coda_cli", "web", "--port", "0", *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://\S+?)/\?token=(\S+)", line)
    if match is None:
        process.kill()
        raise AssertionError(
            f"no URL printed: {line!r} {process.stderr.read() if process.stderr else ''}"
        )
    base, token = match.group(1), match.group(2)
    return WebServer(f"{base}/?token={token}", base, token, process, root)


def stop_web(server: WebServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def seed_sessions(now: float | None = None) -> list[str]:
    """Three days of usage on two models, one failed reply; returns the session ids."""
    from coda_ls.sessions import SessionStore
    from coda_ls.sessions.models import Timing
    from coda_ls.wire import Usage

    now = now or time.time()
    ids = []
    with SessionStore() as store:
        for day, model in ((2, "llama3.2:latest"), (1, "qwen2.5-coder:7b"), (0, "llama3.2:latest")):
            stamp = now - day * DAY
            session = store.create_session(created_at=stamp)
            ids.append(session.id)
            store.add_message(
                session.id, "user", f"how does the flux capacitor work day {day}", created_at=stamp
            )
            store.add_message(
                session.id,
                "assistant",
                "It needs 1.21 gigawatts of *power*.",
                provider="ollama",
                model=model,
                mode="chat",
                usage=Usage(
                    input_tokens=1000 * (day + 1), output_tokens=200, cached_tokens=100, cost=0.01
                ),
                timing=Timing(latency_ms=900, ttft_ms=120.0 + day, wall_ms=950),
                created_at=stamp + 1,
            )
        failed = store.create_session(created_at=now)
        store.add_message(failed.id, "user", "this one failed", created_at=now)
        store.add_message(
            failed.id,
            "assistant",
            "",
            status="error",
            provider="ollama",
            model="qwen2.5-coder:7b",
            error="boom",
            created_at=now + 1,
        )
    return ids


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "geometry.py").write_text("def area(w, h):\n    return w * h\n")
    subprocess.run(["git", "add", "geometry.py"], cwd=root, check=True)
    return root


@pytest.fixture
def web(
    project: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WebServer]:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    seed_sessions()
    server = start_web(project)
    yield server
    stop_web(server)
