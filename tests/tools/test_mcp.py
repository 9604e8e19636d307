"""MCP round trips: Coda's client against Coda's own server (`coda mcp`, stdio) and against
a reference server built with the SDK (stdio and streamable HTTP)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coda_ls.config import Settings
from coda_ls.tools import Decision, Toolbox
from tests.tools.conftest import ScriptedAsker, call
from tests.vcs.repos import sh

REFERENCE = str(Path(__file__).with_name("reference_mcp_server.py"))


def settings(servers: dict[str, Any], mcp: str = "allow") -> Settings:
    return Settings.model_validate({"permissions": {"mcp": mcp}, "mcp_servers": servers})


async def test_coda_client_against_coda_mcp_server(workspace: Path) -> None:
    from coda_ls.sessions import SessionStore

    sh(workspace, "git", "init", "-q")
    sh(workspace, "git", "add", "-A")
    sh(workspace, "git", "commit", "-qm", "init")
    (workspace / "src" / "app.py").write_text("def main():\n    print('changed')\n\nmain()\n")
    (workspace / "pyproject.toml").write_text(
        '[project]\nname = "demo"\ndependencies = ["httpx"]\n'
    )
    with SessionStore.from_settings(Settings()) as store:
        session = store.create_session(title="pagerank talk")
        store.add_message(session.id, "user", "how does personalized pagerank rank files?")

    server = {"command": [sys.executable, "-m", "coda_cli", "mcp", "--root", str(workspace)]}
    async with Toolbox(workspace, settings({"coda": server}), ScriptedAsker()) as box:
        names = {s.name for s in box.specs()}
        assert {
            "coda__repo_map", "coda__find_symbol", "coda__project_summary",
            "coda__search_sessions", "coda__vcs_diff", "coda__vcs_status",
        } <= names  # fmt: skip
        symbol = await call(box, "coda__find_symbol", name="main")
        assert not symbol.is_error, symbol.text
        found = json.loads(symbol.text)
        assert found[0]["path"] == "src/app.py" and found[0]["line"] == 1
        repo_map = await call(box, "coda__repo_map", tokens=256)
        assert "src/app.py" in repo_map.text and "main" in repo_map.text
        diff = await call(box, "coda__vcs_diff")
        assert "+    print('changed')" in diff.text
        summary = await call(box, "coda__project_summary")
        assert "Python" in summary.text
        hits = await call(box, "coda__search_sessions", query="pagerank")
        assert json.loads(hits.text)[0]["title"] == "pagerank talk"
        missing = await call(box, "coda__find_symbol", name="no_such_symbol")
        assert "no definition named" in missing.text
    assert not any(s.name.startswith("coda__") for s in box.specs())


async def test_reference_server_over_stdio_and_permissions(workspace: Path) -> None:
    servers = {
        "ref": {"command": [sys.executable, REFERENCE]},
        "broken": {"command": [sys.executable, "-c", "import sys; sys.exit(3)"]},
        "off": {"command": ["/nonexistent"], "enabled": False},
    }
    asker = ScriptedAsker(Decision.NO, Decision.YES)
    box = Toolbox(workspace, settings(servers, mcp="ask"), asker)
    errors = await box.connect_mcp()
    try:
        assert len(errors) == 1 and errors[0].startswith("MCP server 'broken'")
        specs = {s.name: s for s in box.specs()}
        assert {"ref__add", "ref__write_note", "ref__refuse"} <= set(specs)
        assert specs["ref__add"].parameters["required"] == ["a", "b"]
        assert specs["ref__add"].description == "[MCP ref] Add two integers."

        note = workspace / "note.txt"
        declined = await call(box, "ref__write_note", path=str(note), text="hi")
        assert declined.is_error and "declined" in declined.text
        assert not note.exists()  # "no": the server was never called
        assert asker.requests[0].summary.startswith("Call write_note on MCP server ref")

        added = await call(box, "ref__add", a=2, b=40)
        assert not added.is_error and added.text == "42"

        asker.default = Decision.YES
        refused = await call(box, "ref__refuse", reason="quota exceeded")
        assert refused.is_error and "quota exceeded" in refused.text
        bad = await call(box, "ref__add", a="x")
        assert bad.is_error and "validation error" in bad.text
    finally:
        await box.aclose()
    closed = await call(box, "ref__add", a=1, b=1)
    assert closed.is_error and "unknown tool" in closed.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_server() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, REFERENCE, "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("the reference server exited") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)


async def test_reference_server_over_streamable_http(workspace: Path, http_server: str) -> None:
    async with Toolbox(workspace, settings({"web": {"url": http_server}}), ScriptedAsker()) as box:
        result = await call(box, "web__add", a=20, b=22)
        assert not result.is_error and result.text == "42"


async def test_unreachable_http_server_is_reported(workspace: Path) -> None:
    box = Toolbox(workspace, settings({"gone": {"url": "http://127.0.0.1:9/mcp"}}), ScriptedAsker())
    errors = await box.connect_mcp()
    await box.aclose()
    assert len(errors) == 1 and errors[0].startswith("MCP server 'gone'")


async def test_server_without_command_or_url(workspace: Path) -> None:
    box = Toolbox(workspace, settings({"empty": {}}), ScriptedAsker())
    errors = await box.connect_mcp()
    assert "neither `command` nor `url`" in errors[0]
