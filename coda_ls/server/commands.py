"""`workspace/executeCommand` handlers. Each takes one JSON object (see `arguments`)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from lsprotocol import types

from coda_ls import paths
from coda_ls.context import CodeSelection
from coda_ls.engine import Answer, AskRequest
from coda_ls.errors import CodaError
from coda_ls.server import answers, findings
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
    replacement_edit,
    uri_to_path,
)
from coda_ls.server.errors import CommandError, InvalidArguments
from coda_ls.server.state import RunningRequest
from coda_ls.structured import EditError, apply_edits

STREAM_NOTIFICATION = "coda/stream"
PROGRESS_INTERVAL = 0.1  # seconds between $/progress reports while streaming

Handler = Callable[..., Awaitable[dict[str, Any]]]

COMMANDS = (
    "coda.ask",
    "coda.chat",
    "coda.explain",
    "coda.review",
    "coda.refactor",
    "coda.models",
    "coda.setModel",
    "coda.sessions",
    "coda.newSession",
    "coda.repoMap",
    "coda.cancel",
    "coda.applySuggestion",
)


def usage_json(answer: Answer) -> dict[str, Any]:
    return {
        "inputTokens": answer.usage.input_tokens,
        "outputTokens": answer.usage.output_tokens,
        "cachedTokens": answer.usage.cached_tokens,
        "cost": answer.usage.cost,
    }


async def run_llm(
    ls: CodaServer, request_id: str, title: str, request: AskRequest
) -> tuple[Answer | None, bool]:
    """Run one engine request with $/progress and coda/stream; (answer, cancelled)."""
    state = ls.workspace_for(request.selection.path if request.selection else None)
    token: str | None = None
    if ls.supports_progress():
        token = f"coda-{request_id}"
        try:
            await asyncio.wait_for(ls.work_done_progress.create_async(token), timeout=5)
            ls.work_done_progress.begin(
                token, types.WorkDoneProgressBegin(title=title, cancellable=True, message="…")
            )
        except (TimeoutError, Exception):  # a client may refuse; streaming goes on
            token = None
    session_holder: dict[str, str | None] = {"id": request.session_id}
    last_report = 0.0
    received = 0

    def notify(delta: str, done: bool, **extra: Any) -> None:
        params = {
            "requestId": request_id,
            "sessionId": session_holder["id"],
            "delta": delta,
            "done": done,
            **extra,
        }
        if wants_stream(ls.client_capabilities):  # opt-in (issue #18)
            ls.protocol.notify(STREAM_NOTIFICATION, params)

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

    task = asyncio.ensure_future(state.engine.ask(request, on_delta))
    ls.track(RunningRequest(request_id, task, token, ls.current_msg_id()))
    answer: Answer | None = None
    cancelled = False
    try:
        answer = await task
        if answer.session_id:
            session_holder["id"] = answer.session_id
            ls.session_id = answer.session_id
        notify("", True, usage=usage_json(answer), provider=answer.provider, model=answer.model)
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
    return answer, cancelled


def _request(ls: CodaServer, a: LLMArgs, **fields: Any) -> AskRequest:
    """An engine request carrying what every model command shares: the session (the
    current one unless given), provider and model."""
    return AskRequest(
        session_id=a.session_id or ls.session_id, provider=a.provider, model=a.model, **fields
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
        except (TimeoutError, Exception) as exc:  # showing is best effort
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


def register(server: CodaServer) -> None:
    def command(name: str) -> Callable[[Handler], Handler]:
        def decorator(func: Handler) -> Handler:
            server.command(name)(guarded(server, func))
            return func

        return decorator

    @command("coda.ask")
    async def ask(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(AskArgs, args)
        request_id = ls.new_request_id(a.request_id)
        selection = _selection(ls, a.uri, a.range) if a.uri else None
        request = _request(
            ls,
            a,
            question=a.question,
            mode=a.mode,
            selection=selection,
        )
        answer, cancelled = await run_llm(ls, request_id, "Coda: ask", request)
        document = await _show_markdown(ls, request_id, a.question[:80], answer, a.show_document)
        return _text_result(request_id, answer, cancelled, document)

    @command("coda.chat")
    async def chat(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(ChatArgs, args)
        request_id = ls.new_request_id(a.request_id)
        request = _request(
            ls,
            a,
            question=a.question,
            mode="chat",
        )
        answer, cancelled = await run_llm(ls, request_id, "Coda: chat", request)
        document = await _show_markdown(ls, request_id, a.question[:80], answer, a.show_document)
        return _text_result(request_id, answer, cancelled, document)

    @command("coda.explain")
    async def explain(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(ExplainArgs, args)
        request_id = ls.new_request_id(a.request_id)
        selection = _selection(ls, a.uri, a.range)
        request = _request(
            ls,
            a,
            question=a.question or "Explain this code.",
            mode="explain",
            selection=selection,
        )
        answer, cancelled = await run_llm(ls, request_id, "Coda: explain", request)
        title = f"Explanation of {selection.path.name}:{selection.start_line}-{selection.end_line}"
        document = await _show_markdown(ls, request_id, title, answer, a.show_document)
        return _text_result(request_id, answer, cancelled, document)

    @command("coda.review")
    async def review(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(ReviewArgs, args)
        request_id = ls.new_request_id(a.request_id)
        _, version = ls.document_text(a.uri)
        selection = _selection(ls, a.uri, a.range)
        if a.range is None:
            selection.start_line, selection.end_line = 1, None
        request = _request(
            ls,
            a,
            question="Review this code.",
            mode="review",
            selection=selection,
            use_tools=False,
        )
        answer, cancelled = await run_llm(ls, request_id, "Coda: review", request)
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

    @command("coda.refactor")
    async def refactor(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(RefactorArgs, args)
        request_id = ls.new_request_id(a.request_id)
        before, version = ls.document_text(a.uri)
        selection = _selection(ls, a.uri, a.range)
        request = _request(
            ls,
            a,
            question=a.instruction,
            mode="refactor",
            selection=selection,
            use_tools=False,
        )
        answer, _ = await run_llm(ls, request_id, "Coda: refactor", request)
        if answer is None or answer.refactor is None:
            return {"requestId": request_id, "cancelled": True, "applied": False}
        edits = [
            e
            for e in answer.refactor.edits
            if not e.file or selection.path.name == e.file.split("/")[-1]
        ]
        if not edits:
            answers.report_no_edit(ls, answer.text)
            return {
                "requestId": request_id,
                "applied": False,
                "summary": answer.refactor.summary,
                "reason": answers.NO_EDIT,
                "text": answer.text,
            }
        current, current_version = ls.document_text(a.uri)
        if current_version != version or current != before:
            raise CommandError(
                "the document changed while Coda was working; nothing applied",
                data={"hint": "run the refactor again"},
            )
        try:
            after = apply_edits(before, edits)
        except EditError as exc:
            raise CommandError.from_coda(exc) from None
        applied = await apply_text_change(
            ls, a.uri, version, before, after, f"Coda: {a.instruction[:40]}"
        )
        # The edit itself too: a client that cannot apply edits can still show or apply it.
        edit = text_change_edit(ls, a.uri, version, before, after)
        return {
            "requestId": request_id,
            "sessionId": answer.session_id,
            "applied": applied,
            "edit": ls.protocol._converter.unstructure(edit),
            "summary": answer.refactor.summary,
            "usage": usage_json(answer),
        }

    @command("coda.applySuggestion")
    async def apply_suggestion(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(ApplySuggestionArgs, args)
        finding, _ = ls.findings.get(a.uri, {}).get(a.finding_id, (None, None))
        if finding is None or not finding.suggestion:
            raise InvalidArguments(f"no suggestion {a.finding_id!r} for {a.uri}")
        before, current_version = ls.document_text(a.uri)
        lines = before.splitlines(keepends=True)
        start, end = finding.start_line - 1, min(finding.end_line, len(lines))
        replacement = finding.suggestion
        if (
            lines[end - 1 : end]
            and lines[end - 1].endswith("\n")
            and not replacement.endswith("\n")
        ):
            replacement += "\n"
        after = "".join(lines[:start]) + replacement + "".join(lines[end:])
        applied = await apply_text_change(
            ls, a.uri, current_version, before, after, "Coda: apply suggestion"
        )
        if applied:  # issue #18: the fixed finding's diagnostic goes at once
            findings.after_fix(ls, a.uri, a.finding_id, before, after)
        return {"applied": applied}

    @command("coda.models")
    async def models(ls: CodaServer, *args: Any) -> dict[str, Any]:
        parse_args(EmptyArgs, args)
        from coda_ls.providers.catalog import gather_models

        settings = ls.settings.settings
        listed, down = await gather_models(settings)
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
        state = ls.workspace_for()
        current: dict[str, Any] = {"provider": settings.provider, "model": settings.model}
        if state.engine.current is not None:
            current = {
                "provider": state.engine.current.provider_name,
                "model": state.engine.current.model,
            }
        return {"models": found, "unreachable": unreachable, "current": current}

    @command("coda.setModel")
    async def set_model(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(SetModelArgs, args)
        overrides = dict(ls.init_options)
        overrides["model"] = a.model
        if a.provider:
            overrides["provider"] = a.provider
        ls.load(overrides)
        return {"provider": ls.settings.settings.provider, "model": a.model}

    @command("coda.newSession")
    async def new_session(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(NewSessionArgs, args)
        if ls.store is None:
            ls.session_id = None
            return {"sessionId": None}
        session = ls.store.create_session(title=a.title, project_root=str(ls.default_root()))
        ls.session_id = session.id
        return {"sessionId": session.id}

    @command("coda.sessions")
    async def sessions(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(SessionsArgs, args)
        if ls.store is None:
            return {"sessions": [], "current": ls.session_id}
        listed = ls.store.list_sessions(limit=a.limit)
        return {
            "sessions": [
                {"id": s.id, "title": s.title, "updated": str(s.updated_at)} for s in listed
            ],
            "current": ls.session_id,
        }

    @command("coda.repoMap")
    async def repo_map(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(RepoMapArgs, args)
        state = ls.workspace_for(uri_to_path(a.uri) if a.uri else None)
        await asyncio.wait_for(state.map_ready.wait(), timeout=300)
        if state.repo_map is None:
            raise CommandError(
                "the repo map is not available",
                data={"hint": "see the server log for why it could not be built"},
            )
        focus = [uri_to_path(uri) for uri in a.focus]
        rendered = await asyncio.to_thread(state.repo_map.render, a.tokens, focus)
        return {
            "text": rendered.text,
            "tokens": rendered.tokens,
            "files": len({t.path for t in rendered.tags}),
        }

    @command("coda.cancel")
    async def cancel(ls: CodaServer, *args: Any) -> dict[str, Any]:
        a = parse_args(CancelArgs, args)
        return {"cancelled": ls.cancel(a.request_id)}


def text_change_edit(
    ls: CodaServer, uri: str, version: int | None, before: str, after: str
) -> types.WorkspaceEdit:
    """The WorkspaceEdit turning `before` into `after` (versioned when the client can)."""
    edit = replacement_edit(before, after)
    workspace = ls.client_capabilities.workspace
    document_changes = bool(
        workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes
    )
    if document_changes:
        ws_edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version
                    ),
                    edits=[edit],
                )
            ]
        )
    else:
        ws_edit = types.WorkspaceEdit(changes={uri: [edit]})
    return ws_edit


async def apply_text_change(
    ls: CodaServer, uri: str, version: int | None, before: str, after: str, label: str
) -> bool:
    """Send workspace/applyEdit; True if the editor applied it. A client that does not
    accept workspace edits, or fails the request, gets nothing applied (False)."""
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.apply_edit):
        ls.log("[coda] this client does not accept workspace/applyEdit; edit not applied")
        return False
    ws_edit = text_change_edit(ls, uri, version, before, after)
    try:
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=ws_edit, label=label)
        )
    except Exception as exc:  # the client's failure is a refusal, not a server crash
        ls.log(f"[coda] workspace/applyEdit failed: {exc!r}", types.MessageType.Warning)
        return False
    if not result.applied:
        ls.log(f"[coda] the editor refused the edit: {result.failure_reason}")
    return bool(result.applied)
