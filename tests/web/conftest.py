"""Start the real `coda web` as a subprocess (the way a user does) against the scripted
model server, on a project with a file to mention and a session store seeded with usage."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import zlib
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


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF whose text layer says `text` (built by hand: no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def png_bytes() -> bytes:
    """A 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
