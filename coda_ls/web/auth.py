"""The access token: every request must carry it, in the `token` query parameter (the
URL `coda web` prints) or in the cookie the first such request sets. Anything else is
refused with 401 before it reaches a route, so no page, API or upload is open to another
local user or a web page guessing the port."""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "coda_token"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TokenGate:
    """ASGI middleware: 401 unless the request carries the token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = (query.get("token") or [""])[0]
        cookie = ""
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                jar.load(value.decode("latin-1"))
                if COOKIE in jar:
                    cookie = jar[COOKIE].value
        if secrets.compare_digest(from_query, self.token):
            await self.app(scope, receive, _with_cookie(send, self.token))
            return
        if cookie and secrets.compare_digest(cookie, self.token):
            await self.app(scope, receive, send)
            return
        body = b"401: open the URL `coda web` printed (it carries the access token)\n"
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _with_cookie(send: Send, token: str) -> Send:
    header = f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/".encode()

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
        await send(message)

    return wrapped
