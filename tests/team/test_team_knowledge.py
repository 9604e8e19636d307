"""With a team store configured, knowledge comes from it too: team notes' passages reach
the scripted model next to the project's, `coda knowledge` lists and searches them, and
`auto_push` puts each answered session in the team store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.config import load_settings
from coda_ls.knowledge.base import HEADER
from coda_ls.team.store import TeamStore
from coda_ls.workspace import AskRequest, Workspace
from tests.support.model_server import Reply, ScriptedModelServer

ONCALL = """# On-call

## Paging

Page the payments on-call through PagerDuty service PAY-7; after 15 minutes escalate
to the platform lead.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    notes = root / ".coda" / "knowledge"
    notes.mkdir(parents=True)
    (notes / "deploy.md").write_text(
        "# Deploy\n\n## Rollback\n\nRun `make rollback ENV=prod` to roll back payments.\n",
        encoding="utf-8",
    )
    return root


def _workspace(
    root: Path, server: ScriptedModelServer, team_url: str, **extra: object
) -> Workspace:
    overrides = {
        "provider": "ollama",
        "providers.ollama.host": server.url,
        "team.database_url": team_url,
        **extra,
    }
    return Workspace(root, load_settings(cwd=root, overrides=overrides))


async def test_team_notes_reach_the_model_beside_local_ones(
    project: Path, model_server: ScriptedModelServer, team_url: str
) -> None:
    with TeamStore(team_url) as team:
        team.put_note("oncall", "On-call", ONCALL)
    model_server.script(Reply(text="Roll back, then page PAY-7."))
    workspace = _workspace(project, model_server, team_url)
    answer = await workspace.ask(
        AskRequest(question="payments deploy failed: roll back and page whom?", use_tools=False)
    )
    system = model_server.chat_requests()[-1].body["messages"][0]["content"]
    block = system.split(HEADER, 1)[1]
    assert "make rollback ENV=prod" in block and "PAY-7" in block
    assert "team:oncall § On-call > Paging" in answer.knowledge
    assert ".coda/knowledge/deploy.md § Deploy > Rollback" in answer.knowledge
    await workspace.aclose()


async def test_an_unreachable_team_store_leaves_local_notes_working(
    project: Path, model_server: ScriptedModelServer
) -> None:
    dead = "postgresql://coda@127.0.0.1:9/nowhere"
    workspace = _workspace(project, model_server, dead)
    answer = await workspace.ask(AskRequest(question="how to roll back?", use_tools=False))
    assert answer.knowledge == [".coda/knowledge/deploy.md § Deploy > Rollback"]
    await workspace.aclose()


async def test_auto_push_puts_each_answered_session_in_the_team_store(
    project: Path, model_server: ScriptedModelServer, team_url: str
) -> None:
    model_server.script(Reply(text="first"), Reply(text="second"))
    workspace = _workspace(project, model_server, team_url, **{"team.auto_push": True})
    first = await workspace.ask(AskRequest(question="one", use_tools=False))
    await workspace.ask(AskRequest(question="two", session_id=first.session_id, use_tools=False))
    with TeamStore(team_url) as team:
        assert [m.content for m in team.history(first.session_id or "")] == [
            "one", "first", "two", "second",
        ]  # fmt: skip
    await workspace.aclose()


def test_cli_lists_searches_adds_and_pushes_team_notes(
    project: Path, team_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[team]\ndatabase_url = "{team_url}"\n', encoding="utf-8")
    monkeypatch.chdir(project)

    def run(*args: str, input: str | None = None) -> object:
        result = CliRunner().invoke(
            cli, ["--no-color", "knowledge", *args], input=input,
            env={"CODA_CONFIG_FILE": str(config)},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return result.output

    run("add", "--team", "--title", "On-call", input=ONCALL)
    assert (project / ".coda" / "knowledge" / "on-call.md").exists()
    pushed = run("push")
    assert "pushed 2 note(s)" in str(pushed)
    listed = {row["note"] for row in json.loads(str(run("list", "--json")))}
    assert {"team:on-call", "team:deploy", ".coda/knowledge/deploy.md"} <= listed
    found = json.loads(str(run("search", "who", "to", "page", "--json")))
    # The note is both local and in the team store: its passage comes once.
    assert [hit["source"] for hit in found if "PAY-7" in hit["text"]] == [
        ".coda/knowledge/on-call.md"
    ]
    (project / ".coda" / "knowledge" / "on-call.md").unlink()
    found = json.loads(str(run("search", "who", "to", "page", "--json")))
    assert [hit["source"] for hit in found if "PAY-7" in hit["text"]] == ["team:on-call"]


async def test_doctor_checks_the_team_store_only_when_configured(
    tmp_path: Path, team_url: str
) -> None:
    from coda_ls.doctor import run_checks

    checks = await run_checks(tmp_path, {"team.database_url": team_url})
    (team,) = [c for c in checks if c.area == "team"]
    assert team.ok is True and "PostgreSQL 15" in team.detail and "0 sessions" in team.detail
    checks = await run_checks(tmp_path, {"team.database_url": "postgresql://u:pw@127.0.0.1:9/x"})
    (team,) = [c for c in checks if c.area == "team"]
    assert team.ok is False and "database_url" in team.fix and ":pw@" not in team.detail
    assert not [c for c in await run_checks(tmp_path) if c.area == "team"]
