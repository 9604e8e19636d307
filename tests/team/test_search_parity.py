"""Session search on the team store (PostgreSQL full-text search) answers like the local
SQLite FTS5 search: the same fixture in both, the same queries, the same messages found."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coda_ls.sessions import MARK_END, MARK_START, SearchHit, SessionStore
from coda_ls.team.store import TeamStore
from coda_ls.team.sync import copy_session
from tests.support.postgres import PostgresServer
from tests.team.conftest import new_database

FIXTURE = {
    "linting": [
        ("user", "how do I configure the linter?"),
        ("assistant", "Edit pyproject.toml and add a ruff section."),
    ],
    "ci": [
        ("user", "the tests are failing on CI"),
        ("assistant", "the build passes locally but the runner has an old Python"),
        ("user", "Use the quantum flux capacitor plugin instead."),
    ],
    "deploy": [
        ("user", "How do we roll back a failed deploy of the payments service?"),
        ("assistant", "Run the rollback job; it restores the previous release and its migrations."),
        ("user", "What about the capacitor flux in staging?"),
        ("assistant", 'foo" said a:b (really) NOT AND OR'),
        ("user", "Caching: the cache warms up after each deployment"),
    ],
    # Every combination, so operator precedence shows in what is found.
    "letters": [
        ("user", "alpha"),
        ("user", "beta"),
        ("user", "gamma"),
        ("user", "alpha beta"),
        ("user", "alpha gamma"),
        ("user", "beta gamma"),
        ("user", "alpha beta gamma"),
    ],
}

QUERIES = [
    "linter",
    "fail",  # stemming: failing
    "failing tests",  # implicit AND
    "tests OR build",
    "pass*",  # prefix
    "migrat*",
    '"flux capacitor"',  # phrase
    '"capacitor flux"',  # the other order is another phrase
    "capacitor NOT staging",
    "rollback OR linter NOT ruff",
    "the",  # no stop words dropped on either side
    "cache",  # caching, cache
    "a:b",  # malformed for FTS5: its words
    'foo"',
    '"unbalanced',
    "(",
    "NOT",
    "AND OR",
    "bar (",
    "*",
    "python AND (runner OR release)",
    "payments service rollback",
    # FTS5 precedence: juxtaposition > NOT > AND > OR, left to right.
    "alpha NOT beta gamma",
    "alpha NOT beta AND gamma",
    "alpha OR beta NOT gamma",
    "gamma AND alpha OR beta",
    "alpha NOT beta NOT gamma",
    "alpha OR beta gamma",
    "(alpha OR beta) AND gamma",
    "alpha AND (beta OR gamma) NOT beta",
    "nothing-matches-this",
]


@pytest.fixture(scope="module")
def stores(
    tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer
) -> Iterator[tuple[SessionStore, TeamStore]]:
    """The fixture in both stores, once for the module (read-only below)."""
    local = SessionStore(tmp_path_factory.mktemp("parity") / "sessions.db")
    team = TeamStore(new_database(postgres))
    for title, turns in FIXTURE.items():
        session = local.create_session(title)
        for role, text in turns:
            local.add_message(session.id, role, text)
        copy_session(local, team, session.id)
    yield local, team
    team.close()
    local.close()


def _contents(hits: list[SearchHit], store: SessionStore | TeamStore) -> set[str]:
    return {
        next(m.content for m in store.history(hit.session_id) if m.id == hit.message_id)
        for hit in hits
    }


@pytest.mark.parametrize("query", QUERIES)
def test_both_stores_find_the_same_messages(
    stores: tuple[SessionStore, TeamStore], query: str
) -> None:
    local, team = stores
    local_hits = local.search(query, limit=50)
    team_hits = team.search(query, limit=50)
    assert _contents(team_hits, team) == _contents(local_hits, local)
    assert {h.session_id for h in team_hits} == {h.session_id for h in local_hits}


def test_the_fixture_is_not_trivial(stores: tuple[SessionStore, TeamStore]) -> None:
    """Guard against a parity test that passes because both sides find nothing."""
    local, _ = stores
    counts = {query: len(local.search(query, limit=50)) for query in QUERIES}
    assert counts["tests OR build"] == 2
    assert counts['"flux capacitor"'] == 1 and counts['"capacitor flux"'] == 1
    assert counts["capacitor NOT staging"] == 1
    assert counts["the"] >= 5
    assert sum(1 for n in counts.values() if n) >= 15


def test_team_hits_carry_marked_snippets_and_session_titles(
    stores: tuple[SessionStore, TeamStore],
) -> None:
    _, team = stores
    (hit,) = team.search('"flux capacitor"')
    assert hit.session_title == "ci" and hit.role == "user"
    assert f"{MARK_START}flux{MARK_END}" in hit.snippet
    assert "capacitor" in hit.marked()
