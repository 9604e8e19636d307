"""With a team store configured, `coda sessions share` publishes the link to PostgreSQL and
a `coda web` on another machine (another local database, same team store) serves it;
`unshare` revokes it there."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.sessions import SessionStore
from tests.web.conftest import start_web, stop_web


def test_share_link_lives_in_the_team_store(
    tmp_path: Path, team_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    mine = tmp_path / "config-a.toml"
    mine.write_text(
        f'[team]\ndatabase_url = "{team_url}"\n[sessions]\ndb_path = "{tmp_path / "a.db"}"\n'
    )
    theirs = tmp_path / "config-b.toml"
    theirs.write_text(
        f'[team]\ndatabase_url = "{team_url}"\n[sessions]\ndb_path = "{tmp_path / "b.db"}"\n'
    )
    with SessionStore(tmp_path / "a.db") as store:
        session = store.create_session(project_root=root)
        store.add_message(session.id, "user", f"what is in {root}/app.py? key sk-{'Z' * 30}")
        store.add_message(session.id, "assistant", "A flux capacitor.")

    monkeypatch.setenv("CODA_CONFIG_FILE", str(mine))
    result = CliRunner().invoke(
        cli, ["sessions", "share", session.id, "-o", str(tmp_path / "p.html")]
    )
    assert result.exit_code == 0, result.output
    match = re.search(r"/share/([A-Za-z0-9_-]+)", result.output)
    assert match is not None, result.output
    token = match.group(1)
    with SessionStore(tmp_path / "a.db") as store:  # not in the local database
        assert store.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'shares'") == 0

    monkeypatch.setenv("CODA_CONFIG_FILE", str(theirs))  # another machine's coda web
    server = start_web(root)
    try:
        with httpx.Client(base_url=server.base, timeout=20) as http:
            page = http.get(f"/share/{token}")
            assert page.status_code == 200 and "A flux capacitor." in page.text
            assert str(root) not in page.text and "sk-ZZZZ" not in page.text
            monkeypatch.setenv("CODA_CONFIG_FILE", str(mine))
            revoked = CliRunner().invoke(cli, ["sessions", "unshare", session.id[:8]])
            assert revoked.exit_code == 0 and "revoked 1 share link" in revoked.output
            assert http.get(f"/share/{token}").status_code == 404
    finally:
        stop_web(server)
