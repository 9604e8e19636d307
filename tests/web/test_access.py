"""Without the token nothing is served, and by default nothing listens beyond 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.web.conftest import REPO, WebServer, start_web, stop_web


@pytest.fixture
def bare_web(project: Path) -> WebServer:
    server = start_web(project)
    yield server  # type: ignore[misc]
    stop_web(server)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/chat"),
        ("GET", "/sessions"),
        ("GET", "/api/files"),
        ("POST", "/api/chat"),
        ("POST", "/api/compare"),
        ("GET", "/sessions/abc/export.json"),
        ("GET", "/nope"),
    ],
)
def test_requests_without_the_token_are_refused(
    bare_web: WebServer, method: str, path: str
) -> None:
    assert httpx.request(method, bare_web.base + path).status_code == 401
    wrong = httpx.request(method, bare_web.base + path, params={"token": "x" + bare_web.token})
    assert wrong.status_code == 401
    forged = httpx.request(method, bare_web.base + path, cookies={"coda_token": "guess"})
    assert forged.status_code == 401


def test_the_token_opens_the_page_and_sets_a_cookie(bare_web: WebServer) -> None:
    # The dashboard runs the doctor's checks: over httpx's default 5 s on a loaded machine.
    with httpx.Client(timeout=30) as client:
        first = client.get(bare_web.url)
        assert first.status_code == 200 and "Dashboard" in first.text
        assert "HttpOnly" in first.headers["set-cookie"]
        # Later requests (the page's own fetches) carry the cookie instead.
        assert client.get(bare_web.base + "/sessions").status_code == 200


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.add(address)
    return found


def test_listens_only_on_loopback_by_default(bare_web: WebServer) -> None:
    parsed = urlparse(bare_web.base)
    assert parsed.hostname == "127.0.0.1"
    assert _listening_addresses(parsed.port or 0) == {"0100007F"}  # 127.0.0.1, nothing else


def test_another_host_needs_an_explicit_flag(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coda_cli", "web", "--host", "0.0.0.0", "--port", "0"],
        cwd=project,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(project)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "--allow-remote" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
