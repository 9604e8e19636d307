"""The engine: one request in, a streamed and recorded answer out.

Given a mode, a question, an optional selection/files and a session, the engine picks the
provider and model, assembles the context within the model's window (compacting old history
into a summary when it overflows), streams the reply to a callback, runs the tool loop when
tools are offered, and records every message with its usage in the session store. The CLI
and the language server both drive this class; neither talks to providers directly.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from coda_ls import attachments as attach
from coda_ls import budget, fallback, telemetry, vision
from coda_ls import preview as cost_preview
from coda_ls.config import Settings
from coda_ls.context import (
    BuiltContext,
    CodeSelection,
    ContextBuilder,
    KnowledgeLike,
    RepoMapLike,
    find_mentions,
    relative,
)
from coda_ls.errors import CodaError, ProviderError, StreamInterrupted
from coda_ls.modes import Mode, get_mode
from coda_ls.providers.base import Provider
from coda_ls.providers.registry import create_provider
from coda_ls.providers.select import Selection, check_model, select
from coda_ls.structured import Refactor, Review, parse_refactor, parse_review
from coda_ls.wire import ChatRequest, Message, ModelInfo, ToolCall, ToolSpec, Usage

if TYPE_CHECKING:
    from coda_ls.sessions import ReplyWriter, SessionStore

log = logging.getLogger(__name__)

DeltaCallback = Callable[[str], Awaitable[None] | None]
NoticeCallback = Callable[[str], Awaitable[None] | None]
DEFAULT_WINDOW = 8192
KEEP_VERBATIM = 2  # turns before a compaction summary that stay word for word
MAX_TOOL_STEPS = 8
COMPACT_PROMPT = (
    "Summarize the conversation so far for your own later reference: the user's goals, "
    "decisions made, code discussed (files, functions) and open questions. Be concise but "
    "keep every fact needed to continue. Answer with the summary only."
)


class ToolResultLike(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def is_error(self) -> bool: ...


class ToolboxLike(Protocol):
    """What the tool loop needs from `coda_ls.tools.Toolbox`."""

    def specs(self) -> list[ToolSpec]: ...

    async def execute(self, call: ToolCall) -> ToolResultLike: ...


@dataclass
class AskRequest:
    question: str
    mode: str | None = None
    selection: CodeSelection | None = None
    files: Sequence[Path] = ()
    attachments: Sequence[tuple[str, str]] = ()
    images: Sequence[str] = ()  # data URLs sent with the question (vision models only)
    # Files attached by a front (images, PDFs, text): the engine extracts PDF text, turns
    # images into `images` and checks the model reads them, before anything is sent.
    attached: Sequence[attach.Attachment] = ()
    open_files: Sequence[Path] = ()
    session_id: str | None = None
    new_session: bool = False
    provider: str | None = None
    model: str | None = None
    use_tools: bool = True


@dataclass
class Answer:
    text: str
    mode: str
    provider: str
    model: str
    usage: Usage = field(default_factory=Usage)
    session_id: str | None = None
    message_id: int | None = None
    finish_reason: str | None = None
    interrupted: bool = False
    ttft: float | None = None
    latency: float = 0.0
    tool_calls: int = 0
    review: Review | None = None
    refactor: Refactor | None = None
    context_tokens: int = 0
    compacted: bool = False  # older turns were summarized first (usage includes that call)
    fallbacks: list[str] = field(default_factory=list)  # announcements of provider switches
    knowledge: list[str] = field(default_factory=list)  # knowledge passages it was given


@dataclass(frozen=True)
class Started:
    """Sent once per request, before the first token: who answers, and in which session
    (a new session's id is known here, so a front can show or resume it at once)."""

    provider: str
    model: str
    mode: str
    session_id: str | None
    new_session: bool
    reason: str = ""  # why this provider/model, when it was chosen automatically
    context_tokens: int = 0  # the assembled prompt, by the real tokenizer
    estimated_cost: float | None = None  # its price for this model; None = unknown
    knowledge: tuple[str, ...] = ()  # knowledge passages in the context ("note.md § Heading")


StartCallback = Callable[[Started], Awaitable[None] | None]


@dataclass
class StreamedReply:
    """One model reply as it was streamed and recorded."""

    text: str
    tool_calls: list[ToolCall]
    usage: Usage
    finish_reason: str | None
    message_id: int | None
    ttft: float | None


def session_title(request: AskRequest, workspace: Path) -> str | None:
    """The title of the session a request opens: what was asked about, then the question.
    `coda explain app.py:10-40` is titled "Explain app.py:10-40", not "Explain this code."."""
    from coda_ls.sessions.store import session_title as first_line

    subject = ""
    if request.selection is not None:
        where = relative(request.selection.path, workspace)
        selection = request.selection
        if selection.end_line is not None and selection.end_line != selection.start_line:
            where += f":{selection.start_line}-{selection.end_line}"
        elif selection.end_line is not None:
            where += f":{selection.start_line}"
        subject = where
    elif request.files:
        subject = ", ".join(relative(path, workspace) for path in request.files[:3])
    mode = request.mode or ""
    if subject and mode in ("explain", "review", "refactor", "debug", "test"):
        instruction = request.question.strip()
        generic = instruction.endswith("this code.") or instruction in ("Review this.", "")
        label = f"{mode.capitalize()} {subject}"
        return first_line(label if generic else f"{label}: {instruction}")
    return first_line(request.question)


def _turn(role: str, content: str) -> Message:
    return Message(role="assistant" if role == "assistant" else "user", content=content)


def project_summary(root: Path) -> str | None:
    """The project's few-line summary for the system prompt; None when it cannot be read
    (a VCS tool timing out must not stop a question from being answered)."""
    from coda_ls.project import summary

    try:
        return summary(root) or None
    except (CodaError, OSError) as exc:
        log.warning("no project summary for %s: %s", root, exc)
        return None


async def emit_text(callback: DeltaCallback | None, delta: str) -> None:
    """Hand non-empty text to a front's callback, awaiting it when it is async."""
    if callback is None or not delta:
        return
    result = callback(delta)
    if inspect.isawaitable(result):
        await result


async def _emit_value(callback: StartCallback | None, value: Started) -> None:
    if callback is None:
        return
    result = callback(value)
    if inspect.isawaitable(result):
        await result


class Engine:
    """Shared by the CLI and the server. Create one per workspace; call `aclose()` at end."""

    def __init__(
        self,
        settings: Settings,
        workspace: Path,
        *,
        store: SessionStore | None = None,
        repo_map: RepoMapLike | None = None,
        project_summary: str | None = None,
        toolbox: ToolboxLike | None = None,
    ) -> None:
        self.settings = settings
        self.workspace = workspace.resolve()
        self.store = store
        self.repo_map = repo_map
        self.project_summary = project_summary
        self.toolbox = toolbox
        self.knowledge: KnowledgeLike | None = None  # set by the Workspace
        self._providers: dict[str, Provider] = {}
        self._model_info: dict[tuple[str, str], ModelInfo | None] = {}
        self._chosen: dict[tuple[str | None, str | None, str | None], Selection] = {}
        self._closing: set[asyncio.Future[None]] = set()

    # -- providers ----------------------------------------------------------------------

    def provider(self, name: str) -> Provider:
        if name not in self._providers:
            self._providers[name] = create_provider(name, self.settings)
        return self._providers[name]

    async def selection(
        self, mode: str | None = None, provider: str | None = None, model: str | None = None
    ) -> Selection:
        """The provider/model for a request, remembered per choice (the CLI asks before the
        request to check the model; the request must not list models or probe again)."""
        key = (mode if mode in self.settings.modes else None, provider, model)
        if key in self._chosen:
            return self._chosen[key]
        chosen = await select(self.settings, mode=mode, provider=provider, model=model)
        # Reuse one client per provider (connection pooling across requests).
        if chosen.provider.name in self._providers:
            await chosen.provider.aclose()
            chosen = replace(chosen, provider=self._providers[chosen.provider.name])
        else:
            self._providers[chosen.provider.name] = chosen.provider
        # Once per choice: an unknown model fails here, with close matches, in every front.
        await check_model(chosen)
        self._chosen[key] = chosen
        return chosen

    @property
    def current(self) -> Selection | None:
        """The provider/model chosen for requests without their own, once one ran."""
        return self._chosen.get((None, None, None))

    def update_settings(self, settings: Settings) -> None:
        """Use new settings from now on. Providers are rebuilt, since their host, keys or
        profile may have changed; requests in flight keep the client they started with."""
        old = list(self._providers.values())
        self._providers.clear()
        self._model_info.clear()
        self._chosen.clear()
        self.settings = settings
        for provider in old:
            self._closing.add(asyncio.ensure_future(provider.aclose()))
            self._closing = {task for task in self._closing if not task.done()}

    def set_model(self, model: str, provider: str | None = None) -> None:
        """Switch the model (and provider) for later requests."""
        self.settings = self.settings.model_copy(
            update={"model": model, "provider": provider or self.settings.provider}
        )
        self._chosen.clear()

    async def model_info(self, selection: Selection) -> ModelInfo | None:
        key = (selection.provider_name, selection.model)
        if key not in self._model_info:
            try:
                self._model_info[key] = await selection.provider.model_info(selection.model)
            except ProviderError as exc:
                log.debug("no model info for %s: %s", key, exc)
                self._model_info[key] = None
        return self._model_info[key]

    async def aclose(self) -> None:
        closer = getattr(self.toolbox, "aclose", None)
        if closer is not None:
            await closer()
        for provider in self._providers.values():
            await provider.aclose()
        self._providers.clear()

    # -- sessions -----------------------------------------------------------------------

    def _session_for(self, request: AskRequest) -> str | None:
        if self.store is None:
            return None
        if request.session_id and not request.new_session:
            return self.store.get_session(request.session_id).id
        title = session_title(request, self.workspace)
        return self.store.create_session(title=title, project_root=str(self.workspace)).id

    def _history(self, session_id: str | None) -> list[Message]:
        """The session's turns as the model should see them. After a compaction: the
        summary, the KEEP_VERBATIM turns just before it, and everything after it."""
        if self.store is None or session_id is None:
            return []
        records = [
            r
            for r in self.store.history(session_id)
            if r.content and (r.role in ("user", "assistant") or r.mode == "compact")
        ]
        last_compact = max((i for i, r in enumerate(records) if r.mode == "compact"), default=None)
        if last_compact is None:
            return [_turn(r.role, r.content) for r in records]
        summary = records[last_compact]
        before = [r for r in records[:last_compact] if r.mode != "compact"][-KEEP_VERBATIM:]
        after = records[last_compact + 1 :]
        return [
            Message(
                role="user", content=f"[Summary of the earlier conversation]\n{summary.content}"
            ),
            Message(role="assistant", content="Understood; I will continue from that summary."),
            *(_turn(r.role, r.content) for r in (*before, *after)),
        ]

    # -- the request ----------------------------------------------------------------------

    def _builder(self) -> ContextBuilder:
        return ContextBuilder(
            self.workspace,
            repo_map=self.repo_map,
            project_summary=self.project_summary,
            map_tokens=self.settings.repomap.tokens,
            rules=self.settings.rules,
            rules_max_tokens=self.settings.rules_max_tokens,
            knowledge=self.knowledge if self.settings.knowledge.enabled else None,
            knowledge_tokens=self.settings.knowledge.max_tokens,
        )

    async def build_context(
        self, request: AskRequest, mode: Mode, history: Sequence[Message], window: int
    ) -> BuiltContext:
        reserved = self.settings.max_tokens or min(2048, window // 4)
        with telemetry.get().span("coda.context", {"coda.mode": mode.name}) as span:
            built = await asyncio.to_thread(
                self._builder().build,
                mode,
                request.question,
                history=history,
                selection=request.selection,
                files=request.files,
                attachments=request.attachments,
                open_files=request.open_files,
                window=window,
                reserved_output=reserved,
                images=len(request.images),
            )
            stats = built.stats
            span.set("coda.context.tokens", stats.total)
            span.set("coda.context.map_tokens", stats.map_tokens)
            span.set("coda.context.files_tokens", stats.files_tokens)
            span.set("coda.context.history_tokens", stats.history_tokens)
            span.set("coda.context.history_dropped", stats.history_dropped)
            span.set("coda.context.knowledge_tokens", stats.knowledge_tokens)
            span.set("coda.context.window", window)
        if request.images:  # they ride on the question's message
            question = built.messages[-1]
            built.messages[-1] = question.model_copy(update={"images": list(request.images)})
            system = built.messages[0]
            prompt = f"{system.content}\n\n{vision.image_instructions(mode.name)}"
            built.messages[0] = system.model_copy(update={"content": prompt})
        return built

    async def with_attachments(
        self, request: AskRequest, chosen: Selection, info: ModelInfo | None
    ) -> AskRequest:
        """`request` with its attached files (and image/PDF @mentions and --file paths)
        turned into text blocks and image data URLs; raises `ImagesNotSupported` when the
        chosen model does not read images, so nothing is sent."""
        mentioned, _ = find_mentions(request.question, self.workspace)
        files = [path for path in request.files if not attach.is_attachable_file(path)]
        binary = [
            path
            for path in dict.fromkeys([*request.files, *mentioned])
            if attach.is_attachable_file(path)
        ]
        items = [
            *request.attached,
            *(attach.from_path(p, name=relative(p, self.workspace)) for p in binary),
        ]
        if not items and not request.images:
            return request
        names = [f"image {n}" for n in range(1, len(request.images) + 1)]
        names += [item.name for item in items if item.is_image]
        # Refused before any PDF is read: the answer does not depend on it.
        vision.check_images(chosen.provider_name, chosen.model, info, names, self.settings.vision)
        # Off the event loop: a long PDF takes pypdf a while (about 1.4 ms a page).
        prepared = await asyncio.to_thread(attach.prepare, items)
        return replace(
            request,
            files=files,
            attached=(),
            attachments=[*request.attachments, *prepared.texts],
            images=[*request.images, *prepared.images],
        )

    async def ask(
        self,
        request: AskRequest,
        on_delta: DeltaCallback | None = None,
        *,
        on_start: StartCallback | None = None,
        on_notice: NoticeCallback | None = None,
    ) -> Answer:
        """Answer `request`, streaming text to `on_delta`. `on_start` hears who answers
        and in which session before the first token; `on_notice` hears what the user
        should know along the way (a compaction). Cancelling the task stops the provider
        stream; the partial answer is kept in the session, marked interrupted."""
        tel = telemetry.get()
        if not tel.enabled:
            return await self._ask(request, on_delta, on_start, on_notice)
        from coda_ls.telemetry.record import traced_ask

        return await traced_ask(
            tel, request, lambda: self._ask(request, on_delta, on_start, on_notice)
        )

    async def _ask(
        self,
        request: AskRequest,
        on_delta: DeltaCallback | None,
        on_start: StartCallback | None,
        on_notice: NoticeCallback | None,
    ) -> Answer:
        mode = get_mode(request.mode or self.settings.mode)
        budget.check(self.settings, self.store, self.workspace)
        switches: list[str] = []
        tried: list[str] = []
        try:
            chosen = await self.selection(mode.name, request.provider, request.model)
        except CodaError as exc:
            if not fallback.should_fall_back(exc):
                raise
            failed = "/".join(x for x in self.settings.for_mode(mode.name) if x) or "the default"
            chosen = await self._fall_back(mode.name, failed, exc, tried, switches, on_notice)
        info = await self.model_info(chosen)
        request = await self.with_attachments(request, chosen, info)
        window = (info.context_window if info and info.context_window else None) or DEFAULT_WINDOW
        continuing = bool(request.session_id and not request.new_session)
        session_id = self._session_for(request)
        compaction_usage = Usage()
        try:
            history = self._history(session_id)
            context = await self.build_context(request, mode, history, window)
            started = Started(
                provider=chosen.provider_name,
                model=chosen.model,
                mode=mode.name,
                session_id=session_id,
                new_session=not continuing,
                # Said only when Coda chose: the user knows what they configured.
                reason=""
                if request.provider or self.settings.for_mode(mode.name)[0]
                else chosen.reason,
                context_tokens=context.stats.total,
                knowledge=tuple(context.stats.knowledge_sources),
                estimated_cost=cost_preview.estimate_cost(
                    chosen.provider, chosen.model, context.stats.total
                ),
            )
            # A front may refuse here (a confirmation declined): nothing is sent then.
            await _emit_value(on_start, started)
            if context.stats.history_dropped and session_id is not None:
                await emit_text(
                    on_notice,
                    f"Compacting the conversation: it no longer fits {chosen.model}'s "
                    f"{window:,}-token window; the model summarizes the older turns "
                    "(this call is counted in the session's usage).",
                )
                compaction = await self.compact_with_usage(session_id, chosen)
                compaction_usage = compaction[1]
                history = self._history(session_id)
                context = await self.build_context(request, mode, history, window)
        except BaseException:
            # Nothing was asked yet: leave no empty session behind.
            if self.store is not None and session_id is not None and not continuing:
                self.store.delete_session(session_id)
            raise
        if self.store is not None and session_id is not None:
            self.store.add_message(session_id, "user", request.question, mode=mode.name)
            for text in switches:
                self._record_switch(session_id, text, chosen)
        tools = self._tool_specs(request, info)
        answer = await self._run(
            chosen, mode, context.messages, session_id, tools, on_delta, on_notice, tried
        )
        answer.fallbacks = switches + answer.fallbacks
        # A compaction is a model call made for this answer: the user pays for it.
        answer.usage = answer.usage + compaction_usage
        answer.compacted = compaction_usage.total_tokens > 0
        answer.context_tokens = context.stats.total
        answer.knowledge = list(context.stats.knowledge_sources)
        default_file = (
            relative(request.selection.path, self.workspace)
            if request.selection
            else (relative(request.files[0], self.workspace) if request.files else "")
        )
        if mode.output == "findings":
            answer.review = parse_review(answer.text, default_file)
        elif mode.output == "edits":
            selected = request.selection.selected_text() if request.selection else None
            answer.refactor = parse_refactor(answer.text, default_file, selected)
        return answer

    async def preview(self, request: AskRequest) -> cost_preview.Preview:
        """What `ask(request)` would send: the context's tokens and estimated cost.
        Nothing is sent or recorded."""
        mode = get_mode(request.mode or self.settings.mode)
        chosen = await self.selection(mode.name, request.provider, request.model)
        info = await self.model_info(chosen)
        request = await self.with_attachments(request, chosen, info)
        window = (info.context_window if info and info.context_window else None) or DEFAULT_WINDOW
        continuing = bool(request.session_id and not request.new_session)
        history = self._history(request.session_id if continuing else None)
        context = await self.build_context(request, mode, history, window)
        tokens = context.stats.total
        return cost_preview.Preview(
            provider=chosen.provider_name,
            model=chosen.model,
            mode=mode.name,
            context_tokens=tokens,
            window=window,
            estimated_cost=cost_preview.estimate_cost(chosen.provider, chosen.model, tokens),
        )

    def _tool_specs(self, request: AskRequest, info: ModelInfo | None) -> list[ToolSpec] | None:
        if self.toolbox is None or not request.use_tools:
            return None
        if get_mode(request.mode or self.settings.mode).output != "markdown":
            return None  # review and refactor answer in a fixed JSON shape
        if info is not None and not info.supports_tools:
            return None
        return self.toolbox.specs() or None

    async def _run(
        self,
        chosen: Selection,
        mode: Mode,
        messages: list[Message],
        session_id: str | None,
        tools: list[ToolSpec] | None,
        on_delta: DeltaCallback | None,
        on_notice: NoticeCallback | None = None,
        tried: list[str] | None = None,
    ) -> Answer:
        """Stream replies, running requested tools, until the model answers in text.
        A reply that fails before its first token with a quota, auth or unreachable error
        is asked again of the next configured fallback (announced and recorded)."""
        tried = tried if tried is not None else []
        total = Usage()
        texts: list[str] = []
        answer = Answer(
            text="",
            mode=mode.name,
            provider=chosen.provider_name,
            model=chosen.model,
            session_id=session_id,
        )
        started = time.perf_counter()
        emitted: list[str] = []  # what this attempt streamed to the user

        async def relay(delta: str) -> None:
            emitted.append(delta)
            await emit_text(on_delta, delta)

        for _step in range(MAX_TOOL_STEPS):
            while True:
                emitted.clear()
                try:
                    reply = await self._stream_once(
                        chosen, mode, messages, session_id, tools, relay
                    )
                    break
                except CodaError as exc:
                    # Once the user saw text, another model cannot take over the answer.
                    if emitted or not fallback.should_fall_back(exc):
                        raise
                    failed = f"{chosen.provider_name}/{chosen.model}"
                    chosen = await self._fall_back(
                        mode.name, failed, exc, tried, answer.fallbacks, on_notice
                    )
                    await self._check_fallback_images(chosen, messages)
                    if self.store is not None and session_id is not None:
                        self._record_switch(session_id, answer.fallbacks[-1], chosen)
                    answer.provider, answer.model = chosen.provider_name, chosen.model
            total = total + reply.usage
            texts.append(reply.text)
            answer.message_id = reply.message_id
            answer.finish_reason = reply.finish_reason
            if answer.ttft is None:
                answer.ttft = reply.ttft
            if not reply.tool_calls or self.toolbox is None:
                break
            messages = [
                *messages,
                Message(role="assistant", content=reply.text, tool_calls=reply.tool_calls),
            ]
            for call in reply.tool_calls:
                with telemetry.get().span("coda.tool", {"coda.tool.name": call.name}) as span:
                    result = await self.toolbox.execute(call)
                    span.set("coda.tool.error", result.is_error)
                telemetry.get().count("coda.tool.calls", 1, {"coda.tool.name": call.name})
                answer.tool_calls += 1
                content = result.text
                messages.append(
                    Message(role="tool", content=content, tool_call_id=call.id, name=call.name)
                )
                if self.store is not None and session_id is not None:
                    self.store.add_message(
                        session_id,
                        "tool",
                        content,
                        mode=mode.name,
                        tool_calls=[call.model_dump()],
                        tool_call_id=call.id,
                        error="tool failed" if result.is_error else None,
                    )
        else:
            await emit_text(on_delta, "\n\n[stopped: too many tool calls in a row]")
        answer.text = "".join(texts)
        answer.usage = total
        answer.latency = time.perf_counter() - started
        return answer

    async def _stream_once(
        self,
        chosen: Selection,
        mode: Mode,
        messages: list[Message],
        session_id: str | None,
        tools: list[ToolSpec] | None,
        on_delta: DeltaCallback | None,
    ) -> StreamedReply:
        tel = telemetry.get()
        if not tel.enabled:
            return await self._stream_reply(chosen, mode, messages, session_id, tools, on_delta)
        from coda_ls.telemetry.record import traced_stream

        return await traced_stream(
            tel,
            chosen.provider_name,
            chosen.model,
            lambda: self._stream_reply(chosen, mode, messages, session_id, tools, on_delta),
        )

    async def _stream_reply(
        self,
        chosen: Selection,
        mode: Mode,
        messages: list[Message],
        session_id: str | None,
        tools: list[ToolSpec] | None,
        on_delta: DeltaCallback | None,
    ) -> StreamedReply:
        request = ChatRequest(
            messages=messages,
            model=chosen.model,
            temperature=self._temperature(mode),
            max_tokens=self.settings.max_tokens,
            tools=tools,
        )
        writer: ReplyWriter | None = None
        if self.store is not None and session_id is not None:
            writer = self.store.start_reply(
                session_id, mode=mode.name, provider=chosen.provider_name, model=chosen.model
            )
        parts: list[str] = []
        calls: list[ToolCall] = []
        usage = Usage()
        finish: str | None = None
        started = time.perf_counter()
        ttft: float | None = None
        try:
            async for chunk in chosen.provider.stream(request):
                if chunk.delta:
                    if ttft is None:
                        ttft = time.perf_counter() - started
                    parts.append(chunk.delta)
                    if writer is not None:
                        writer.append(chunk.delta)
                    await emit_text(on_delta, chunk.delta)
                calls.extend(chunk.tool_calls)
                if chunk.usage is not None:
                    usage = chunk.usage
                finish = chunk.finish_reason or finish
        except asyncio.CancelledError:
            if writer is not None:
                writer.interrupt("cancelled")
            raise
        except StreamInterrupted as exc:
            if writer is not None:
                writer.interrupt(exc.message)
            raise
        except CodaError as exc:
            if writer is not None:
                writer.interrupt(exc.message)
            raise
        latency = time.perf_counter() - started
        message_id: int | None = None
        if writer is not None:
            writer.finish(
                usage=usage,
                finish_reason=finish,
                latency_ms=latency * 1000,
                ttft_ms=ttft * 1000 if ttft is not None else None,
                tool_calls=[call.model_dump() for call in calls] or None,
            )
            message_id = writer.message_id
        return StreamedReply("".join(parts), calls, usage, finish, message_id, ttft)

    async def _fall_back(
        self,
        mode: str,
        failed: str,
        exc: CodaError,
        tried: list[str],
        switches: list[str],
        on_notice: NoticeCallback | None,
    ) -> Selection:
        """The next usable fallback after `failed` broke with `exc`, announced; `exc`
        again (with what was tried) when none is left."""
        tried.append(failed)
        for entry in self.settings.fallback_for(mode):
            provider, model = fallback.parse_entry(entry)
            label = f"{provider}/{model}" if model else provider
            if label in tried or (model is None and provider == failed.partition("/")[0]):
                continue
            tried.append(label)
            try:
                chosen = await self.selection(mode, provider, model)
            except CodaError as next_exc:
                if not fallback.should_fall_back(next_exc):
                    log.warning("fallback %s unusable: %s", label, next_exc.message)
                await emit_text(on_notice, f"Fallback {label} is unusable too: {next_exc.message}")
                continue
            target = f"{chosen.provider_name}/{chosen.model}"
            text = fallback.announcement(failed, exc, target)
            switches.append(text)
            await emit_text(on_notice, text)
            return chosen
        if len(tried) > 1:
            raise type(exc)(exc.message, fallback.exhausted_hint(tried)) from exc
        raise exc

    async def _check_fallback_images(self, chosen: Selection, messages: list[Message]) -> None:
        """A fallback model gets the images too: refuse it as the first would have been."""
        count = sum(len(message.images) for message in messages)
        if count:
            names = [f"image {n}" for n in range(1, count + 1)]
            info = await self.model_info(chosen)
            vision.check_images(
                chosen.provider_name, chosen.model, info, names, self.settings.vision
            )

    def _record_switch(self, session_id: str, text: str, chosen: Selection) -> None:
        """A system row the history leaves out, so `coda sessions show` tells the switch."""
        assert self.store is not None
        self.store.add_message(
            session_id,
            "system",
            text,
            mode=fallback.FALLBACK_MODE,
            provider=chosen.provider_name,
            model=chosen.model,
        )

    def _temperature(self, mode: Mode) -> float | None:
        override = self.settings.modes.get(mode.name)
        if override and override.temperature is not None:
            return override.temperature
        if self.settings.temperature is not None:
            return self.settings.temperature
        return mode.temperature

    # -- compaction -----------------------------------------------------------------------

    async def compact(self, session_id: str, chosen: Selection | None = None) -> str:
        """Summarize the session's history with the model and record the summary; later
        requests see the summary plus the turns after it. Nothing is deleted."""
        return (await self.compact_with_usage(session_id, chosen))[0]

    async def compact_with_usage(
        self, session_id: str, chosen: Selection | None = None
    ) -> tuple[str, Usage]:
        """`compact`, also returning the tokens (and cost) the summary call used."""
        if self.store is None:
            raise CodaError("compaction needs a session store")
        chosen = chosen or await self.selection()
        history = self._history(session_id)
        older = history[:-KEEP_VERBATIM]
        if not older:
            return "", Usage()
        transcript = "\n\n".join(f"{m.role.upper()}: {m.content}" for m in older)
        response = await chosen.provider.chat(
            ChatRequest(
                model=chosen.model,
                messages=[
                    Message(role="system", content=COMPACT_PROMPT),
                    Message(role="user", content=transcript),
                ],
                temperature=0.1,
            )
        )
        summary = response.message.content.strip()
        self.store.add_message(
            session_id,
            "system",
            summary,
            mode="compact",
            provider=chosen.provider_name,
            model=chosen.model,
            usage=response.usage,
        )
        return summary, response.usage
