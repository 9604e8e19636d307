"""Compaction is announced where the answer appears and counted wherever usage is shown:
in `coda chat` (the notice and `/cost`) and in the language server (log and progress)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from coda_cli.shell.app import build_shell
from coda_cli.shell.slash import dispatch
from coda_cli.shell.turn import run_line
from coda_cli.state import AppState
from coda_ls.engine import COMPACT_PROMPT
from tests.shell.conftest import Captured
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

WINDOW = 1500
LONG = "word " * 150  # ~150 tokens a turn: a 1,500-token window overflows in a few turns


def _compactions(server: ScriptedModelServer) -> list[Any]:
    return [r for r in server.chat_requests() if r.body["messages"][0]["content"] == COMPACT_PROMPT]


async def test_the_shell_announces_compaction_and_counts_it(
    workspace: Path, out: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedModelServer(models=[ScriptedModel("tiny", context_length=WINDOW)]) as server:
        server.default_reply = Reply(text=LONG, prompt_tokens=100, completion_tokens=150)
        monkeypatch.setenv("OLLAMA_HOST", server.url)
        monkeypatch.setenv("CODA_MAX_TOKENS", "200")
        app = AppState(_console=out.console, _err_console=out.console)
        shell = build_shell(app, with_map=False, tools=False)
        try:
            for turn in range(12):
                await run_line(shell, f"question {turn}")
            text = out.take()
            assert _compactions(server), "the history overflowed but was never compacted"
            assert "Compacting the conversation" in text
            assert "counted in the session's usage" in text
            assert shell.session_id is not None
            stats = shell.store.stats(shell.session_id)
            calls = len(server.chat_requests())
            assert stats.requests == calls  # every model call, the summaries included
            assert stats.output_tokens == 150 * calls
            await dispatch(shell, "/cost")
            assert f"{150 * calls:,} out" in out.take()
        finally:
            await shell.core.aclose()
            shell.store.close()


async def test_the_language_server_announces_compaction(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    with ScriptedModelServer(models=[ScriptedModel("tiny", context_length=WINDOW)]) as server:
        server.default_reply = Reply(text=LONG)
        env = {**os.environ, "OLLAMA_HOST": server.url}
        config = ClientServerConfig(
            server_command=[sys.executable, "-m", "coda_ls"], server_env=env
        )
        client = await config.start()
        assert isinstance(client, LanguageClient)
        notices: list[str] = []

        @client.feature("coda/stream")
        def on_stream(params: Any) -> None:
            notice = getattr(params, "notice", None)
            if notice:
                notices.append(notice)

        capabilities = client_capabilities("visual-studio-code")
        capabilities.experimental = {"codaStream": True}  # notices come on coda/stream
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities,
                root_uri=root.as_uri(),
                initialization_options={"max_tokens": 200, "repomap": {"tokens": 128}},
            )
        )
        try:
            for turn in range(12):
                await client.workspace_execute_command_async(
                    types.ExecuteCommandParams(
                        command="coda.chat", arguments=[{"question": f"question {turn}"}]
                    )
                )
            assert _compactions(server)
            logged = [m.message for m in client.log_messages]
            assert any("Compacting the conversation" in m for m in logged)
            assert any("Compacting the conversation" in n for n in notices)
        finally:
            await client.shutdown_session()
            await client.stop()
