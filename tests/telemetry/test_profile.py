"""`--profile FILE` writes a pstats file for a CLI run and for the language server (#23)."""

from __future__ import annotations

import os
import pstats
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from coda_cli.main import cli
from tests.support.model_server import ScriptedModelServer


def functions(path: Path) -> set[str]:
    stats = pstats.Stats(str(path))
    return {name for (_, _, name) in stats.stats}  # type: ignore[attr-defined]


def test_cli_run_writes_a_profile(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "out" / "ask.pstats"
    result = CliRunner().invoke(cli, ["--profile", str(target), "ask", "--no-tools", "hi"])
    assert result.exit_code == 0, result.output
    assert "ask" in functions(target)  # the command itself was profiled


def test_cli_failure_still_writes_the_profile(tmp_path: Path) -> None:
    target = tmp_path / "fail.pstats"
    result = CliRunner().invoke(cli, ["--profile", str(target), "sessions", "show", "nope"])
    assert result.exit_code != 0
    assert target.exists() and functions(target)


async def test_language_server_writes_a_profile(tmp_path: Path) -> None:
    target = tmp_path / "server.pstats"
    client = await ClientServerConfig(
        server_command=[sys.executable, "-m", "coda_ls", "--profile", str(target)],
        server_env=dict(os.environ),
    ).start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri()
        )
    )
    await client.shutdown_session()
    await client.stop()
    assert target.exists()
    assert functions(target)


def test_pyroscope_switch_sends_profiles_to_the_server(
    model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    """`--pyroscope URL` starts the agent; its pushes reach a receiver on 127.0.0.1."""
    import subprocess
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from typing import Any

    pytest.importorskip("pyroscope")
    pushes: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            pushes.append(self.path)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}"
    env = {
        **os.environ,
        "OLLAMA_HOST": model_server.url,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "coda_cli", "--pyroscope", url, "ask", "--no-tools", "hi"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        receiver.shutdown()
    assert done.returncode == 0, done.stderr
    assert pushes and all("Push" in path for path in pushes)
