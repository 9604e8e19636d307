"""The Toolbox: the tools of one workspace, their specs for the model, and `execute`,
which validates, asks permission, runs, and always answers with a ToolResult."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ValidationError

from coda_ls.errors import CodaError
from coda_ls.tools.base import Buffers, Category, Tool, ToolContext, ToolResult
from coda_ls.tools.permissions import (
    Asker,
    Decision,
    PermissionRequest,
    policy_for,
    shell_verdict,
)
from coda_ls.wire import ToolCall, ToolSpec

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.tools.mcp_client import MCPConnections

log = logging.getLogger(__name__)

RESULT_CAP = 100_000  # a last guard: no single tool result may flood the context window


class ToolObserver(Protocol):
    """Hears about every call as it goes, for a front that shows tool calls live (ACP's
    tool_call / tool_call_update). Called in order for one call: `started` (before
    anything is checked), `described` (what the user would approve; not for calls that
    fail before that), `finished` (always, with the result the model reads). An observer
    must not raise: it reports, it does not decide (the `Asker` decides)."""

    async def started(self, call: ToolCall, tool: Tool[Any] | None) -> None: ...

    async def described(self, call: ToolCall, request: PermissionRequest) -> None: ...

    async def finished(self, call: ToolCall, result: ToolResult) -> None: ...


def builtin_tools() -> list[Tool[Any]]:
    """One instance of every core tool."""
    from coda_ls.tools.files import EditFile, ListFiles, ReadFile, WriteFile
    from coda_ls.tools.search import Search
    from coda_ls.tools.shell import Shell
    from coda_ls.tools.vcs import VCSDiff, VCSLog, VCSStatus
    from coda_ls.tools.web import WebFetch

    return [
        ReadFile(), ListFiles(), Search(), WriteFile(), EditFile(), Shell(),
        VCSStatus(), VCSDiff(), VCSLog(), WebFetch(),
    ]  # fmt: skip


class Toolbox:
    """The tools offered to the model in one workspace, under the settings' permissions.

    `categories` limits what is offered (e.g. `{"read"}` for explain/review modes).
    `buffers` (an editor's open documents) makes the file tools work on what the user sees.
    "always" answers are remembered per tool name for the Toolbox's lifetime (a session).
    """

    def __init__(
        self,
        workspace: Path,
        settings: Settings,
        asker: Asker,
        *,
        tools: Sequence[Tool[Any]] | None = None,
        categories: Iterable[Category] | None = None,
        buffers: Buffers | None = None,
        observer: ToolObserver | None = None,
    ) -> None:
        self.ctx = ToolContext(workspace=workspace.resolve(), settings=settings, buffers=buffers)
        self.settings = settings
        self.asker = asker
        self.observer = observer
        self.categories = set(categories) if categories is not None else None
        self._tools: dict[str, Tool[Any]] = {}
        self._always: set[str] = set()
        self._mcp: MCPConnections | None = None
        for tool in builtin_tools() if tools is None else tools:
            self.add(tool)

    @property
    def workspace(self) -> Path:
        return self.ctx.workspace

    def add(self, tool: Tool[Any], *, replace: bool = False) -> None:
        """Offer one more tool (an MCP server's, a plugin's). Names must be unique unless
        `replace` (a front swapping a core tool for its own, like ACP's terminal shell)."""
        if tool.name in self._tools and not replace:
            raise ValueError(f"a tool named {tool.name!r} is already registered")
        self._tools[tool.name] = tool

    def all_tools(self) -> list[Tool[Any]]:
        """Every registered tool, offered or not (for listings)."""
        return list(self._tools.values())

    def tools(self) -> list[Tool[Any]]:
        """The tools on offer: in an allowed category, and not denied by the policy."""
        return [t for t in self._tools.values() if self._offered(t)]

    def specs(self) -> list[ToolSpec]:
        """What to send to the model as `ChatRequest.tools`."""
        return [tool.spec() for tool in self.tools()]

    def _offered(self, tool: Tool[Any]) -> bool:
        if self.categories is not None and tool.category not in self.categories:
            return False
        return policy_for(self.settings.permissions, tool.category) != "deny"

    async def execute(self, call: ToolCall) -> ToolResult:
        """Run one call from the model. Never raises: every failure is an error result."""
        tool = self._tools.get(call.name)
        if tool is not None and not self._offered(tool):
            tool = None
        if self.observer is not None:
            await self.observer.started(call, tool)
        result = await self._guarded(tool, call)
        if self.observer is not None:
            await self.observer.finished(call, result)
        return result

    async def _guarded(self, tool: Tool[Any] | None, call: ToolCall) -> ToolResult:
        if tool is None:
            known = ", ".join(t.name for t in self.tools()) or "none"
            return ToolResult(f"unknown tool {call.name!r}; available: {known}", is_error=True)
        try:
            return _capped(await self._execute(tool, call))
        except CodaError as exc:
            return ToolResult(str(exc), is_error=True)
        except OSError as exc:
            return ToolResult(
                f"{call.name}: {exc.strerror or exc} ({exc.filename or ''})".rstrip(" ()"),
                is_error=True,
            )
        except Exception as exc:  # boundary: a tool bug must reach the model, not kill the loop
            log.exception("tool %s crashed", call.name)
            return ToolResult(f"{call.name} failed: {type(exc).__name__}: {exc}", is_error=True)

    async def _execute(self, tool: Tool[Any], call: ToolCall) -> ToolResult:
        try:
            args: BaseModel = tool.parse(dict(call.arguments))
        except ValidationError as exc:
            return ToolResult(_argument_errors(tool.name, exc), is_error=True)
        request = await tool.describe(args, self.ctx)  # may refuse: path escape, bad edit
        if self.observer is not None:
            await self.observer.described(call, request)
        refusal = await self._permission(tool, request)
        if refusal is not None:
            return ToolResult(refusal, is_error=True)
        return await tool.run(args, self.ctx)

    async def _permission(self, tool: Tool[Any], request: Any) -> str | None:
        """None when the call may run, else the reason it may not (for the model)."""
        permissions = self.settings.permissions
        must_ask = False
        allowed_by: tuple[str, ...] = ()
        if tool.category == "shell":
            verdict = shell_verdict(str(request.details.get("command", "")), permissions)
            if verdict.kind == "deny":
                return f"refused: {verdict.reason}"
            # What cannot be judged before it runs is asked about even under "allow".
            must_ask = verdict.kind == "ask"
            allowed_by = verdict.allowed_by
        policy = policy_for(permissions, tool.category)
        if policy == "deny":
            return f"refused: permissions.{tool.category} is 'deny'"
        if allowed_by:
            return None  # every part matches a permissions.shell_allow prefix
        if not must_ask and (policy == "allow" or tool.name in self._always):
            return None
        decision = await self.asker.ask(request)
        if must_ask and decision is not Decision.NO:
            return None  # yes for this line only: "always" does not cover the next one
        if decision is Decision.ALWAYS:
            self._always.add(tool.name)
            return None
        if decision is Decision.YES:
            return None
        return "the user declined this call; do not retry it unchanged, ask or try another way"

    # MCP servers from the settings: connected on enter (or `connect_mcp`), closed on exit.

    async def connect_mcp(self) -> list[str]:
        """Connect to every enabled server in `mcp_servers` and offer their tools.

        Returns one line per server that failed (it is skipped; the others still work).
        """
        from coda_ls.tools.mcp_client import MCPConnections

        if self._mcp is None:
            self._mcp = MCPConnections(self.settings.mcp_servers, cwd=self.workspace)
        errors = await self._mcp.start()
        for tool in self._mcp.tools():
            if tool.name not in self._tools:
                self.add(tool)
        return errors

    async def aclose(self) -> None:
        if self._mcp is not None:
            for tool in self._mcp.tools():
                self._tools.pop(tool.name, None)
            await self._mcp.close()
            self._mcp = None

    async def __aenter__(self) -> Toolbox:
        for line in await self.connect_mcp():
            log.warning("%s", line)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _argument_errors(name: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        problems.append(f"{where}: {error['msg']}")
    return f"invalid arguments for {name}: " + "; ".join(problems)


def _capped(result: ToolResult) -> ToolResult:
    if len(result.text) <= RESULT_CAP:
        return result
    cut = len(result.text) - RESULT_CAP
    return ToolResult(result.text[:RESULT_CAP] + f"\n[… {cut:,} characters cut …]", result.is_error)
