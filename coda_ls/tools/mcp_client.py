"""MCP client: connect to the servers in `mcp_servers` (stdio or streamable HTTP) with the
official `mcp` SDK, and offer their tools to the model as `mcp` permission-category tools.

Each connection lives in its own asyncio task that enters and leaves the SDK's context
(anyio requires a cancel scope to be exited by the task that entered it), so a Toolbox can
be opened in one request handler and closed in another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pydantic import BaseModel, ConfigDict

from coda_ls import paths
from coda_ls.errors import ToolError
from coda_ls.tools.base import Tool, ToolContext, ToolResult
from coda_ls.tools.permissions import PermissionRequest
from coda_ls.wire import ToolSpec

if TYPE_CHECKING:
    from mcp import Client
    from mcp.types import CallToolResult

    from coda_ls.config import MCPServerSettings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 30.0
CALL_TIMEOUT = 300.0
_PASSED_ENV = ("XDG_", "LANG", "LC_", "TMPDIR", "VIRTUAL_ENV")
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")


class MCPArgs(BaseModel):
    """Arguments for a remote tool: passed through; the server validates its own schema."""

    model_config = ConfigDict(extra="allow")


def tool_name(server: str, remote: str) -> str:
    """`server__tool`, limited to the characters and length model APIs accept."""
    return _NAME_CHARS.sub("_", f"{server}__{remote}")[:64]


class MCPTool(Tool[MCPArgs]):
    """One tool of a connected MCP server."""

    category = "mcp"
    Args = MCPArgs

    def __init__(self, connection: MCPConnection, remote: str, description: str,
                 schema: dict[str, Any]) -> None:  # fmt: skip
        self.connection = connection
        self.remote = remote
        self.name = tool_name(connection.name, remote)
        self.description = " ".join(f"[MCP {connection.name}] {description}".split())
        self.schema = schema or {"type": "object"}

    def spec(self) -> ToolSpec:
        return ToolSpec(name=self.name, description=self.description, parameters=self.schema)

    async def describe(self, args: MCPArgs, ctx: ToolContext) -> PermissionRequest:
        shown = json.dumps(args.model_dump(), ensure_ascii=False)
        if len(shown) > 500:
            shown = shown[:500] + "…"
        return PermissionRequest(
            self.name,
            self.category,
            f"Call {self.remote} on MCP server {self.connection.name} with {shown}",
            details={"server": self.connection.name, "tool": self.remote},
        )

    async def run(self, args: MCPArgs, ctx: ToolContext) -> ToolResult:
        result = await self.connection.call(self.remote, args.model_dump())
        return ToolResult(render_result(result), is_error=bool(result.is_error))


def render_result(result: CallToolResult) -> str:
    """The text of a tool result; other content types become one-line placeholders."""
    parts: list[str] = []
    for block in result.content:
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(str(getattr(block, "text", "")))
        elif kind == "resource":
            resource = getattr(block, "resource", None)
            text = getattr(resource, "text", None)
            uri = getattr(resource, "uri", "")
            parts.append(str(text) if text is not None else f"[binary resource {uri}]")
        elif kind == "resource_link":
            parts.append(f"[resource {getattr(block, 'uri', '')}]")
        else:
            parts.append(f"[{kind} content: {getattr(block, 'mime_type', '') or 'binary'}]")
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    return "\n".join(parts) or "(no output)"


class MCPConnection:
    """One server: a task holds the SDK client open until `close`."""

    def __init__(self, name: str, settings: MCPServerSettings, cwd: Path) -> None:
        self.name = name
        self.settings = settings
        self.cwd = cwd
        self.tools: list[MCPTool] = []
        self.error: str | None = None
        self._client: Client | None = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._errlog: TextIO | None = None

    def _target(self) -> Any:
        from mcp import StdioServerParameters

        if self.settings.command:
            command, *rest = self.settings.command
            # The SDK passes only HOME/PATH/SHELL/TERM/USER on; locale and XDG dirs matter
            # too (a server that is Coda must find the same config and sessions).
            env = {k: v for k, v in os.environ.items() if k.startswith(_PASSED_ENV)}
            env.update(self.settings.env)
            return StdioServerParameters(command=command, args=rest, env=env, cwd=self.cwd)
        if self.settings.url:
            return self.settings.url
        raise ToolError(
            f"MCP server {self.name!r} has neither `command` nor `url`",
            f'set mcp_servers.{self.name}.command = [...] or .url = "http://…/mcp"',
        )

    async def start(self, timeout: float = CONNECT_TIMEOUT) -> None:
        """Connect and list tools; on failure `error` says why (never raises)."""
        try:
            target = self._target()
        except ToolError as exc:
            self.error = str(exc)
            return
        self._task = asyncio.create_task(self._hold(target), name=f"mcp:{self.name}")
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            self.error = f"MCP server {self.name!r}: no answer within {timeout:g}s"
            await self.close()

    async def _hold(self, target: Any) -> None:
        from mcp import Client, StdioServerParameters
        from mcp.client.stdio import stdio_client

        try:
            if isinstance(target, StdioServerParameters):
                # The server's stderr goes to a log file, not over the user's terminal.
                self._errlog = _open_errlog(self.name)
                client = Client(stdio_client(target, errlog=self._errlog),
                                read_timeout_seconds=CALL_TIMEOUT)  # fmt: skip
            else:
                client = Client(target, read_timeout_seconds=CALL_TIMEOUT)
            async with client:
                self.tools = await self._list(client)
                self._client = client
                self._ready.set()
                await self._stop.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # boundary: a broken MCP server must not break Coda
            self.error = f"MCP server {self.name!r}: {_describe(exc)}"
            log.debug("MCP server %s failed", self.name, exc_info=True)
        finally:
            self._client = None
            self._ready.set()
            if self._errlog is not None:
                self._errlog.close()
                self._errlog = None

    async def _list(self, client: Client) -> list[MCPTool]:
        tools: list[MCPTool] = []
        cursor: str | None = None
        for _ in range(100):  # a server that paginates forever cannot hang us
            page = await client.list_tools(cursor=cursor)
            for remote in page.tools:
                tools.append(
                    MCPTool(self, remote.name, remote.description or "", dict(remote.input_schema))
                )
            cursor = page.next_cursor
            if not cursor:
                break
        return tools

    async def call(self, remote: str, arguments: dict[str, Any]) -> CallToolResult:
        from mcp import MCPError

        client = self._client
        if client is None:
            raise ToolError(f"MCP server {self.name!r} is not connected ({self.error or 'closed'})")
        try:
            return await client.call_tool(remote, arguments)
        except MCPError as exc:
            raise ToolError(f"MCP server {self.name!r}: {exc}") from None
        except TimeoutError:
            raise ToolError(f"MCP server {self.name!r}: {remote} gave no answer in time") from None
        except Exception as exc:  # boundary: transport errors (anyio, httpx) of a dead server
            raise ToolError(f"MCP server {self.name!r}: {_describe(exc)}") from None

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 5.0)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None


class MCPConnections:
    """Every enabled server of `mcp_servers`, connected concurrently."""

    def __init__(self, servers: dict[str, MCPServerSettings], cwd: Path) -> None:
        self.connections = [
            MCPConnection(name, conf, cwd) for name, conf in servers.items() if conf.enabled
        ]
        self._started = False

    async def start(self) -> list[str]:
        if not self._started:
            self._started = True
            await asyncio.gather(*(c.start() for c in self.connections))
        return [c.error for c in self.connections if c.error]

    def tools(self) -> list[MCPTool]:
        return [tool for c in self.connections if c.error is None for tool in c.tools]

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.connections))


def _open_errlog(name: str) -> TextIO:
    directory = paths.cache_dir() / "mcp"
    directory.mkdir(parents=True, exist_ok=True)
    return (directory / f"{_NAME_CHARS.sub('_', name)}.log").open("a", encoding="utf-8")


def _describe(exc: BaseException) -> str:
    """The innermost useful message of an exception (anyio wraps them in groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
