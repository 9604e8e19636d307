"""Several workspace folders in one editor: each folder is a project of the others, so a
question asked in one sees the other folders' maps after its own, labelled by folder."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.support.model_server import Reply, ScriptedModelServer


async def execute(client: LanguageClient, command: str, argument: dict[str, Any]) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=[argument])
    )


@pytest_asyncio.fixture
async def two_folders(
    model_server: ScriptedModelServer, tmp_path: Path
) -> AsyncIterator[tuple[LanguageClient, Path, Path]]:
    service = tmp_path / "service"
    service.mkdir()
    (service / "handler.py").write_text("def handle(request):\n    return shared_parse(request)\n")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "parsing.py").write_text("def shared_parse(text):\n    return text.strip()\n")
    env = {**os.environ, "OLLAMA_HOST": model_server.url}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "coda_ls"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=service.as_uri(),
            workspace_folders=[
                types.WorkspaceFolder(uri=service.as_uri(), name="service"),
                types.WorkspaceFolder(uri=shared.as_uri(), name="shared"),
            ],
            initialization_options={"repomap": {"tokens": 512}},
        )
    )
    yield client, service, shared
    await client.shutdown_session()
    await client.stop()


async def test_each_folder_sees_the_others_after_itself(
    two_folders: tuple[LanguageClient, Path, Path], model_server: ScriptedModelServer
) -> None:
    client, service, shared = two_folders
    # Asking for the shared folder's map waits until it is built.
    other = await execute(client, "coda.repoMap", {"uri": (shared / "parsing.py").as_uri()})
    assert other["text"].startswith("parsing.py:")
    mine = await execute(client, "coda.repoMap", {"uri": (service / "handler.py").as_uri()})
    text = mine["text"]
    assert text.startswith("handler.py:") and "[shared] parsing.py:" in text
    assert "def shared_parse(text)" in text

    model_server.script(Reply(text="It calls shared_parse."))
    answer = await execute(
        client,
        "coda.ask",
        {"question": "what does handle do?", "uri": (service / "handler.py").as_uri()},
    )
    assert answer["text"] == "It calls shared_parse."
    system = model_server.chat_requests()[-1].body["messages"][0]["content"]
    assert system.index("handler.py:") < system.index("[shared] parsing.py:")
