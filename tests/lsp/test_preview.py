"""`coda.preview` over stdio: tokens and estimated cost before asking, nothing sent (#23)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.support.model_server import ScriptedModelServer

Session = tuple[LanguageClient, Any]


async def test_preview_command_counts_without_sending(
    lsp: Session, model_server: ScriptedModelServer, workspace: Path
) -> None:
    client, _ = lsp
    uri = (workspace / "geometry.py").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="python",
                version=1,
                text=(workspace / "geometry.py").read_text(),
            )
        )
    )
    argument = {
        "question": "Explain area",
        "uri": uri,
        "range": {"start": {"line": 3}, "end": {"line": 6}},
    }
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="coda.preview", arguments=[argument])
    )
    assert not model_server.chat_requests()
    assert result["provider"] == "ollama" and result["model"]
    assert result["estimatedCost"] == 0.0  # a local Ollama costs nothing
    assert result["contextTokens"] > 20
    assert f"{result['contextTokens']:,} tokens in" in result["text"]
    # A selection adds its code: a bare question costs fewer tokens.
    bare = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="coda.preview", arguments=[{"question": "Hi"}])
    )
    assert bare["contextTokens"] < result["contextTokens"]
    assert result["budget"] == []  # no limit set: nothing to show


async def test_preview_reports_budget_usage(tmp_path: Path) -> None:
    import os
    import sys

    from pytest_lsp import ClientServerConfig, client_capabilities

    root = tmp_path / "project"
    root.mkdir()
    config = tmp_path / "config.toml"
    config.write_text('provider = "ollama"\n[budget]\ndaily = 3\n')
    with ScriptedModelServer() as server:
        env = {**os.environ, "OLLAMA_HOST": server.url, "CODA_CONFIG_FILE": str(config)}
        client = await ClientServerConfig(
            server_command=[sys.executable, "-m", "coda_ls"], server_env=env
        ).start()
        assert isinstance(client, LanguageClient)
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri()
            )
        )
        try:
            result = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="coda.preview", arguments=[{"question": "hi"}])
            )
        finally:
            await client.shutdown_session()
            await client.stop()
    assert result["budget"] == ["daily budget: $0.0000 of $3.00 today"]
