"""Share links: `/share/TOKEN` (the page) and `/share/TOKEN.json` (its JSON, to import),
served to anyone holding the link, without the access token and without its cookie.

Only these two paths bypass the gate, and they answer only for a token the share store
knows: any other path goes through the token gate as before. A link is a capability of
its own: it opens that one session's redacted copy and nothing else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections import OrderedDict
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from coda_ls.errors import CodaError
from coda_ls.share import (
    CSP,
    ShareStore,
    SqliteShareStore,
    open_share_store,
    render_page,
    share_session,
)
from coda_ls.share.store import token_digest
from coda_ls.workspace import Workspace

log = logging.getLogger(__name__)

PREFIX = "/share/"
_PATH = re.compile(r"^/share/(?P<token>[A-Za-z0-9_-]{16,128})(?P<json>\.json)?$")
_HEADERS = {
    "content-security-policy": CSP,
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",  # the token must not leak to a link's target
    "x-robots-tag": "noindex",
    "x-content-type-options": "nosniff",
}
PAGES_KEPT = 16
NOT_FOUND = "404: no such shared session (the link is wrong or was revoked)\n"


def default_links(workspace: Workspace) -> ShareStore:
    """The workspace's share store; an unreachable team store must not keep `coda web`
    from starting: its links then come from the session database, with a warning."""
    try:
        return open_share_store(workspace.store, workspace.settings)
    except CodaError as exc:
        log.warning("share links from the session database: %s", exc.message)
        return SqliteShareStore(workspace.store.path)


class ShareLinks:
    """ASGI: `/share/…` answered from the share store, everything else to `gated`."""

    def __init__(self, gated: ASGIApp, links: ShareStore) -> None:
        self.gated = gated
        self.links = links
        # A link's export never changes, and rendering (Pygments) takes about a second
        # for 500 messages: keep the last pages. The store is still asked on every
        # request, so a revoked link stops at once.
        self._pages: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()  # pages are rendered in worker threads

    def _page(self, token: str, data: dict[str, Any]) -> str:
        key = token_digest(token)
        with self._lock:
            page = self._pages.get(key)
        if page is None:
            page = render_page(data)  # outside the lock: two renders of one page are harmless
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > PAGES_KEPT:
                self._pages.popitem(last=False)
        return page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(PREFIX):
            await self.gated(scope, receive, send)
            return
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return PlainTextResponse("405: shared sessions are read-only\n", 405)
        match = _PATH.match(request.url.path)
        data = await asyncio.to_thread(self.links.lookup, match["token"]) if match else None
        if match is None or data is None:
            return PlainTextResponse(NOT_FOUND, 404, headers=_HEADERS)
        if match["json"]:
            return Response(
                json.dumps(data, indent=2, ensure_ascii=False),
                media_type="application/json",
                headers=_HEADERS,
            )
        page = await asyncio.to_thread(self._page, match["token"], data)
        return HTMLResponse(page, headers=_HEADERS)


class ShareActions:
    """The session page's share controls (behind the access token): make a link (shown
    once, in full: only its hash is kept) and revoke a session's links."""

    def __init__(self, workspace: Workspace, links: ShareStore) -> None:
        self.workspace = workspace
        self.links = links

    def section(self, sid: str, link: str | None = None) -> str:
        live = len(self.links.links(sid))
        parts = [
            "<div id='share'>",
            f"<form method='post' action='/sessions/{sid}/share' style='display:inline'>"
            "<button id='share-button'>Share a read-only link</button></form>",
        ]
        if live:
            parts.append(
                f" <span class='info'>{live} live link(s)</span> "
                f"<form method='post' action='/sessions/{sid}/unshare' style='display:inline'>"
                "<button id='unshare-button'>Revoke links</button></form>"
            )
        if link:
            parts.append(
                f"<p>Share link (shown once; secrets and paths redacted): "
                f"<a id='share-link' href='{escape(link)}'>{escape(link)}</a></p>"
            )
        return "".join(parts) + "</div>"

    async def share(self, request: Request) -> Response:
        from coda_ls.web import pages

        store = self.workspace.store
        shared = await asyncio.to_thread(
            share_session, store, request.path_params["sid"], self.links
        )
        link = str(request.base_url).rstrip("/") + shared.path()
        item = store.get_session(shared.session_id)
        html = pages.session(item, store.history(item.id), self.section(item.id, link))
        return HTMLResponse(html)

    async def unshare(self, request: Request) -> Response:
        sid = self.workspace.store.resolve_id(request.path_params["sid"])
        await asyncio.to_thread(self.links.revoke, sid)
        return RedirectResponse(f"/sessions/{sid}", status_code=303)
