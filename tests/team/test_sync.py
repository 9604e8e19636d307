"""Push and pull against a real PostgreSQL: sessions with branches and usage go to the
team store and come back the same on another machine; repeated copies only append."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.config import Settings
from coda_ls.errors import SessionNotFound, TeamStoreError
from coda_ls.sessions import MessageRecord, SessionStore
from coda_ls.team import find_shared, share_store
from coda_ls.team.store import TeamStore
from coda_ls.team.sync import copy_session
from coda_ls.wire import Usage

_COMPARED = (
    "role", "content", "status", "mode", "provider", "model", "input_tokens",
    "output_tokens", "cached_tokens", "cost", "latency_ms", "ttft_ms", "tool_calls",
    "tool_call_id", "finish_reason", "error", "created_at",
)  # fmt: skip


def _same(records: list[MessageRecord]) -> list[tuple[Any, ...]]:
    """A history without its store-specific ids."""
    return [tuple(getattr(r, key) for key in _COMPARED) for r in records]


def _conversation(store: SessionStore) -> tuple[str, str]:
    """A session with usage, a tool call and an answer, and a branch forked in it."""
    main = store.create_session("pricing", project_root="/tmp/shop", vcs_revision="abc123")
    first = store.add_message(main.id, "user", "How are discounts computed?", mode="explain")
    with store.start_reply(main.id, provider="ollama", model="qwen2.5", mode="explain") as reply:
        reply.append("In `pricing.apply_discount`, ")
        reply.append("capped at 30 %.")
        reply.finish(
            usage=Usage(input_tokens=900, output_tokens=40, cached_tokens=300, cost=0.0012),
            finish_reason="stop",
            latency_ms=812.0,
            ttft_ms=95.0,
            tool_calls=[{"id": "c1", "name": "read_file", "arguments": {"path": "pricing.py"}}],
        )
    store.add_message(main.id, "user", "And for wholesale customers?")
    branch = store.fork(main.id, first.id, title="pricing (branch)")
    store.add_message(branch.id, "user", "Could the cap be configurable instead?")
    store.add_message(branch.id, "assistant", "Yes: read it from settings.DISCOUNT_CAP.")
    return main.id, branch.id


def test_push_then_pull_round_trips_a_branch_with_its_parent(tmp_path: Path, team_url: str) -> None:
    here = SessionStore(tmp_path / "here.db")
    main, branch = _conversation(here)
    with TeamStore(team_url) as team:
        pushed = copy_session(here, team, branch[:10])  # a prefix is enough
        assert (pushed.sessions, pushed.added, pushed.updated) == (2, 5, 0)
        assert _same(team.history(branch)) == _same(here.history(branch))
        assert _same(team.history(main)) == _same(here.history(main))
        assert team.get_session(branch).parent_id == main

        there = SessionStore(tmp_path / "there.db")
        pulled = copy_session(team, there, branch[:10])
        assert pulled.added == 5
        assert _same(there.history(branch)) == _same(here.history(branch))
        assert there.get_session(branch).title == "pricing (branch)"
        assert there.get_session(main).vcs_revision == "abc123"
        assert there.tree(main).walk()[1][1].id == branch
        # Search works on what was pulled, like on any local session.
        assert [h.session_id for h in there.search("configurable")] == [branch]

        # Continued on the other machine and pushed: only the new turn travels.
        there.add_message(branch, "user", "Where is DISCOUNT_CAP documented?")
        again = copy_session(there, team, branch)
        assert (again.added, again.updated) == (1, 0)
        back = copy_session(team, here, branch)
        assert (back.added, back.updated) == (1, 0)
        assert _same(here.history(branch)) == _same(there.history(branch))
        # Nothing new: copying is idempotent both ways.
        assert copy_session(here, team, branch).added == 0
        assert copy_session(team, there, branch).added == 0
        there.close()
    here.close()


def test_a_reply_pushed_while_streaming_is_completed_by_the_next_push(
    tmp_path: Path, team_url: str
) -> None:
    store = SessionStore(tmp_path / "s.db")
    session = store.create_session("live")
    store.add_message(session.id, "user", "stream please")
    reply = store.start_reply(session.id, flush_interval=0)
    reply.append("partial")
    with TeamStore(team_url) as team:
        copy_session(store, team, session.id)
        assert team.history(session.id)[-1].status == "streaming"
        reply.append(" and the rest")
        reply.finish(usage=Usage(input_tokens=5, output_tokens=3))
        result = copy_session(store, team, session.id)
        assert (result.added, result.updated) == (0, 1)
        last = team.history(session.id)[-1]
        assert (last.status, last.content, last.output_tokens) == (
            "complete",
            "partial and the rest",
            3,
        )
    store.close()


def test_share_links_resolve_against_the_team_store(tmp_path: Path, team_url: str) -> None:
    """Links published on one machine open on another: the token is looked up in the team
    store (only its SHA-256 is kept there), the session itself need not be pushed."""
    store = SessionStore(tmp_path / "s.db")
    _main, branch = _conversation(store)
    settings = Settings.model_validate({"team": {"database_url": team_url}})
    exported = store.export_json(branch)
    links = share_store(settings)
    assert links is not None
    token = links.publish(branch, exported)
    links.publish(branch, exported)
    assert len(links.links(branch)) == 2
    links.close()
    assert find_shared(token, settings) == exported
    with TeamStore(team_url) as team:
        assert team.lookup(token + "x") is None and team.lookup("") is None
        stored = team._engine.connect().execute(sa.text("SELECT token_sha256 FROM shares")).all()
        assert token not in {row[0] for row in stored}
        assert team.revoke(branch) == 2
    assert find_shared(token, settings) is None
    assert find_shared(token, Settings()) is None  # no team store: nothing to resolve
    store.close()


def test_prompts_and_notes_live_in_the_team_store(team_url: str) -> None:
    with TeamStore(team_url) as team:
        team.put_prompt(
            "changelog",
            "Write a changelog entry for {{change}}.",
            description="A changelog entry",
            mode="chat",
            arguments=["change"],
            author="ana",
        )
        team.put_prompt("changelog", "Write a Keep a Changelog entry for {{change}}.")
        (prompt,) = team.prompts()
        assert prompt["body"].startswith("Write a Keep a Changelog")
        assert prompt["arguments"] == []

        team.put_note("deploy", "Deploy", "# Deploy\n\n## Rollback\n\nRun make rollback.\n")
        team.put_note("deploy", "Deploy", "# Deploy\n\n## Rollback\n\nRun make rollback-v2.\n")
        (passage,) = team.knowledge_passages(["rollbacks", "undo"], 5)
        assert (passage.source, passage.heading) == ("team:deploy", "Deploy > Rollback")
        assert "rollback-v2" in passage.text  # replaced, not duplicated
        assert team.notes() == [("deploy", "Deploy", 1)]


def test_unknown_ids_and_unreachable_servers_are_coda_errors(team_url: str) -> None:
    with TeamStore(team_url) as team, pytest.raises(SessionNotFound):
        team.resolve_id("abcdef")
    dead = "postgresql://coda:s3cret-pw@127.0.0.1:9/nowhere"
    with pytest.raises(TeamStoreError) as caught:
        TeamStore(dead, connect_timeout=2)
    assert "s3cret-pw" not in str(caught.value)
    assert "database_url" in (caught.value.hint or "")
    with pytest.raises(TeamStoreError):
        TeamStore("mysql://x@y/z")


def _cli(config: Path, *args: str, input: str | None = None) -> Any:
    env = {"CODA_CONFIG_FILE": str(config)}
    return CliRunner().invoke(cli, ["--no-color", *args], input=input, env=env)


def test_cli_push_pull_and_team_search(tmp_path: Path, team_url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[team]\ndatabase_url = "{team_url}"\n[sessions]\ndb_path = "{tmp_path / "a.db"}"\n',
        encoding="utf-8",
    )
    with SessionStore(tmp_path / "a.db") as store:
        main, branch = _conversation(store)
    pushed = _cli(config, "sessions", "push", branch[:8])
    assert pushed.exit_code == 0, pushed.output
    assert "5 new message(s)" in pushed.output

    found = _cli(config, "sessions", "search", "--team", "--json", '"cap be configurable"')
    assert found.exit_code == 0, found.output
    assert [hit["session_id"] for hit in json.loads(found.output)] == [branch]
    listed = _cli(config, "sessions", "list", "--team", "--json")
    assert {s["id"] for s in json.loads(listed.output)} == {main, branch}

    # "Another machine": same team store, another local database.
    other = tmp_path / "other.toml"
    other.write_text(
        f'[team]\ndatabase_url = "{team_url}"\n[sessions]\ndb_path = "{tmp_path / "b.db"}"\n',
        encoding="utf-8",
    )
    pulled = _cli(other, "sessions", "pull", branch[:8])
    assert pulled.exit_code == 0, pulled.output
    shown = _cli(other, "sessions", "show", branch[:8])
    assert "DISCOUNT_CAP" in shown.output and "discounts computed" in shown.output


def test_cli_without_a_team_store_says_how_to_configure_one(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[sessions]\ndb_path = "{tmp_path / "a.db"}"\n', encoding="utf-8")
    with SessionStore(tmp_path / "a.db") as store:
        main, _ = _conversation(store)
    result = _cli(config, "sessions", "push", main[:8])
    assert result.exit_code == 1
    assert "no team store is configured" in result.output
    assert "database_url" in result.output
