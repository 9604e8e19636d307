"""Fallback from a provider answering 429 to a second one, announced and recorded (#23)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.config import Settings
from coda_ls.engine import AskRequest, Engine
from coda_ls.errors import RateLimitError
from coda_ls.sessions.store import SessionStore
from tests.support.model_server import Reply, ScriptedModelServer

LIMITED = Reply(status=429, error="quota exceeded", retry_after=0)


@pytest.fixture
def second_server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


def config(primary: ScriptedModelServer, second: ScriptedModelServer, tmp: Path) -> Path:
    """`openai` on the quota-limited server, `vllm` on the working one as its fallback."""
    path = tmp / "config.toml"
    path.write_text(
        'provider = "openai"\nmodel = "llama3.2:latest"\n'
        'fallback = ["vllm/qwen2.5-coder:7b"]\n'
        f'[providers.openai]\nbase_url = "{primary.url}/v1"\nmax_retries = 1\n'
        f'[providers.vllm]\nbase_url = "{second.url}/v1"\n'
    )
    return path


def rows(home: Path) -> list[tuple[str, str | None, str | None, str]]:
    db = home / ".local" / "share" / "coda" / "sessions.db"
    with sqlite3.connect(db) as connection:
        return list(
            connection.execute("SELECT role, mode, model, content FROM messages ORDER BY id")
        )


def test_cli_falls_back_announces_and_records(
    model_server: ScriptedModelServer,
    second_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    isolated_env: Path,
) -> None:
    monkeypatch.setenv("CODA_CONFIG_FILE", str(config(model_server, second_server, tmp_path)))
    model_server.script(LIMITED, LIMITED)
    second_server.script(Reply(text="answered by the fallback"))
    result = CliRunner().invoke(cli, ["ask", "--no-tools", "hello"])
    assert result.exit_code == 0, result.output
    assert "answered by the fallback" in result.stdout
    assert "Falling back to vllm/qwen2.5-coder:7b" in result.stderr
    assert "openai/llama3.2:latest hit its quota" in result.stderr
    assert len(model_server.chat_requests()) == 2  # the first try and its one retry
    recorded = rows(isolated_env)
    switch = [r for r in recorded if r[1] == "fallback"]
    assert switch and switch[0][2] == "qwen2.5-coder:7b" and "Falling back" in switch[0][3]
    assert recorded[-1][0] == "assistant" and recorded[-1][3] == "answered by the fallback"
    second_server.script(Reply(text="again"))
    model_server.script(LIMITED, LIMITED)
    as_json = CliRunner().invoke(cli, ["ask", "--json", "--no-tools", "hello"])
    data = json.loads(as_json.stdout)
    assert data["provider"] == "vllm" and data["model"] == "qwen2.5-coder:7b"
    assert data["fallbacks"][0].startswith("Falling back to vllm/qwen2.5-coder:7b")


def test_without_a_fallback_the_429_is_the_error(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'provider = "openai"\nmodel = "llama3.2:latest"\n'
        f'[providers.openai]\nbase_url = "{model_server.url}/v1"\nmax_retries = 0\n'
    )
    monkeypatch.setenv("CODA_CONFIG_FILE", str(path))
    model_server.script(LIMITED)
    result = CliRunner().invoke(cli, ["ask", "--no-tools", "hello"])
    assert result.exit_code != 0
    assert "Falling back" not in result.output


async def test_engine_exhausted_fallbacks_name_what_was_tried(
    model_server: ScriptedModelServer, second_server: ScriptedModelServer, tmp_path: Path
) -> None:
    settings = Settings.model_validate(
        {
            "provider": "openai",
            "model": "llama3.2:latest",
            "modes": {"chat": {"fallback": ["vllm/qwen2.5-coder:7b"]}},
            "providers": {
                "openai": {"base_url": f"{model_server.url}/v1", "max_retries": 0},
                "vllm": {"base_url": f"{second_server.url}/v1", "max_retries": 0},
            },
        }
    )
    model_server.script(LIMITED)
    second_server.script(LIMITED)
    notices: list[str] = []
    store = SessionStore(tmp_path / "s.db")
    engine = Engine(settings, tmp_path, store=store)
    try:
        with pytest.raises(RateLimitError) as caught:
            await engine.ask(AskRequest("hi", use_tools=False), on_notice=notices.append)
    finally:
        await engine.aclose()
    assert (
        notices
        == [
            notice
            for notice in notices
            if notice.startswith("Falling back to vllm/qwen2.5-coder:7b")
        ]
        and len(notices) == 1
    )
    assert caught.value.hint is not None
    assert "openai/llama3.2:latest, vllm/qwen2.5-coder:7b" in caught.value.hint


async def test_shell_announces_the_fallback(
    model_server: ScriptedModelServer,
    second_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from coda_cli.shell.app import build_shell
    from coda_cli.shell.turn import run_line
    from coda_cli.state import AppState
    from tests.shell.conftest import Captured

    monkeypatch.setenv("CODA_CONFIG_FILE", str(config(model_server, second_server, tmp_path)))
    monkeypatch.chdir(tmp_path)
    model_server.script(LIMITED, LIMITED)
    second_server.script(Reply(text="shell fallback answer"))
    out = Captured()
    shell = build_shell(AppState(_console=out.console, _err_console=out.console), with_map=False)
    try:
        await run_line(shell, "hello")
        text = out.take()
        assert "Falling back to vllm/qwen2.5-coder:7b" in text
        assert "shell fallback answer" in text
    finally:
        await shell.core.aclose()
        shell.store.close()


async def test_language_server_announces_the_fallback(
    model_server: ScriptedModelServer,
    second_server: ScriptedModelServer,
    tmp_path: Path,
) -> None:
    import os
    import sys
    from typing import Any

    from lsprotocol import types
    from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

    root = tmp_path / "project"
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    env = {**os.environ, "CODA_CONFIG_FILE": str(config(model_server, second_server, tmp_path))}
    model_server.script(LIMITED, LIMITED)
    second_server.script(Reply(text="lsp fallback answer"))
    client = await ClientServerConfig(
        server_command=[sys.executable, "-m", "coda_ls"], server_env=env
    ).start()
    assert isinstance(client, LanguageClient)
    notices: list[str] = []

    @client.feature("coda/stream")
    def on_stream(params: Any) -> None:
        notice = getattr(params, "notice", None)
        if notice:
            notices.append(notice)

    capabilities = client_capabilities("visual-studio-code")
    capabilities.experimental = {"codaStream": True}
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities, root_uri=root.as_uri())
    )
    try:
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="coda.chat", arguments=[{"question": "hi"}])
        )
        assert "lsp fallback answer" in str(result)
        logged = [m.message for m in client.log_messages]
        assert any("Falling back to vllm/qwen2.5-coder:7b" in m for m in logged)
        assert any("Falling back to vllm/qwen2.5-coder:7b" in n for n in notices)
        shown = [m.message for m in client.messages]
        assert any("Falling back to vllm/qwen2.5-coder:7b" in m for m in shown)
    finally:
        await client.shutdown_session()
        await client.stop()
