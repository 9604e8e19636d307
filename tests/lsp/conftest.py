"""Start the real `coda-ls` over stdio against the scripted model server."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.support.model_server import ScriptedModelServer

SAMPLE = '''"""Geometry helpers."""


def area(width, height):
    """Area of a rectangle."""
    return width * height


def perimeter(width, height):
    return 2 * (width + height)
'''


class Recorder:
    """What the client saw: coda/stream notifications, edits applied, documents shown."""

    def __init__(self) -> None:
        self.stream: list[dict[str, Any]] = []
        self.edits: list[types.ApplyWorkspaceEditParams] = []
        self.apply_result = True
        self.capabilities: types.ServerCapabilities | None = None
        self.permission_answer: str | None = "No"
        self.permission_requests: list[types.ShowMessageRequestParams] = []


def _plain(value: Any) -> Any:
    """pygls hands unknown notifications' params over as namedtuples: make them dicts."""
    if hasattr(value, "_asdict"):
        return {key: _plain(item) for key, item in value._asdict().items()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "geometry.py").write_text(SAMPLE)
    (root / "main.py").write_text("from geometry import area\n\nprint(area(2, 3))\n")
    return root


def _fix_code_action_decoding(client: LanguageClient) -> None:
    """lsprotocol 2025.0.0 may decode a CodeAction carrying a command as a Command."""
    converter = client.protocol._converter
    union = types.Command | types.CodeAction

    def structure(obj: Any, _: Any) -> Any:
        if isinstance(obj, dict) and (
            "kind" in obj or "diagnostics" in obj or isinstance(obj.get("command"), dict)
        ):
            return converter.structure(obj, types.CodeAction)
        return converter.structure(obj, types.Command)

    converter.register_structure_hook(union, structure)


@pytest_asyncio.fixture
async def lsp(
    model_server: ScriptedModelServer, workspace: Path
) -> AsyncIterator[tuple[LanguageClient, Recorder]]:
    env = {**os.environ, "OLLAMA_HOST": model_server.url}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "coda_ls"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    _fix_code_action_decoding(client)
    recorder = Recorder()

    @client.feature("coda/stream")
    def on_stream(params: Any) -> None:
        recorder.stream.append(_plain(params))

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def on_apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        recorder.edits.append(params)
        return types.ApplyWorkspaceEditResult(applied=recorder.apply_result)

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def on_message_request(params: types.ShowMessageRequestParams) -> Any:
        recorder.permission_requests.append(params)
        answer = recorder.permission_answer
        return None if answer is None else types.MessageActionItem(title=answer)

    capabilities = client_capabilities("visual-studio-code")
    capabilities.experimental = {"codaStream": True}  # as the bundled clients opt in
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="project")],
            initialization_options={"repomap": {"tokens": 512}},
        )
    )
    recorder.capabilities = result.capabilities
    yield client, recorder
    await client.shutdown_session()
    await client.stop()


@pytest.fixture
def store_path(isolated_env: Path) -> Path:
    """The session database the server (started with this environment) writes."""
    return isolated_env / ".local" / "share" / "coda" / "sessions.db"
