"""Start the real `coda acp` over stdio with the SDK's client side, against the scripted
model server. The client plays an editor: it has open buffers (unsaved text the disk does
not have), answers permission prompts from a script, and records every update."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from acp import RequestError, spawn_agent_process
from acp.client.connection import ClientSideConnection
from acp.schema import (
    AgentMessageChunk,
    AllowedOutcome,
    ClientCapabilities,
    CreateTerminalResponse,
    DeniedOutcome,
    FileSystemCapabilities,
    Implementation,
    PermissionOption,
    ReadTextFileResponse,
    RequestPermissionResponse,
    TerminalOutputResponse,
    TextContentBlock,
    ToolCallUpdate,
    WaitForTerminalExitResponse,
    WriteTextFileResponse,
)

from tests.support.model_server import ScriptedModelServer

SAMPLE = '''"""Geometry helpers."""


def area(width, height):
    """Area of a rectangle."""
    return width * height
'''


class EditorClient:
    """An ACP client with open buffers; `buffers` maps absolute paths to their text."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, Any]] = []
        self.buffers: dict[str, str] = {}
        self.reads: list[str] = []
        self.writes: list[tuple[str, str]] = []
        self.permission_answers: list[str | None] = []  # option ids; None = cancelled
        self.permission_requests: list[tuple[ToolCallUpdate, list[PermissionOption]]] = []
        self.chunk_seen = asyncio.Event()
        self.terminals: dict[str, asyncio.subprocess.Process] = {}
        self.commands: list[list[str]] = []
        self.released: list[str] = []

    # -- what the agent calls ---------------------------------------------------------------

    async def session_update(self, session_id: str, update: Any, **_: Any) -> None:
        self.updates.append((session_id, update))
        if isinstance(update, AgentMessageChunk):
            self.chunk_seen.set()

    async def request_permission(
        self, options: list[PermissionOption], session_id: str, tool_call: ToolCallUpdate, **_: Any
    ) -> RequestPermissionResponse:
        self.permission_requests.append((tool_call, options))
        answer = self.permission_answers.pop(0) if self.permission_answers else None
        if answer is None:
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=answer)
        )

    async def read_text_file(self, path: str, session_id: str, **_: Any) -> ReadTextFileResponse:
        self.reads.append(path)
        if path in self.buffers:
            return ReadTextFileResponse(content=self.buffers[path])
        if not Path(path).is_file():
            raise RequestError.resource_not_found(path)
        return ReadTextFileResponse(content=Path(path).read_text())

    async def write_text_file(
        self, content: str, path: str, session_id: str, **_: Any
    ) -> WriteTextFileResponse:
        # An editor changes its buffer (the user saves it); the disk stays as it was.
        self.writes.append((path, content))
        self.buffers[path] = content
        return WriteTextFileResponse()

    # A terminal: the command runs as a real process; its output is what the user sees.
    async def create_terminal(
        self, command: str, session_id: str, args: list[str] | None = None,
        cwd: str | None = None, **_: Any,
    ) -> CreateTerminalResponse:  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            command, *(args or []), cwd=cwd,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        terminal_id = f"term-{len(self.terminals)}"
        self.terminals[terminal_id] = process
        self.commands.append([command, *(args or [])])
        return CreateTerminalResponse(terminal_id=terminal_id)

    async def wait_for_terminal_exit(
        self, session_id: str, terminal_id: str, **_: Any
    ) -> WaitForTerminalExitResponse:
        return WaitForTerminalExitResponse(exit_code=await self.terminals[terminal_id].wait())

    async def terminal_output(
        self, session_id: str, terminal_id: str, **_: Any
    ) -> TerminalOutputResponse:
        process = self.terminals[terminal_id]
        assert process.stdout is not None
        output = (await process.stdout.read()).decode()
        return TerminalOutputResponse(output=output, truncated=False)

    async def release_terminal(self, session_id: str, terminal_id: str, **_: Any) -> None:
        self.released.append(terminal_id)

    async def kill_terminal(self, session_id: str, terminal_id: str, **_: Any) -> None:
        self.terminals[terminal_id].kill()

    # -- what tests read --------------------------------------------------------------------

    def of(self, kind: type, session_id: str | None = None) -> list[Any]:
        return [u for s, u in self.updates if isinstance(u, kind) and session_id in (None, s)]

    def text(self, session_id: str | None = None) -> str:
        return "".join(
            u.content.text
            for u in self.of(AgentMessageChunk, session_id)
            if isinstance(u.content, TextContentBlock)
        )


def text(value: str) -> list[TextContentBlock]:
    return [TextContentBlock(type="text", text=value)]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "geometry.py").write_text(SAMPLE)
    return root


@pytest.fixture
def store_path(isolated_env: Path) -> Path:
    return isolated_env / ".local" / "share" / "coda" / "sessions.db"


Connect = Callable[..., Any]


@pytest_asyncio.fixture
async def connect(model_server: ScriptedModelServer, workspace: Path) -> AsyncIterator[Connect]:
    """`async with connect() as (conn, client):` a new `coda acp` process, initialized
    (a second `connect()` is a second editor window, for session/load)."""

    @asynccontextmanager
    async def start(
        fs: bool = True, terminal: bool = False, model_host: str | None = None
    ) -> AsyncIterator[tuple[ClientSideConnection, EditorClient]]:
        client = EditorClient()
        env = {**os.environ, "OLLAMA_HOST": model_host or model_server.url}
        async with spawn_agent_process(
            client, sys.executable, "-m", "coda_cli", "acp", env=env, cwd=workspace
        ) as (conn, _process):
            await asyncio.wait_for(
                conn.initialize(
                    protocol_version=1,
                    client_capabilities=ClientCapabilities(
                        fs=FileSystemCapabilities(read_text_file=fs, write_text_file=fs),
                        terminal=terminal,
                    ),
                    client_info=Implementation(name="test-editor", version="1"),
                ),
                30,
            )
            yield conn, client

    yield start
