"""web_fetch against a local HTTP server: HTML → markdown, caps, refusals."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from coda_ls.tools.html2md import html_to_markdown
from tests.tools.conftest import MakeToolbox, ScriptedAsker, call

PAGE = b"""<!doctype html><html><head><title>Demo page</title><style>p{}</style>
<script>alert('x')</script></head><body><nav>Home | About</nav>
<h1>Install</h1><p>Run <code>pip install demo</code> then read
<a href="https://example.org/docs">the docs</a>.</p>
<ul><li>fast</li><li>small</li></ul><pre>x = 1
y = 2</pre></body></html>"""

ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/page": (200, "text/html; charset=utf-8", PAGE),
    "/data": (200, "application/json", b'{"a":[1,2]}'),
    "/big": (200, "text/plain", b"y" * 3_000_000),
    "/image": (200, "image/png", b"\x89PNG\x00\x00"),
    "/missing": (404, "text/html", b"<h1>Not found</h1>"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        status, ctype, body = ROUTES.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_html_becomes_markdown(toolbox: MakeToolbox, site: str) -> None:
    result = await call(toolbox(), "web_fetch", url=f"{site}/redirect")
    assert not result.is_error
    header, _, body = result.text.partition("\n\n")
    assert header == f"{site}/page (200, text/html)"
    assert body.startswith("# Install")
    assert "`pip install demo`" in body
    assert "[the docs](https://example.org/docs)" in body
    assert "- fast\n- small" in body
    assert "```\nx = 1\ny = 2\n```" in body
    assert "alert" not in body and "Home | About" not in body and "p{}" not in body


async def test_json_text_and_caps(toolbox: MakeToolbox, site: str) -> None:
    box = toolbox()
    data = await call(box, "web_fetch", url=f"{site}/data")
    assert '"a": [\n    1,' in data.text
    big = await call(box, "web_fetch", url=f"{site}/big", max_chars=1000)
    assert big.text.count("y") == 1000 and "cut at 1,000 characters" in big.text
    image = await call(box, "web_fetch", url=f"{site}/image")
    assert image.is_error and "image/png" in image.text
    missing = await call(box, "web_fetch", url=f"{site}/missing")
    assert missing.is_error and "(404," in missing.text and "Not found" in missing.text


async def test_refusals(toolbox: MakeToolbox) -> None:
    box = toolbox()
    assert "not an http(s) URL" in (await call(box, "web_fetch", url="file:///etc/passwd")).text
    down = await call(box, "web_fetch", url="http://127.0.0.1:9/")
    assert down.is_error and "ConnectError" in down.text
    asker = ScriptedAsker()
    asked = toolbox(asker, web="ask")
    declined = await call(asked, "web_fetch", url="http://127.0.0.1:9/")
    assert declined.is_error and "declined" in declined.text
    assert asker.requests[0].summary == "Fetch http://127.0.0.1:9/"


def test_title_is_used_when_the_body_has_no_heading() -> None:
    text = html_to_markdown("<html><head><title>T</title></head><body><p>a  b</p></body></html>")
    assert text == "# T\n\na b"
