"""The Starlette application: pages, the streaming chat and comparison (Server-Sent
Events over a POST), and the session actions, all on one `Workspace`."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import AsyncIterator
from html import escape
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from coda_ls.errors import CodaError, SessionNotFound
from coda_ls.sessions.usage import usage_report
from coda_ls.web import pages
from coda_ls.web.asker import CURRENT_STREAM, PageAsker
from coda_ls.web.auth import TokenGate
from coda_ls.web.render import markdown_html
from coda_ls.web.shared import ShareActions, ShareLinks, default_links
from coda_ls.web.uploads import Upload
from coda_ls.workspace import (
    ASK_MODE_NAMES,
    AskRequest,
    ShareStore,
    Started,
    Workspace,
    diagnose,
)

log = logging.getLogger(__name__)

RENDER_EVERY = 0.08  # s between re-renders of a streaming answer
MODELS_TTL = 60.0  # s a model list is reused by the pickers (a provider may come up)


class WebFront:
    """What the routes share: the workspace and a cached model list."""

    def __init__(self, workspace: Workspace, asker: PageAsker | None = None) -> None:
        self.workspace = workspace
        self.asker = asker or PageAsker()
        self._models: list[tuple[str, str]] | None = None
        self._problems: list[str] = []
        self._listed_at = 0.0
        self.sharing: ShareActions | None = None  # the session page's share controls

    async def models(self) -> tuple[list[tuple[str, str]], list[str]]:
        if self._models is None or time.monotonic() - self._listed_at > MODELS_TTL:
            self._listed_at = time.monotonic()
            found, down = await self.workspace.models()
            self._models = [(m.provider, m.name) for m in found]
            self._problems = [f"{h.provider}: {h.detail}" for h in down if h.detail]
        return self._models, self._problems

    # -- pages ---------------------------------------------------------------------------

    async def dashboard(self, request: Request) -> Response:
        checks, report = await asyncio.gather(
            diagnose(self.workspace.root),
            asyncio.to_thread(usage_report, self.workspace.store.path),
        )
        reachable = [c.name for c in checks if c.area == "provider" and c.ok]
        timings = await asyncio.gather(*(self._latency(name) for name in reachable))
        return HTMLResponse(
            pages.dashboard(checks, report, dict(zip(reachable, timings, strict=True)))
        )

    async def _latency(self, provider: str) -> float | None:
        """Milliseconds for the provider to list its models (None when it failed)."""
        started = time.perf_counter()
        try:
            found, down = await self.workspace.models_of(provider)
        except CodaError:
            return None
        return None if down and not found else (time.perf_counter() - started) * 1000

    async def chat_page(self, request: Request) -> Response:
        models, problems = await self.models()
        session = _hex(request.query_params.get("session", ""))
        history: list[Any] = []
        if session:
            store = self.workspace.store
            session = store.resolve_id(session)
            history = await asyncio.to_thread(store.history, session)
        html = pages.chat(ASK_MODE_NAMES, models, problems if not models else [], session, history)
        return HTMLResponse(html)

    async def compare_page(self, request: Request) -> Response:
        models, _ = await self.models()
        return HTMLResponse(pages.compare(models))

    async def sessions_page(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        store = self.workspace.store
        if query:
            hits = await asyncio.to_thread(store.search, query, 50)
            return HTMLResponse(pages.sessions([], hits, query))
        items = await asyncio.to_thread(store.list_sessions, 200)
        return HTMLResponse(pages.sessions(items, None, ""))

    async def session_page(self, request: Request) -> Response:
        store = self.workspace.store
        item = store.get_session(request.path_params["sid"])
        share = self.sharing.section(item.id) if self.sharing else ""
        return HTMLResponse(pages.session(item, store.history(item.id), share))

    async def rename(self, request: Request) -> Response:
        form = await request.form()
        item = self.workspace.store.rename(request.path_params["sid"], str(form.get("title", "")))
        return RedirectResponse(f"/sessions/{item.id}", status_code=303)

    async def branch(self, request: Request) -> Response:
        form = await request.form()
        raw = str(form.get("message", ""))
        at = int(raw) if raw.isdigit() else None
        item = self.workspace.store.fork(request.path_params["sid"], at)
        return RedirectResponse(f"/sessions/{item.id}", status_code=303)

    async def delete(self, request: Request) -> Response:
        self.workspace.store.delete_session(request.path_params["sid"])
        return RedirectResponse("/sessions", status_code=303)

    async def export(self, request: Request) -> Response:
        store = self.workspace.store
        sid = store.resolve_id(request.path_params["sid"])
        name = f"coda-session-{sid[:8]}"
        if request.path_params["fmt"] == "json":
            data = json.dumps(store.export_json(sid), indent=2)
            return Response(data, media_type="application/json", headers=_download(name + ".json"))
        text = store.export_markdown(sid)
        return Response(text, media_type="text/markdown", headers=_download(name + ".md"))

    async def files(self, request: Request) -> Response:
        prefix = request.query_params.get("prefix", "")
        tracked = self.workspace.vcs().tracked_files()
        if inspect.isawaitable(tracked):
            tracked = await tracked
        found = [path for path in tracked if path.startswith(prefix)][:20]
        if len(found) < 20:
            found += [p for p in tracked if prefix in p and p not in found][: 20 - len(found)]
        return JSONResponse(found)

    # -- streaming -----------------------------------------------------------------------

    async def chat(self, request: Request) -> Response:
        form = await request.form()
        question = str(form.get("question", "")).strip()
        provider, model = _choice(str(form.get("model", "")))
        uploads = [
            Upload(f.filename or "upload", f.content_type or "", await f.read())
            for f in form.getlist("uploads")
            if isinstance(f, UploadFile) and f.filename
        ]
        session = _hex(str(form.get("session", ""))) or None
        ask = AskRequest(
            question=question,
            mode=str(form.get("mode", "")) or None,
            session_id=session,
            new_session=session is None,
            provider=provider,
            model=model,
            use_tools=form.get("tools") == "on",
        )
        return _sse(self._answer(ask, uploads, index=None))

    async def mermaid_js(self, request: Request) -> Response:
        """The local mermaid.js named by `[diagrams] mermaid_js`; 404 without one (the page
        then shows diagrams as labelled text)."""
        from pathlib import Path

        from starlette.responses import FileResponse

        configured = self.workspace.settings.diagrams.mermaid_js
        path = Path(configured).expanduser() if configured else None
        if path is None or not path.is_file():
            return PlainTextResponse("no mermaid.js configured", status_code=404)
        return FileResponse(path, media_type="text/javascript")

    async def permission(self, request: Request) -> Response:
        form = await request.form()
        found = self.asker.answer(str(form.get("id", "")), str(form.get("decision", "no")))
        return JSONResponse({"ok": found}, status_code=200 if found else 404)

    async def _answer(
        self, ask: AskRequest, uploads: list[Upload], index: int | None
    ) -> AsyncIterator[str]:
        """Events of one answer: start, notice, html (throttled re-render), done | error."""
        tag: dict[str, Any] = {} if index is None else {"index": index}
        queue: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        text: list[str] = []
        last = 0.0

        async def on_delta(delta: str) -> None:
            nonlocal last
            text.append(delta)
            now = time.monotonic()
            if now - last >= RENDER_EVERY:
                last = now
                await queue.put(("html", {"html": markdown_html("".join(text))}))

        async def on_start(started: Started) -> None:
            await queue.put(
                (
                    "start",
                    {
                        "provider": started.provider,
                        "model": started.model,
                        "session_id": started.session_id,
                    },
                )
            )

        async def on_notice(line: str) -> None:
            await queue.put(("notice", {"text": line}))

        async def emit(name: str, data: dict[str, Any]) -> None:
            await queue.put((name, data))

        async def run() -> None:
            CURRENT_STREAM.set(emit)  # this task's tool prompts go to this page
            try:
                if not ask.question:
                    raise CodaError("the question is empty", "type a question")
                ask.attachments = await self._attachments(ask, uploads)
                answer = await self.workspace.ask(
                    ask, on_delta, on_start=on_start, on_notice=on_notice
                )
                usage = answer.usage
                ttft = f"{answer.ttft * 1000:.0f} ms" if answer.ttft is not None else "—"
                cost = f" · ${usage.cost:.4f}" if usage.cost is not None else ""
                summary = (
                    f"{answer.provider} · {answer.model} · ttft {ttft} · "
                    f"{usage.input_tokens} in / {usage.output_tokens} out{cost}"
                )
                await queue.put(
                    (
                        "done",
                        {
                            "html": markdown_html(answer.text),
                            "summary": summary,
                            "session_id": answer.session_id,
                            "ttft_ms": None if answer.ttft is None else answer.ttft * 1000,
                            "input_tokens": usage.input_tokens,
                            "output_tokens": usage.output_tokens,
                            "cost": usage.cost,
                        },
                    )
                )
            except CodaError as exc:
                message = exc.message + (f" — {exc.hint}" if exc.hint else "")
                await queue.put(("error", {"message": message}))
            except Exception as exc:  # the page must hear about it, not hang
                log.exception("web answer failed")
                await queue.put(("error", {"message": f"internal error: {exc!r}"}))
            finally:
                await queue.put(None)

        task = asyncio.create_task(run())
        try:
            while (item := await queue.get()) is not None:
                name, data = item
                yield _event(name, {**data, **tag})
        finally:
            if not task.done():
                task.cancel()  # the page went away: stop the model's stream

    async def _attachments(self, ask: AskRequest, uploads: list[Upload]) -> list[tuple[str, str]]:
        """Uploads as core attachments: the engine extracts PDF text and refuses images for
        a model that does not read them, before any call."""
        ask.attached = [upload.as_attachment() for upload in uploads]
        return list(ask.attachments)

    async def compare(self, request: Request) -> Response:
        form = await request.form()
        question = str(form.get("question", "")).strip()
        chosen = [_choice(str(v)) for v in form.getlist("models")]
        if len(chosen) < 2:
            return PlainTextResponse("pick two or more models to compare", status_code=400)

        async def merged() -> AsyncIterator[str]:
            queue: asyncio.Queue[str | None] = asyncio.Queue()

            async def pump(index: int, provider: str | None, model: str | None) -> None:
                ask = AskRequest(
                    question=question,
                    new_session=True,
                    provider=provider,
                    model=model,
                    use_tools=False,
                )
                async for event in self._answer(ask, [], index):
                    await queue.put(event)

            tasks = [asyncio.create_task(pump(i, p, m)) for i, (p, m) in enumerate(chosen)]
            done = asyncio.gather(*tasks)
            done.add_done_callback(lambda _: queue.put_nowait(None))
            try:
                while (event := await queue.get()) is not None:
                    yield event
            finally:
                for task in tasks:
                    task.cancel()

        return _sse(merged())


def _choice(value: str) -> tuple[str | None, str | None]:
    provider, sep, model = value.partition("::")
    return (provider or None, model or None) if sep else (None, value or None)


def _hex(value: str) -> str:
    return value if value and all(c in "0123456789abcdef" for c in value.lower()) else ""


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _sse(events: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


def _download(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


async def _coda_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CodaError)
    text = exc.message + (f"\n{exc.hint}" if exc.hint else "")
    status = 404 if isinstance(exc, SessionNotFound) else 400
    return HTMLResponse(pages.layout("Error", f"<p class='error'>{escape(text)}</p>"), status)


def build_app(
    workspace: Workspace,
    token: str,
    asker: PageAsker | None = None,
    links: ShareStore | None = None,
) -> ShareLinks:
    """The whole site behind the token gate, but share links (`/share/TOKEN`, answered
    from `links`, by default the session database's); `asker` must be the workspace's
    asker for tool prompts to reach the page."""
    front = WebFront(workspace, asker)
    links = links or default_links(workspace)
    front.sharing = ShareActions(workspace, links)
    routes = [
        Route("/", front.dashboard),
        Route("/chat", front.chat_page),
        Route("/compare", front.compare_page),
        Route("/sessions", front.sessions_page),
        Route("/sessions/{sid}", front.session_page),
        Route("/sessions/{sid}/rename", front.rename, methods=["POST"]),
        Route("/sessions/{sid}/branch", front.branch, methods=["POST"]),
        Route("/sessions/{sid}/delete", front.delete, methods=["POST"]),
        Route("/sessions/{sid}/export.{fmt:str}", front.export),
        Route("/sessions/{sid}/share", front.sharing.share, methods=["POST"]),
        Route("/sessions/{sid}/unshare", front.sharing.unshare, methods=["POST"]),
        Route("/api/chat", front.chat, methods=["POST"]),
        Route("/api/compare", front.compare, methods=["POST"]),
        Route("/api/files", front.files),
        Route("/api/permission", front.permission, methods=["POST"]),
        Route("/assets/mermaid.js", front.mermaid_js),
    ]
    app = Starlette(routes=routes, exception_handlers={CodaError: _coda_error})
    return ShareLinks(TokenGate(app, token), links)
