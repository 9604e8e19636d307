"""One ACP session: a Coda session in the store, and the Workspace that answers in it.

Each ACP session opens its own `Workspace` on the session's `cwd`, because what a
workspace's toolbox holds is per session in ACP: the client's MCP servers (handed over
in `session/new`), the client's files (`AcpBuffers`), the permission prompts
(`AcpAsker`) and "always" answers, and the live tool reports (`ToolReporter`). The
session store is shared by every session of one database.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acp import RequestError
from acp.schema import (
    AgentMessageChunk,
    AgentThoughtChunk,
    AvailableCommandsUpdate,
    ClientCapabilities,
    Cost,
    CurrentModeUpdate,
    PromptResponse,
    SessionInfoUpdate,
    StopReason,
    TextContentBlock,
    UsageUpdate,
)

from coda_ls.acp.buffers import AcpBuffers
from coda_ls.acp.convert import (
    COMMANDS,
    PromptBlock,
    available_commands,
    read_prompt,
    replay,
    turn_usage,
)
from coda_ls.acp.prompts import fill_library_prompt
from coda_ls.acp.render import render_structured
from coda_ls.acp.tools import AcpAsker, TerminalShell, ToolReporter
from coda_ls.config import LoadedSettings
from coda_ls.errors import CodaError
from coda_ls.workspace import MODES, Answer, AskRequest, Workspace, get_mode

if TYPE_CHECKING:
    from acp.interfaces import Client

    from coda_ls.sessions import SessionStore

log = logging.getLogger(__name__)

START_DELAY = 0.1  # seconds between answering session/new and preparing the session
CODA_ERROR = -32000  # JSON-RPC's server-error range: a Coda error, with its hint as data


def coda_error(exc: CodaError) -> RequestError:
    return RequestError(CODA_ERROR, exc.message, {"hint": exc.hint} if exc.hint else None)


class AcpSession:
    """A Coda session driven by an ACP client."""

    def __init__(
        self,
        client: Client,
        session_id: str,
        root: Path,
        loaded: LoadedSettings,
        store: SessionStore,
        capabilities: ClientCapabilities,
    ) -> None:
        self.client = client
        self.id = session_id
        self.root = root
        self.store = store
        fs = capabilities.fs
        can_read = bool(fs and fs.read_text_file)
        can_write = bool(fs and fs.write_text_file)
        self.buffers = (
            AcpBuffers(client, session_id, read=can_read, write=can_write)
            if can_read or can_write
            else None
        )
        self.reporter = ToolReporter(client, session_id, root, self.buffers)
        self.asker = AcpAsker(client, session_id, self.reporter)
        self.workspace = Workspace(
            root,
            loaded,
            asker=self.asker,
            buffers=self.buffers,
            store=store,
            tool_observer=self.reporter,
        )
        if capabilities.terminal and self.workspace.toolbox is not None:
            self.workspace.toolbox.add(
                TerminalShell(client, session_id, self.reporter), replace=True
            )
        self.mode = loaded.settings.mode
        self.task: asyncio.Future[Answer] | None = None
        self._preparing: asyncio.Task[None] | None = None

    def start(self, *, announce: bool) -> None:
        """Get ready for the first prompt in the background while the user types it:
        choose the provider and model (and check it exists), load the tokenizer, read
        the project summary and build the repo map. A first prompt sent at once simply
        does what is not done yet itself. `announce`: send the slash commands first (a
        new session's, which the client can place only once session/new is answered)."""
        self._preparing = asyncio.ensure_future(self._prepare(announce))

    async def _prepare(self, announce: bool) -> None:
        from coda_ls.tokens import count_tokens

        # Let session/new's answer go out before this work takes the CPU: the editor
        # shows the session first, then hears its commands.
        await asyncio.sleep(START_DELAY)
        if announce:
            try:
                await self.announce()
            except (RequestError, ConnectionError, OSError) as exc:
                log.info("commands not delivered: %r", exc)
        try:
            chosen = await self.workspace.selection(self.mode)
            await self.workspace.engine.model_info(chosen)
        except CodaError as exc:  # no provider yet: the prompt will say so, with the hint
            log.info("no model chosen yet: %s", exc.message)
        await asyncio.to_thread(count_tokens, "warm up")
        try:
            await self.workspace.prepare()
        except CodaError as exc:  # the session works without a map
            log.warning("repo map of %s: %s", self.root, exc.message)

    async def send(self, update: Any) -> None:
        await self.client.session_update(session_id=self.id, update=update)

    async def announce(self) -> None:
        """The slash commands, sent once the client knows the session."""
        await self.send(
            AvailableCommandsUpdate(
                session_update="available_commands_update",
                available_commands=available_commands(self.workspace.prompts()),
            )
        )

    async def replay(self) -> None:
        """The stored conversation as updates (for `session/load`)."""
        for update in replay(self.store.history(self.id)):
            await self.send(update)

    async def set_mode(self, mode_id: str) -> None:
        try:
            mode = get_mode(mode_id)
        except CodaError as exc:
            raise RequestError.invalid_params({"modeId": mode_id, "message": exc.message}) from None
        self.mode = mode.name
        await self.send(
            CurrentModeUpdate(session_update="current_mode_update", current_mode_id=mode.name)
        )

    async def _say(self, text: str) -> None:
        await self.send(
            AgentMessageChunk(
                session_update="agent_message_chunk",
                content=TextContentBlock(type="text", text=text),
            )
        )

    async def prompt(self, blocks: list[PromptBlock]) -> PromptResponse:
        if self.task is not None:
            raise RequestError.invalid_request(
                {"message": "a prompt is already running in this session; cancel it first"}
            )
        library = self.workspace.prompts()
        parsed = read_prompt(blocks, self.root, library.prompts)
        if parsed.command in COMMANDS:
            await self._command(parsed.command or "")
            return PromptResponse(stop_reason="end_turn")
        chosen: str | None = parsed.command
        if parsed.command in library.prompts and parsed.command not in MODES:
            try:
                chosen = fill_library_prompt(parsed, library.get(parsed.command or ""))
            except CodaError as exc:
                raise coda_error(exc) from None
        if not (parsed.question or parsed.files or parsed.attachments or parsed.attached):
            raise RequestError.invalid_params({"message": "the prompt has no text"})
        mode = get_mode(chosen or self.mode)
        request = AskRequest(
            question=parsed.question or "Look at the attached context.",
            mode=mode.name,
            files=parsed.files,
            attachments=parsed.attachments,
            attached=parsed.attached,
            session_id=self.id,
        )
        if self.buffers is not None:
            self.buffers.clear()
        structured = mode.output != "markdown"

        async def on_delta(delta: str) -> None:
            if not structured:
                await self._say(delta)

        async def on_notice(text: str) -> None:
            await self.send(
                AgentThoughtChunk(
                    session_update="agent_thought_chunk",
                    content=TextContentBlock(type="text", text=text + "\n"),
                )
            )

        untitled = self.store.get_session(self.id).title is None
        if parsed.ignored:
            await on_notice(f"Not sent to the model: {', '.join(parsed.ignored)}")
        task = asyncio.ensure_future(self.workspace.ask(request, on_delta, on_notice=on_notice))
        self.task = task
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:  # the request itself was dropped (connection closed)
            task.cancel()
            raise
        finally:
            self.task = None
        if task.cancelled():
            # The engine kept the partial answer in the session, marked interrupted.
            await self.reporter.abandon()
            return PromptResponse(stop_reason="cancelled")
        error = task.exception()
        if isinstance(error, CodaError):
            await self.reporter.abandon()
            raise coda_error(error)
        answer = task.result()
        if structured:
            await self._say(render_structured(answer))
        if untitled:
            await self._announce_title()
        await self._report_usage(answer)
        stop: StopReason = "max_tokens" if answer.finish_reason == "length" else "end_turn"
        return PromptResponse(stop_reason=stop, usage=turn_usage(answer.usage))

    def cancel(self) -> bool:
        """Stop the running prompt (its reply stays in the session, marked interrupted)."""
        if self.task is None or self.task.done():
            return False
        self.task.cancel()
        return True

    async def _announce_title(self) -> None:
        """The store titled the session from its first question (as in every front);
        the client hears that title, for its thread list."""
        session = self.store.get_session(self.id)
        if session.title:
            updated = datetime.fromtimestamp(session.updated_at, UTC).isoformat()
            await self.send(
                SessionInfoUpdate(
                    session_update="session_info_update", title=session.title, updated_at=updated
                )
            )

    async def _report_usage(self, answer: Answer) -> None:
        """The context used after this turn, the model's window, and the session's cost."""
        size = answer.context_tokens
        try:
            chosen = await self.workspace.selection(answer.mode)
            info = await self.workspace.engine.model_info(chosen)
            if info is not None and info.context_window:
                size = info.context_window
        except CodaError:
            pass
        stats = self.store.stats(self.id)
        cost = Cost(amount=stats.cost, currency="USD") if stats.cost is not None else None
        await self.send(
            UsageUpdate(
                session_update="usage_update",
                used=answer.context_tokens,
                size=max(size, answer.context_tokens),
                cost=cost,
            )
        )

    async def _command(self, name: str) -> None:
        if name == "cost":
            stats = self.store.stats(self.id)
            cost = f"${stats.cost:.4f}" if stats.cost is not None else "unknown (no price known)"
            await self._say(
                f"{stats.requests} requests · {stats.input_tokens:,} tokens in · "
                f"{stats.output_tokens:,} out · {stats.cached_tokens:,} cached · cost {cost}"
            )
        elif name == "compact":
            try:
                summary = await self.workspace.engine.compact(self.id)
            except CodaError as exc:
                raise coda_error(exc) from None
            await self._say(
                f"Compacted the older turns:\n\n{summary}" if summary else "Nothing to compact yet."
            )

    async def aclose(self) -> None:
        self.cancel()
        if self._preparing is not None and not self._preparing.done():
            self._preparing.cancel()
        await self.workspace.aclose()


def mcp_overrides(servers: list[Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The client's MCP servers as Coda `mcp_servers` settings, and a line for each one
    Coda cannot use (SSE; HTTP headers are not passed on)."""
    settings: dict[str, Any] = {}
    problems: list[str] = []
    for server in servers or []:
        kind = getattr(server, "type", None)
        if kind is None and hasattr(server, "command"):
            settings[server.name] = {
                "command": [server.command, *server.args],
                "env": {var.name: var.value for var in server.env},
            }
        elif kind == "http":
            settings[server.name] = {"url": server.url}
            if server.headers:
                problems.append(
                    f"MCP server {server.name}: HTTP headers are not supported; sent without"
                )
        else:
            problems.append(f"MCP server {server.name}: {kind} transport not supported; skipped")
    return ({"mcp_servers": settings} if settings else {}), problems
