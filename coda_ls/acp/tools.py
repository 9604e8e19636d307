"""Tool calls as the ACP client sees them: reported live (`tool_call`, `tool_call_update`
with kind, locations and diffs), permission asked with `session/request_permission`, and
the shell run in the client's terminal (`terminal/*`) when it offers one.

One `ToolReporter` per session is the Toolbox's `ToolObserver`; the `AcpAsker` refers
to the call the reporter announced last (the engine runs one call at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acp import RequestError
from acp.schema import (
    AllowedOutcome,
    ContentToolCallContent,
    FileEditToolCallContent,
    PermissionOption,
    TerminalToolCallContent,
    TextContentBlock,
    ToolCallLocation,
    ToolCallProgress,
    ToolCallStart,
    ToolCallUpdate,
    ToolKind,
)

from coda_ls.errors import CodaError
from coda_ls.tools import Decision, PermissionRequest, Tool, ToolContext, ToolResult
from coda_ls.tools.shell import OUTPUT_CAP, Shell, ShellArgs
from coda_ls.tools.workspace import resolve
from coda_ls.wire import ToolCall

if TYPE_CHECKING:
    from acp.interfaces import Client

    from coda_ls.acp.buffers import AcpBuffers

log = logging.getLogger(__name__)

_KINDS: dict[str, ToolKind] = {
    "read_file": "read",
    "list_files": "search",
    "search": "search",
    "write_file": "edit",
    "edit_file": "edit",
    "shell": "execute",
    "vcs_status": "read",
    "vcs_diff": "read",
    "vcs_log": "read",
    "web_fetch": "fetch",
}
FILE_TOOLS = ("read_file", "write_file", "edit_file")
SHOWN_RESULT = 4000  # characters of a tool's result shown in the client's tool card

# ACP's four answers, and what each means to Coda's permission policy.
ALLOW_ONCE, ALLOW_ALWAYS, REJECT_ONCE, REJECT_ALWAYS = (
    "allow-once",
    "allow-always",
    "reject-once",
    "reject-always",
)
OPTIONS = [
    PermissionOption(option_id=ALLOW_ONCE, name="Allow", kind="allow_once"),
    PermissionOption(option_id=ALLOW_ALWAYS, name="Always allow", kind="allow_always"),
    PermissionOption(option_id=REJECT_ONCE, name="Reject", kind="reject_once"),
    PermissionOption(option_id=REJECT_ALWAYS, name="Always reject", kind="reject_always"),
]
DECISIONS = {
    ALLOW_ONCE: Decision.YES,
    ALLOW_ALWAYS: Decision.ALWAYS,
    REJECT_ONCE: Decision.NO,
    REJECT_ALWAYS: Decision.NO,
}


def tool_kind(name: str) -> ToolKind:
    return _KINDS.get(name, "other")


def _text(text: str) -> ContentToolCallContent:
    shown = text if len(text) <= SHOWN_RESULT else text[:SHOWN_RESULT] + "\n[…]"
    return ContentToolCallContent(type="content", content=TextContentBlock(type="text", text=shown))


class ToolReporter:
    """The Toolbox's observer for one ACP session: every call becomes a `tool_call`
    (pending), updated with what the user would approve (title, diff) and with its end
    (completed or failed, with the result's text). Before a file tool runs, the file is
    read through the client (`AcpBuffers.load`) so the tool sees the editor's buffer."""

    def __init__(
        self, client: Client, session_id: str, root: Path, buffers: AcpBuffers | None
    ) -> None:
        self.client = client
        self.session_id = session_id
        self.root = root
        self.buffers = buffers
        self.current: str | None = None
        self.open: dict[str, str] = {}  # call id -> title, for calls not finished yet
        self._requests: dict[str, PermissionRequest] = {}

    def _path(self, call: ToolCall) -> Path | None:
        raw = call.arguments.get("path") if isinstance(call.arguments, dict) else None
        if not isinstance(raw, str) or not raw:
            return None
        try:
            return resolve(self.root, raw, for_write=call.name != "read_file")
        except CodaError:
            return None  # the tool itself will refuse it, with the reason

    def _locations(self, call: ToolCall) -> list[ToolCallLocation] | None:
        path = self._path(call)
        if path is None:
            return None
        line = call.arguments.get("start_line") if call.name == "read_file" else None
        return [ToolCallLocation(path=str(path), line=line if isinstance(line, int) else None)]

    async def _send(self, update: ToolCallStart | ToolCallProgress) -> None:
        try:
            await self.client.session_update(session_id=self.session_id, update=update)
        except (RequestError, ConnectionError, OSError) as exc:  # a report is best effort
            log.info("tool update not delivered: %r", exc)

    async def started(self, call: ToolCall, tool: Tool[Any] | None) -> None:
        self.current = call.id
        self.open[call.id] = call.name
        await self._send(
            ToolCallStart(
                session_update="tool_call",
                tool_call_id=call.id,
                title=call.name,
                kind=tool_kind(call.name),
                status="pending",
                locations=self._locations(call),
                raw_input=call.arguments,
            )
        )
        if self.buffers is not None and call.name in FILE_TOOLS:
            path = self._path(call)
            if path is not None:
                await self.buffers.load(path)

    async def described(self, call: ToolCall, request: PermissionRequest) -> None:
        self._requests[call.id] = request
        self.open[call.id] = request.summary
        await self._send(
            ToolCallProgress(
                session_update="tool_call_update",
                tool_call_id=call.id,
                title=request.summary,
                content=self.content(call, request),
            )
        )

    def content(
        self, call: ToolCall, request: PermissionRequest
    ) -> list[ContentToolCallContent | FileEditToolCallContent | TerminalToolCallContent] | None:
        """A diff for writes and edits (the client renders it), else nothing yet."""
        path = self._path(call)
        if request.new_text is None or path is None:
            return None
        return [
            FileEditToolCallContent(
                type="diff", path=str(path), old_text=request.old_text, new_text=request.new_text
            )
        ]

    def update(self, call_id: str) -> ToolCallUpdate:
        """The call as `session/request_permission` shows it."""
        request = self._requests.get(call_id)
        title = request.summary if request else self.open.get(call_id, call_id)
        return ToolCallUpdate(tool_call_id=call_id, title=title, status="pending")

    async def terminal(self, terminal_id: str) -> None:
        """Show the running command's terminal in the current call's card."""
        if self.current is None:
            return
        await self._send(
            ToolCallProgress(
                session_update="tool_call_update",
                tool_call_id=self.current,
                status="in_progress",
                content=[TerminalToolCallContent(type="terminal", terminal_id=terminal_id)],
            )
        )

    async def finished(self, call: ToolCall, result: ToolResult) -> None:
        self.open.pop(call.id, None)
        request = self._requests.pop(call.id, None)
        content: list[ContentToolCallContent | FileEditToolCallContent | TerminalToolCallContent]
        content = [_text(result.text)]
        if request is not None and not result.is_error:
            content = [*(self.content(call, request) or []), *content]
        await self._send(
            ToolCallProgress(
                session_update="tool_call_update",
                tool_call_id=call.id,
                status="failed" if result.is_error else "completed",
                content=content,
                raw_output=result.text[:SHOWN_RESULT],
            )
        )
        if self.current == call.id:
            self.current = None

    async def abandon(self) -> None:
        """Mark calls still open as failed (the turn was cancelled under them)."""
        for call_id in list(self.open):
            self.open.pop(call_id, None)
            await self._send(
                ToolCallProgress(
                    session_update="tool_call_update",
                    tool_call_id=call_id,
                    status="failed",
                    content=[_text("cancelled")],
                )
            )
        self.current = None


class AcpAsker:
    """Coda's `Asker` over `session/request_permission`. "Always reject" is remembered for
    the session (Coda's policy has no "never", so it is kept here); a cancelled request
    or a client that cannot answer is a "no"."""

    def __init__(self, client: Client, session_id: str, reporter: ToolReporter) -> None:
        self.client = client
        self.session_id = session_id
        self.reporter = reporter
        self.never: set[str] = set()

    async def ask(self, request: PermissionRequest) -> Decision:
        if request.tool in self.never:
            return Decision.NO
        call_id = self.reporter.current or f"coda-{request.tool}"
        try:
            response = await self.client.request_permission(
                session_id=self.session_id,
                tool_call=self.reporter.update(call_id),
                options=OPTIONS,
            )
        except (RequestError, ConnectionError, OSError) as exc:
            log.info("permission for %s not answered: %r", request.tool, exc)
            return Decision.NO
        outcome = response.outcome
        if not isinstance(outcome, AllowedOutcome):
            return Decision.NO
        if outcome.option_id == REJECT_ALWAYS:
            self.never.add(request.tool)
        return DECISIONS.get(outcome.option_id, Decision.NO)


class TerminalShell(Shell):
    """The `shell` tool run in the client's terminal (`terminal/*`): the user sees the
    command and its output live in the editor. Same arguments, permission and result
    shape as the toolbox's own shell."""

    def __init__(self, client: Client, session_id: str, reporter: ToolReporter) -> None:
        self.client = client
        self.session_id = session_id
        self.reporter = reporter

    async def run(self, args: ShellArgs, ctx: ToolContext) -> ToolResult:
        created = await self.client.create_terminal(
            session_id=self.session_id,
            command="/bin/sh",
            args=["-c", args.command],
            cwd=str(ctx.workspace),
            output_byte_limit=OUTPUT_CAP,
        )
        terminal_id = created.terminal_id
        await self.reporter.terminal(terminal_id)
        timed_out = False
        signal: str | None = None
        try:
            try:
                exited = await asyncio.wait_for(
                    self.client.wait_for_terminal_exit(
                        session_id=self.session_id, terminal_id=terminal_id
                    ),
                    args.timeout,
                )
                code, signal = exited.exit_code, exited.signal
            except TimeoutError:
                timed_out = True
                code = None
                await self.client.kill_terminal(session_id=self.session_id, terminal_id=terminal_id)
            output = await self.client.terminal_output(
                session_id=self.session_id, terminal_id=terminal_id
            )
        finally:
            with contextlib.suppress(RequestError, ConnectionError, OSError):
                await self.client.release_terminal(
                    session_id=self.session_id, terminal_id=terminal_id
                )
        text = output.output or "(no output)"
        if output.truncated:
            text = f"[… the start of the output was cut by the terminal …]\n{text}"
        if signal is not None and code is None:
            return ToolResult(f"killed by signal {signal}\n{text}", is_error=True)
        if timed_out:
            return ToolResult(
                f"timed out after {args.timeout:g}s; the command was killed\n{text}", True
            )
        return ToolResult(f"exit code {code}\n{text}", is_error=code != 0)
