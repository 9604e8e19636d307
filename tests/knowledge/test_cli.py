"""Saving answers as notes and finding them again: `coda knowledge`, `coda sessions note`
and the shell's /note, with the scripted model server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coda_cli.main import cli
from coda_cli.shell.slash import dispatch
from coda_cli.shell.state import ShellState
from coda_cli.shell.turn import run_line
from coda_ls.sessions import SessionStore
from tests.shell.conftest import Captured, out, shell, workspace  # noqa: F401  (fixtures)
from tests.support.model_server import Reply, ScriptedModelServer


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--no-color", *args], input=input)


def test_add_list_and_search(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    added = run("knowledge", "add", "--title", "Feature flags", input="Flags live in LaunchDarkly.")
    assert added.exit_code == 0, added.output
    note = project / ".coda" / "knowledge" / "feature-flags.md"
    assert note.read_text(encoding="utf-8") == "# Feature flags\n\nFlags live in LaunchDarkly.\n"

    listed = run("knowledge", "list", "--json")
    assert {row["note"] for row in json.loads(listed.output)} == {
        ".coda/knowledge/deploy.md",
        ".coda/knowledge/office.md",
        ".coda/knowledge/feature-flags.md",
    }
    searched = run("knowledge", "search", "where", "are", "feature", "flags", "--json")
    found = json.loads(searched.output)
    assert found[0]["source"] == ".coda/knowledge/feature-flags.md"
    assert "No note matches" in run("knowledge", "search", "kubernetes").output
    empty = run("knowledge", "add", input="")
    assert empty.exit_code == 1 and "the note is empty" in empty.output


def test_sessions_note_saves_the_last_answer_titled_by_its_question(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    with SessionStore() as store:
        session = store.create_session()
        store.add_message(session.id, "user", "How do we rotate the API keys?")
        store.add_message(session.id, "assistant", "Run `ops keys rotate` then redeploy.")
        store.add_message(session.id, "user", "thanks")
    saved = run("sessions", "note", session.id[:8])
    assert saved.exit_code == 0, saved.output
    path = project / ".coda" / "knowledge" / "how-do-we-rotate-the-api-keys.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"<!-- coda: saved from session {session.id[:8]}")
    assert "# How do we rotate the API keys?\n\nRun `ops keys rotate` then redeploy.\n" in text
    again = run("sessions", "note", session.id[:8], "--title", "Key rotation", "--user")
    assert again.exit_code == 0, again.output
    user_notes = list((Path.home() / ".config" / "coda" / "knowledge").glob("*.md"))
    assert [p.name for p in user_notes] == ["key-rotation.md"]

    empty = None
    with SessionStore() as store:
        empty = store.create_session("nothing yet")
    refused = run("sessions", "note", empty.id[:8])
    assert refused.exit_code == 1
    assert "has no answer to save" in refused.output


async def test_note_in_the_shell_then_a_later_question_gets_it(
    shell: ShellState,  # noqa: F811
    out: Captured,  # noqa: F811
    workspace: Path,  # noqa: F811
    model_server: ScriptedModelServer,
) -> None:
    model_server.script(
        Reply(text="The staging database is `pg-staging-2`, reachable over the VPN only."),
        Reply(text="ok"),
    )
    await run_line(shell, "which database does staging use?")
    await dispatch(shell, "/note Staging database")
    assert "saved" in out.take()
    note = workspace / ".coda" / "knowledge" / "staging-database.md"
    assert "pg-staging-2" in note.read_text(encoding="utf-8")

    shell.session_id = None  # a new conversation: only the note can tell
    await run_line(shell, "how do I reach the staging database?")
    system = model_server.chat_requests()[-1].body["messages"][0]["content"]
    assert "pg-staging-2" in system
    assert "knowledge: .coda/knowledge/staging-database.md" in out.take()


def test_nothing_imports_sqlalchemy_without_a_team_store(project: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import coda_cli.main\n"
        "from coda_ls.config import load_settings\n"
        "from coda_ls.workspace import Workspace\n"
        f"ws = Workspace(Path({str(project)!r}), load_settings(read_files=False))\n"
        "assert ws.knowledge.relevant('roll back a deploy', 400).passages\n"
        "ws.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'psycopg')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_add_to_the_team_without_a_team_store_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    result = run("knowledge", "add", "--team", "--title", "Lost", input="text")
    assert result.exit_code == 1
    assert "no team store is configured" in result.output
    assert not (project / ".coda" / "knowledge" / "lost.md").exists()
