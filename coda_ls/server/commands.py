"""`workspace/executeCommand` handlers. Each takes one JSON object (see `arguments`)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from coda_ls import fallback, paths
from coda_ls.errors import CodaError, ConfigError
from coda_ls.server import answers, findings, preview_command, prompt_commands, testgen_command
from coda_ls.server.app import CodaServer, guarded, parse_args
from coda_ls.server.arguments import (
    ApplySuggestionArgs,
    AskArgs,
    CancelArgs,
    ChatArgs,
    EmptyArgs,
    ExplainArgs,
    LLMArgs,
    NewSessionArgs,
    RefactorArgs,
    RepoMapArgs,
    ReviewArgs,
    SessionsArgs,
    SetModelArgs,
)
from coda_ls.server.capabilities import wants_stream
from coda_ls.server.convert import (
    finding_diagnostic,
    line_span,
    path_to_uri,
    to_json,
    uri_to_path,
)
from coda_ls.server.editing import apply_text_change, text_change_edit
from coda_ls.server.errors import CommandError, InvalidArguments
from coda_ls.server.state import RunningRequest
from coda_ls.server.traced import traced
from coda_ls.workspace import (
    Answer,
    AskRequest,
    CodeSelection,
    RefactorOutcome,
    Started,
    Workspace,
    check_model_choice,
    diagram_request_parts,
    text_diagram,
)

STREAM_NOTIFICATION = "coda/stream"
PROGRESS_INTERVAL = 0.1  # seconds between $/progress reports while streaming

Handler = Callable[..., Awaitable[dict[str, Any]]]
UseCase = Callable[..., Awaitable[Answer | RefactorOutcome]]


def usage_json(answer: Answer) -> dict[str, Any]:
    return {
        "inputTokens": answer.usage.input_tokens,
        "outputTokens": answer.usage.output_tokens,
        "cachedTokens": answer.usage.cached_tokens,
        "cost": answer.usage.cost,
    }


async def run_llm(
    ls: CodaServer,
    request_id: str,
    title: str,
    request: AskRequest,
    use_case: Callable[[Workspace], UseCase] = lambda core: core.ask,
) -> tuple[RefactorOutcome | None, bool]:
    """Run one workspace use case with $/progress and coda/stream; (outcome, cancelled).

    Every coda/stream notification names the session (a new one's id included, from
    the first notification on), the provider and the model; a notice (a compaction, an
    MCP server that failed) comes as a notification with `notice` and no delta."""
    core = ls.workspace_for(request.selection.path if request.selection else None).core
    token = await ls.begin_progress(
        f"coda-{request_id}",
        types.WorkDoneProgressBegin(title=title, cancellable=True, message="…"),
    )
    # Known from the start event on, so even the first notification of a new session
    # names the session, the provider and the model.
    current: dict[str, Any] = {"sessionId": request.session_id}
    last_report = 0.0
    received = 0

    def notify(delta: str, done: bool, **extra: Any) -> None:
        params = {"requestId": request_id, **current, "delta": delta, "done": done}
        if wants_stream(ls.client_capabilities):  # opt-in (issue #18)
            ls.protocol.notify(STREAM_NOTIFICATION, {**params, **extra})

    def on_start(event: Started) -> None:
        current.update(sessionId=event.session_id, provider=event.provider, model=event.model)
        if event.session_id:
            ls.session_id = event.session_id
        chosen = f"{event.provider}/{event.model}" + (f" ({event.reason})" if event.reason else "")
        ls.log(f"[coda] {request_id}: {chosen}")
        if event.knowledge:
            ls.log(f"[coda] {request_id}: knowledge {', '.join(event.knowledge)}")
        if token is not None:
            ls.work_done_progress.report(token, types.WorkDoneProgressReport(message=chosen))

    def on_notice(text: str) -> None:
        ls.log(f"[coda] {text}", types.MessageType.Info)
        if fallback.is_announcement(text):  # a provider switch is never silent (#23)
            ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=f"Coda: {text}")
            )
        notify("", False, notice=text)
        if token is not None:
            ls.work_done_progress.report(token, types.WorkDoneProgressReport(message=text))

    def on_delta(delta: str) -> None:
        nonlocal last_report, received
        received += len(delta)
        notify(delta, False)
        now = time.monotonic()
        if token is not None and now - last_report >= PROGRESS_INTERVAL:
            last_report = now
            ls.work_done_progress.report(
                token, types.WorkDoneProgressReport(message=f"{received} characters")
            )

    async def go() -> RefactorOutcome:
        result = await use_case(core)(request, on_delta, on_start=on_start, on_notice=on_notice)
        return result if isinstance(result, RefactorOutcome) else RefactorOutcome(result, None)

    task = asyncio.ensure_future(go())
    ls.track(RunningRequest(request_id, task, token, ls.current_msg_id()))
    outcome: RefactorOutcome | None = None
    cancelled = False
    try:
        outcome = await task
        notify("", True, usage=usage_json(outcome.answer))
    except asyncio.CancelledError:
        cancelled = True
        notify("", True, cancelled=True)
        if not task.done():  # the outer request itself was cancelled
            task.cancel()
            raise
    except CodaError as exc:
        notify("", True, error={"message": exc.message, "hint": exc.hint})
        raise
    finally:
        if token is not None:
            ls.work_done_progress.end(
                token, types.WorkDoneProgressEnd(message="cancelled" if cancelled else "done")
            )
    return outcome, cancelled


def _request(ls: CodaServer, a: LLMArgs, **fields: Any) -> AskRequest:
    """An engine request carrying what every model command shares: the session (the
    current one unless given), provider and model."""
    attached = [item.load(ls.default_root()) for item in getattr(a, "attachments", ())]
    return AskRequest(
        session_id=a.session_id or ls.session_id,
        provider=a.provider,
        model=a.model,
        attached=attached,
        **fields,
    )


def _selection(ls: CodaServer, uri: str, range_: Any) -> CodeSelection:
    text, _ = ls.document_text(uri)
    start, end = line_span(range_, text)
    return CodeSelection(path=uri_to_path(uri), start_line=start, end_line=end, buffer=text)


async def _show_markdown(
    ls: CodaServer, request_id: str, title: str, answer: Answer | None, show: bool = True
) -> str | None:
    """Write the answer to a markdown file and (if `show`) ask the client to show it."""
    if answer is None:
        return None
    folder = paths.cache_dir() / "answers"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{request_id}.md"
    target.write_text(f"# {title}\n\n{answer.text}\n", encoding="utf-8")
    uri = path_to_uri(target)
    window = ls.client_capabilities.window
    if show and window and window.show_document and window.show_document.support:
        try:
            await asyncio.wait_for(
                ls.window_show_document_async(types.ShowDocumentParams(uri=uri, take_focus=False)),
                timeout=5,
            )
        except (TimeoutError, JsonRpcException, OSError) as exc:  # showing is best effort
            ls.log(f"[coda] showDocument failed: {exc!r}")
    elif show:  # no showDocument: the answer by messages, unless the client streams it
        answers.show_without_document(ls, title, answer.text, uri)
    return uri


def _text_result(
    request_id: str, answer: Answer | None, cancelled: bool, document: str | None = None
) -> dict[str, Any]:
    if answer is None:
        return {"requestId": request_id, "cancelled": True, "text": None}
    return {
        "requestId": request_id,
        "sessionId": answer.session_id,
        "text": answer.text,
        "usage": usage_json(answer),
        "provider": answer.provider,
        "model": answer.model,
        "cancelled": cancelled,
        "document": document,
    }


async def ask(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(AskArgs, args)
    request_id = ls.new_request_id(a.request_id)
    selection = _selection(ls, a.uri, a.range) if a.uri else None
    request = _request(ls, a, question=a.question, mode=a.mode, selection=selection)
    outcome, cancelled = await run_llm(ls, request_id, "Coda: ask", request)
    answer = outcome.answer if outcome else None
    document = await _show_markdown(ls, request_id, a.question[:80], answer, a.show_document)
    return _text_result(request_id, answer, cancelled, document)


async def chat(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(ChatArgs, args)
    request_id = ls.new_request_id(a.request_id)
    request = _request(ls, a, question=a.question, mode="chat")
    outcome, cancelled = await run_llm(ls, request_id, "Coda: chat", request)
    answer = outcome.answer if outcome else None
    document = await _show_markdown(ls, request_id, a.question[:80], answer, a.show_document)
    return _text_result(request_id, answer, cancelled, document)


async def explain(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(ExplainArgs, args)
    request_id = ls.new_request_id(a.request_id)
    selection = _selection(ls, a.uri, a.range)
    question, attachments = a.question or "Explain this code.", []
    if a.diagram is not None:  # the computed diagram goes in; the model refines it
        ranged = a.range is not None
        diagram = text_diagram(
            selection.path,
            selection.file_text(),
            a.diagram,
            selection.start_line if ranged else None,
            selection.end_line if ranged else None,
            root=ls.workspace_for(selection.path).root,
        )
        attachment, instruction = diagram_request_parts(diagram)
        question, attachments = f"{question}\n\n{instruction}", [attachment]
    request = _request(
        ls,
        a,
        question=question,
        mode="explain",
        selection=selection,
        attachments=attachments,
    )
    outcome, cancelled = await run_llm(ls, request_id, "Coda: explain", request)
    answer = outcome.answer if outcome else None
    title = f"Explanation of {selection.path.name}:{selection.start_line}-{selection.end_line}"
    document = await _show_markdown(ls, request_id, title, answer, a.show_document)
    return _text_result(request_id, answer, cancelled, document)


async def review(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(ReviewArgs, args)
    request_id = ls.new_request_id(a.request_id)
    _, version = ls.document_text(a.uri)
    selection = _selection(ls, a.uri, a.range)
    if a.range is None:
        selection.start_line, selection.end_line = 1, None
    request = _request(ls, a, question="Review this code.", selection=selection)
    outcome, cancelled = await run_llm(
        ls, request_id, "Coda: review", request, lambda core: core.review
    )
    answer = outcome.answer if outcome else None
    if answer is None or answer.review is None:
        return {"requestId": request_id, "cancelled": True, "findings": []}
    current, _ = ls.document_text(a.uri)
    diagnostics = []
    by_id: dict[str, Any] = {}
    for finding in answer.review.findings:
        finding_id = uuid.uuid4().hex[:10]
        by_id[finding_id] = (finding, version)
        diagnostics.append(finding_diagnostic(finding, current, finding_id))
    ls.findings[a.uri] = by_id
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=a.uri, diagnostics=diagnostics, version=version)
    )
    return {
        "requestId": request_id,
        "sessionId": answer.session_id,
        "summary": answer.review.summary,
        "findings": [{"id": fid, **f.model_dump()} for fid, (f, _) in by_id.items()],
        "usage": usage_json(answer),
        "cancelled": cancelled,
    }


async def refactor(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(RefactorArgs, args)
    request_id = ls.new_request_id(a.request_id)
    before, version = ls.document_text(a.uri)
    selection = _selection(ls, a.uri, a.range)
    request = _request(ls, a, question=a.instruction, selection=selection)
    outcome, _ = await run_llm(
        ls, request_id, "Coda: refactor", request, lambda core: core.refactor
    )
    if outcome is None or outcome.answer.refactor is None:
        return {"requestId": request_id, "cancelled": True, "applied": False}
    answer, change = outcome.answer, outcome.change
    if change is None:
        answers.report_no_edit(ls, answer.text)
        return {
            "requestId": request_id,
            "applied": False,
            "summary": answer.refactor.summary if answer.refactor else answer.text,
            "reason": answers.NO_EDIT,
            "text": answer.text,
        }
    current, current_version = ls.document_text(a.uri)
    if current_version != version or current != before:
        raise CommandError(
            "the document changed while Coda was working; nothing applied",
            data={"hint": "run the refactor again"},
        )
    label = f"Coda: {a.instruction[:40]}"
    applied = await apply_text_change(ls, a.uri, version, before, change.after, label)
    # The edit itself too: a client that cannot apply edits can still show or apply it.
    edit = text_change_edit(ls, a.uri, version, before, change.after)
    return {
        "requestId": request_id,
        "sessionId": answer.session_id,
        "applied": applied,
        "edit": to_json(edit),
        "summary": answer.refactor.summary if answer.refactor else "",
        "usage": usage_json(answer),
    }


async def apply_suggestion(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(ApplySuggestionArgs, args)
    finding, _ = ls.findings.get(a.uri, {}).get(a.finding_id, (None, None))
    if finding is None or not finding.suggestion:
        raise InvalidArguments(f"no suggestion {a.finding_id!r} for {a.uri}")
    before, current_version = ls.document_text(a.uri)
    lines = before.splitlines(keepends=True)
    start, end = finding.start_line - 1, min(finding.end_line, len(lines))
    replacement = finding.suggestion
    if lines[end - 1 : end] and lines[end - 1].endswith("\n") and not replacement.endswith("\n"):
        replacement += "\n"
    after = "".join(lines[:start]) + replacement + "".join(lines[end:])
    applied = await apply_text_change(
        ls, a.uri, current_version, before, after, "Coda: apply suggestion"
    )
    if applied:  # issue #18: the fixed finding's diagnostic goes at once
        findings.after_fix(ls, a.uri, a.finding_id, before, after)
    return {"applied": applied}


async def models(ls: CodaServer, *args: Any) -> dict[str, Any]:
    parse_args(EmptyArgs, args)
    core = ls.workspace_for().core
    listed, down = await core.models()
    found = [
        {
            "provider": info.provider,
            "name": info.name,
            "contextWindow": info.context_window,
            "supportsTools": info.supports_tools,
        }
        for info in listed
    ]
    unreachable = [
        {"provider": health.provider, "detail": health.detail, "hint": health.hint}
        for health in down
    ]
    settings = core.settings
    current: dict[str, Any] = {"provider": settings.provider, "model": settings.model}
    if core.current is not None:
        current = {"provider": core.current.provider_name, "model": core.current.model}
    return {"models": found, "unreachable": unreachable, "current": current}


async def set_model(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(SetModelArgs, args)
    try:
        check_model_choice(a.model, a.provider)
    except ConfigError as exc:
        raise InvalidArguments(exc.message + (f" ({exc.hint})" if exc.hint else "")) from None
    overrides = dict(ls.init_options)
    overrides["model"] = a.model
    if a.provider:
        overrides["provider"] = a.provider
    ls.load(overrides)
    return {"provider": ls.settings.settings.provider, "model": a.model}


async def new_session(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(NewSessionArgs, args)
    if ls.store is None:
        ls.session_id = None
        return {"sessionId": None}
    session = ls.store.create_session(title=a.title, project_root=str(ls.default_root()))
    ls.session_id = session.id
    return {"sessionId": session.id}


async def sessions(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(SessionsArgs, args)
    if ls.store is None:
        return {"sessions": [], "current": ls.session_id}
    listed = ls.store.list_sessions(limit=a.limit)
    return {
        "sessions": [{"id": s.id, "title": s.title, "updated": str(s.updated_at)} for s in listed],
        "current": ls.session_id,
    }


async def repo_map(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(RepoMapArgs, args)
    core = ls.workspace_for(uri_to_path(a.uri) if a.uri else None).core
    await asyncio.wait_for(core.map_ready.wait(), timeout=300)
    if core.repo_map is None:
        raise CommandError(
            "the repo map is not available",
            data={"hint": "see the server log for why it could not be built"},
        )
    focus = [uri_to_path(uri) for uri in a.focus]
    rendered = await asyncio.to_thread(core.render_map, a.tokens, focus)
    return {
        "text": rendered.text,
        "tokens": rendered.tokens,
        "files": len({t.path for t in rendered.tags}),
    }


async def cancel(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(CancelArgs, args)
    return {"cancelled": ls.cancel(a.request_id)}


HANDLERS: dict[str, Handler] = {
    "coda.ask": ask,
    "coda.chat": chat,
    "coda.explain": explain,
    "coda.review": review,
    "coda.refactor": refactor,
    "coda.models": models,
    "coda.setModel": set_model,
    "coda.sessions": sessions,
    "coda.newSession": new_session,
    "coda.repoMap": repo_map,
    "coda.cancel": cancel,
    "coda.applySuggestion": apply_suggestion,
    "coda.preview": preview_command.preview,
    "coda.prompts": prompt_commands.list_prompts,
    "coda.runPrompt": prompt_commands.run_prompt,
    testgen_command.COMMAND: testgen_command.generate_tests,
}
COMMANDS = tuple(HANDLERS)


def register(server: CodaServer) -> None:
    """Register every command, each wrapped so that errors become LSP errors."""
    for name, handler in HANDLERS.items():
        server.command(name)(guarded(server, traced(name, handler)))
