"""Share links served by the real `coda web` (a subprocess, as a user starts it), and the
import of a shared session elsewhere, continued against the scripted model server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.sessions import SessionStore
from tests.share.conftest import Shared, secrets_in
from tests.support.model_server import Reply, ScriptedModelServer
from tests.web.conftest import start_web, stop_web


def _share(session_id: str, out: Path) -> tuple[str, str]:
    """(the link as printed, its token)."""
    result = CliRunner().invoke(cli, ["sessions", "share", session_id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    match = re.search(r"share link: (.*?/share/([A-Za-z0-9_-]+))", result.output)
    assert match is not None, result.output
    return match.group(1), match.group(2)


def test_share_link_needs_its_token_and_dies_with_unshare(
    shared: Shared, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    printed, early = _share(shared.session_id, tmp_path / "page.html")
    assert printed.startswith("<coda web URL>/share/"), "no server runs: the path only"
    server = start_web(shared.root)
    try:
        printed, token = _share(shared.session_id, tmp_path / "page.html")
        assert printed == f"{server.base}/share/{token}", "the running server's whole link"
        assert len(token) >= 40 and token != early
        with SessionStore() as store:  # only the tokens' hashes are kept
            stored = store.scalar("SELECT group_concat(token_sha256) FROM shares")
            assert isinstance(stored, str) and token not in stored and early not in stored
        with httpx.Client(base_url=server.base, timeout=10) as http:
            page = http.get(f"/share/{token}")
            assert page.status_code == 200
            assert "It works; here it is typed" in page.text
            assert secrets_in(page.text, tmp_path_factory.getbasetemp()) == []
            assert page.headers["content-security-policy"].startswith("default-src 'none'")
            assert page.headers["referrer-policy"] == "no-referrer"
            assert "set-cookie" not in page.headers, "a share link opens nothing else"
            data = http.get(f"/share/{token}.json").json()
            assert data["format"] == "coda.session" and data["session"]["project"] == "proj"

            # Without the token, or with a wrong one: nothing.
            for path in ("/share/", f"/share/{token[:-1]}x", "/share/" + "A" * 43):
                assert http.get(path).status_code == 404, path
            assert http.post(f"/share/{token}").status_code == 405
            # The share token is not the access token: the rest of the site stays closed.
            assert http.get("/sessions", params={"token": token}).status_code == 401
            assert http.get(f"/sessions/{shared.session_id}").status_code == 401

            result = CliRunner().invoke(cli, ["sessions", "unshare", shared.session_id[:8]])
            assert result.exit_code == 0 and "revoked 2 share link" in result.output
            assert http.get(f"/share/{token}").status_code == 404
            assert http.get(f"/share/{token}.json").status_code == 404
            assert http.get(f"/share/{early}").status_code == 404
    finally:
        stop_web(server)


def _comparable(messages: list[dict[str, object]]) -> list[dict[str, object]]:
    keys = ("role", "content", "provider", "model", "input_tokens", "output_tokens")
    more = ("cached_tokens", "cost", "tool_calls", "tool_call_id", "latency_ms", "ttft_ms")
    return [{k: m[k] for k in keys + more} for m in messages]


@pytest.mark.parametrize("source", ["page", "json"])
def test_import_round_trip_then_continue(
    shared: Shared,
    tmp_path: Path,
    source: str,
    model_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page, exported = tmp_path / "page.html", tmp_path / "shared.json"
    result = CliRunner().invoke(
        cli,
        ["sessions", "share", shared.session_id, "-o", str(page), "--json", str(exported)],
    )
    assert result.exit_code == 0, result.output
    original = json.loads(exported.read_text())

    imported = CliRunner().invoke(
        cli, ["sessions", "import", str(page if source == "page" else exported)]
    )
    assert imported.exit_code == 0, imported.output
    match = re.search(r"imported (\w+)", imported.output)
    assert match is not None and "(4 messages)" in imported.output
    new_id = match.group(1)
    assert not shared.session_id.startswith(new_id), "an imported session gets a new id"

    again = json.loads(CliRunner().invoke(cli, ["sessions", "export", new_id, "-f", "json"]).stdout)
    assert _comparable(again["messages"]) == _comparable(original["messages"])
    assert [m["id"] for m in again["messages"]] != [m["id"] for m in original["messages"]]
    with SessionStore() as store:
        stats = store.stats(new_id)
        # A shared export names no root: the import joins the project it is run in.
        assert store.get_session(new_id).project_root == str(shared.root.resolve())
    assert (stats.input_tokens, stats.output_tokens, stats.cached_tokens) == (320, 48, 100)
    assert stats.cost == pytest.approx(0.0032)

    # Continue it elsewhere: the next question carries the imported history.
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    model_server.script(Reply(text="Use floats."))
    result = CliRunner().invoke(cli, ["ask", "--session", new_id, "--no-tools", "and now?"])
    assert result.exit_code == 0, result.output
    sent = model_server.chat_requests()[-1].body["messages"]
    assert any("It works; here it is typed" in str(m.get("content")) for m in sent)
    assert sent[-1]["content"].endswith("and now?")


def test_import_refuses_an_html_page_that_is_not_a_share(tmp_path: Path) -> None:
    page = tmp_path / "other.html"
    page.write_text("<html><body>hello</body></html>")
    result = CliRunner().invoke(cli, ["sessions", "import", str(page)])
    assert result.exit_code == 1 and "not a page made by `coda sessions share`" in result.output


def test_an_unreachable_team_store_leaves_coda_web_serving_local_links(
    shared: Shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sqlalchemy", reason="the team extra is not installed")
    pytest.importorskip("psycopg", reason="the team extra is not installed")
    from coda_ls.share import SqliteShareStore, share_session

    with SessionStore() as store, SqliteShareStore(store.path) as links:
        token = share_session(store, shared.session_id, links).token
    assert token is not None
    config = tmp_path / "config.toml"
    # Port 9 on loopback refuses at once: a team store that is down.
    config.write_text('[team]\ndatabase_url = "postgresql://coda:pw@127.0.0.1:9/coda"\n')
    monkeypatch.setenv("CODA_CONFIG_FILE", str(config))
    result = CliRunner().invoke(cli, ["sessions", "share", shared.session_id])
    assert result.exit_code == 1 and "Traceback" not in result.output, "sharing says so"
    server = start_web(shared.root)
    try:
        page = httpx.get(f"{server.base}/share/{token}", timeout=20)
        assert page.status_code == 200 and "It works; here it is typed" in page.text
    finally:
        stop_web(server)
