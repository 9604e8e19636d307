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
