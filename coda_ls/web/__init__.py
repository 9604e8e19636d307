"""`coda web`: the dashboard, chat, model comparison and sessions in a browser.

A small ASGI app (Starlette on uvicorn, both already installed with `mcp`) rather than
Streamlit: Streamlit re-runs a script per interaction behind its own server and
websocket protocol, which makes a token gate on every request, streaming from Coda's
async core, and browser tests with plain DOM assertions harder. Here every page is
server-rendered HTML (Markdown by markdown-it-py, code by Pygments, charts as inline
SVG), answers stream as Server-Sent Events, and one middleware refuses every request
without the access token.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable

from coda_ls.errors import CodaError
from coda_ls.web.asker import PageAsker
from coda_ls.web.auth import new_token
from coda_ls.workspace import Workspace

__all__ = ["PageAsker", "is_loopback", "open_socket", "serve"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_socket(host: str, port: int) -> socket.socket:
    """The listening socket, bound before uvicorn starts so the printed URL has the real
    port (also when 0 asks for a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CodaError(
            f"cannot listen on {host}:{port}: {exc.strerror}", "pick another --port (0: any free)"
        ) from None
    sock.listen(128)
    return sock


def serve(
    workspace: Workspace,
    asker: PageAsker | None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    token: str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted; `on_ready(url)` gets the URL with the token."""
    import uvicorn

    from coda_ls.web.app import build_app

    token = token or new_token()
    sock = open_socket(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/?token={token}"
    config = uvicorn.Config(build_app(workspace, token, asker), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)

    async def run() -> None:
        from coda_ls.share.server_url import advertised

        if on_ready is not None:
            on_ready(url)
        try:
            # `coda sessions share` prints whole links while this server runs.
            with advertised(workspace.store.path, url.split("/?", 1)[0]):
                await server.serve(sockets=[sock])
        finally:
            await workspace.aclose()

    asyncio.run(run())
