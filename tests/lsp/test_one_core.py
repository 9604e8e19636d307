"""The language server over the core Workspace: configured MCP servers reach the model in
the editor, and a new session's id and model arrive with its first stream notification."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.conftest import Recorder, _plain
from tests.support.model_server import Reply, ScriptedModelServer

REFERENCE = str(Path(__file__).parents[1] / "tools" / "reference_mcp_server.py")


async def execute(client: LanguageClient, command: str, argument: dict[str, Any]) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=[argument])
    )


@pytest_asyncio.fixture
async def mcp_lsp(
    model_server: ScriptedModelServer, workspace: Path
) -> AsyncIterator[tuple[LanguageClient, Recorder]]:
    """coda-ls with an MCP server configured in the editor's initializationOptions."""
    env = {**os.environ, "OLLAMA_HOST": model_server.url}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "coda_ls"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    recorder = Recorder()

    @client.feature("coda/stream")
    def on_stream(params: Any) -> None:
        recorder.stream.append(_plain(params))

    options = {
        "repomap": {"tokens": 256},
        "permissions": {"mcp": "allow"},
        "mcp_servers": {"ref": {"command": [sys.executable, REFERENCE]}},
    }
    capabilities = client_capabilities("visual-studio-code")
    capabilities.experimental = {"codaStream": True}  # as the bundled clients opt in
    await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
            initialization_options=options,
        )
    )
    yield client, recorder
    await client.shutdown_session()
    await client.stop()


async def test_mcp_servers_configured_in_the_editor_are_used(
    mcp_lsp: tuple[LanguageClient, Recorder], model_server: ScriptedModelServer
) -> None:
    client, _ = mcp_lsp
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[{"name": "ref__add", "arguments": {"a": 2, "b": 3}}]),
        Reply(text="Two and three make 5."),
    )
    result = await execute(client, "coda.ask", {"question": "What is 2 + 3? Use the tool."})
    assert result["text"] == "Two and three make 5."
    first, second = model_server.chat_requests()[-2:]
    offered = {tool["function"]["name"] for tool in first.body.get("tools", [])}
    assert "ref__add" in offered
    last = second.body["messages"][-1]
    assert last["role"] == "tool" and last["content"].strip() == "5"


async def test_first_stream_notification_names_the_new_session_and_model(
    lsp: tuple[LanguageClient, Recorder], model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    model_server.script(Reply(chunks=["Hello", " there."]))
    result = await execute(client, "coda.ask", {"question": "Say hello.", "requestId": "n1"})
    mine = [n for n in recorder.stream if n["requestId"] == "n1"]
    assert mine, "no coda/stream notification"
    first = mine[0]
    assert first["delta"] == "Hello"
    assert first["sessionId"] is not None and first["sessionId"] == result["sessionId"]
    assert first["provider"] == "ollama" and first["model"] == result["model"]
    assert all(n["sessionId"] == result["sessionId"] for n in mine)
