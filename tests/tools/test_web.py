"""web_fetch against a local HTTP server: HTML → markdown, caps, refusals."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from coda_ls.config import Settings
from coda_ls.tools import Toolbox
from coda_ls.tools.html2md import html_to_markdown
from coda_ls.tools.netguard import host_allowed, refusal
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
    "/internal": (200, "text/plain", b"the admin password is hunter2"),
}


HITS: list[str] = []  # paths the local server was asked for


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        HITS.append(self.path)
        if self.path.startswith("/to/"):  # /to/<url>: a redirect anywhere
            self.send_response(302)
            self.send_header("Location", self.path[len("/to/") :])
            self.end_headers()
            return
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
    HITS.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _port(site: str) -> int:
    return int(site.rsplit(":", 1)[1])


def web_box(workspace: Path, *allow_hosts: str, asker: ScriptedAsker | None = None) -> Toolbox:
    """Everything allowed; web_fetch may reach `allow_hosts` besides public hosts."""
    values: dict[str, object] = {"permissions": {"web": "allow"}}
    if allow_hosts:
        values["web"] = {"allow_hosts": list(allow_hosts)}
    return Toolbox(workspace, Settings.model_validate(values), asker or ScriptedAsker())


async def test_html_becomes_markdown(workspace: Path, site: str) -> None:
    result = await call(web_box(workspace, "127.0.0.1:*"), "web_fetch", url=f"{site}/redirect")
    assert not result.is_error
    header, _, body = result.text.partition("\n\n")
    assert header == f"{site}/page (200, text/html)"
    assert body.startswith("# Install")
    assert "`pip install demo`" in body
    assert "[the docs](https://example.org/docs)" in body
    assert "- fast\n- small" in body
    assert "```\nx = 1\ny = 2\n```" in body
    assert "alert" not in body and "Home | About" not in body and "p{}" not in body


async def test_json_text_and_caps(workspace: Path, site: str) -> None:
    box = web_box(workspace, f"127.0.0.1:{_port(site)}")
    data = await call(box, "web_fetch", url=f"{site}/data")
    assert '"a": [\n    1,' in data.text
    big = await call(box, "web_fetch", url=f"{site}/big", max_chars=1000)
    assert big.text.count("y") == 1000 and "cut at 1,000 characters" in big.text
    image = await call(box, "web_fetch", url=f"{site}/image")
    assert image.is_error and "image/png" in image.text
    missing = await call(box, "web_fetch", url=f"{site}/missing")
    assert missing.is_error and "(404," in missing.text and "Not found" in missing.text


async def test_refusals(toolbox: MakeToolbox, workspace: Path) -> None:
    box = web_box(workspace, "127.0.0.1:9")
    assert "not an http(s) URL" in (await call(box, "web_fetch", url="file:///etc/passwd")).text
    down = await call(box, "web_fetch", url="http://127.0.0.1:9/")
    assert down.is_error and "ConnectError" in down.text
    asker = ScriptedAsker()
    settings = Settings.model_validate(
        {"permissions": {"web": "ask"}, "web": {"allow_hosts": ["127.0.0.1:9"]}}
    )
    asked = Toolbox(workspace, settings, asker)
    declined = await call(asked, "web_fetch", url="http://127.0.0.1:9/")
    assert declined.is_error and "declined" in declined.text
    assert asker.requests[0].summary == "Fetch http://127.0.0.1:9/"
    # a private address is refused before anyone is asked
    refused = await call(asked, "web_fetch", url="http://127.0.0.1:10/")
    assert refused.text.startswith("refused") and len(asker.requests) == 1


def test_title_is_used_when_the_body_has_no_heading() -> None:
    text = html_to_markdown("<html><head><title>T</title></head><body><p>a  b</p></body></html>")
    assert text == "# T\n\na b"


# -- server-side request forgery: loopback, private and metadata addresses ---------------

LOCAL_SPELLINGS = [
    "http://127.0.0.1:{port}/internal",
    "http://localhost:{port}/internal",
    "http://LocalHost:{port}/internal",
    "http://0x7f000001:{port}/internal",
    "http://2130706433:{port}/internal",
    "http://017700000001:{port}/internal",
    "http://127.1:{port}/internal",
    "http://127.0.0.2:{port}/internal",
    "http://[::ffff:127.0.0.1]:{port}/internal",
    "http://[::ffff:7f00:1]:{port}/internal",
    "http://0.0.0.0:{port}/internal",
]


@pytest.mark.parametrize("template", LOCAL_SPELLINGS)
async def test_loopback_is_refused_however_it_is_spelled(
    workspace: Path, site: str, template: str
) -> None:
    url = template.format(port=_port(site))
    result = await call(web_box(workspace), "web_fetch", url=url)
    assert result.is_error and result.text.startswith("refused"), result.text
    assert "hunter2" not in result.text
    assert HITS == []  # the server that would have answered never saw a request


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]:1/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://168.63.129.16/machine",
        "http://100.100.100.200/latest/meta-data/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/admin",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    ],
)
async def test_private_link_local_and_metadata_addresses_are_refused(
    workspace: Path, url: str
) -> None:
    result = await call(web_box(workspace), "web_fetch", url=url)
    # refused by the policy at once, not a connection that failed or timed out
    assert result.text.startswith("refused"), result.text
    assert "web.allow_hosts" in result.text


async def test_a_redirect_to_loopback_is_refused(workspace: Path, site: str) -> None:
    port = _port(site)
    box = web_box(workspace, f"127.0.0.1:{port}")  # the first hop is allowed
    result = await call(box, "web_fetch", url=f"{site}/to/http://localhost:{port}/internal")
    assert result.text.startswith("refused") and "localhost" in result.text, result.text
    assert "/internal" not in HITS
    ok = await call(box, "web_fetch", url=f"{site}/to/{site}/internal")  # allowed → allowed
    assert not ok.is_error and "hunter2" in ok.text


async def test_allow_hosts_lets_a_named_local_host_through(workspace: Path, site: str) -> None:
    port = _port(site)
    for entry in (f"localhost:{port}", "localhost", "LocalHost"):
        result = await call(
            web_box(workspace, entry), "web_fetch", url=f"http://localhost:{port}/internal"
        )
        assert not result.is_error and "hunter2" in result.text, (entry, result.text)
    other_port = await call(
        web_box(workspace, f"localhost:{port + 1}"),
        "web_fetch",
        url=f"http://localhost:{port}/internal",
    )
    assert other_port.text.startswith("refused")


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"],
)
def test_public_addresses_are_fine(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "port", "entries", "allowed"),
    [
        ("localhost", 8080, ["localhost:8080"], True),
        ("localhost", 8081, ["localhost:8080"], False),
        ("LOCALHOST", 80, ["localhost"], True),
        ("wiki.internal", 443, ["*.internal"], True),
        ("internal", 443, ["*.internal"], False),
        ("::1", 3000, ["[::1]:3000"], True),
        ("::1", 3001, ["[::1]:3000"], False),
        ("::1", 3001, ["[::1]"], True),
        ("127.0.0.1", 9, ["127.0.0.1:*"], True),
        ("127.0.0.1", 9, [], False),
    ],
)
def test_allow_hosts_entries(host: str, port: int, entries: list[str], allowed: bool) -> None:
    assert host_allowed(host, port, entries) is allowed
