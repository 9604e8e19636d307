from __future__ import annotations

import pytest

from coda_ls.sessions import MARK_END, MARK_START, SessionStore


def test_search_finds_a_phrase_in_a_forked_branch(store: SessionStore) -> None:
    main = store.create_session("main")
    first = store.add_message(main.id, "user", "how do I configure the linter?")
    store.add_message(main.id, "assistant", "Edit pyproject.toml and add a ruff section.")
    branch = store.fork(main.id, first.id, title="branch")
    store.add_message(branch.id, "assistant", "Use the quantum flux capacitor plugin instead.")

    hits = store.search('"flux capacitor"')
    assert len(hits) == 1
    hit = hits[0]
    assert hit.session_id == branch.id and hit.session_title == "branch"
    assert f"{MARK_START}flux capacitor{MARK_END}" in hit.snippet
    assert ("flux capacitor", True) in hit.parts()
    assert "**flux capacitor**" in hit.marked()
    # The phrase must match as a phrase, not as loose words.
    assert store.search('"capacitor flux"') == []
    # A shared message is found once, in the session that wrote it.
    shared = store.search("linter")
    assert [(h.session_id, h.message_id) for h in shared] == [(main.id, first.id)]


def test_stemming_and_boolean_queries(store: SessionStore) -> None:
    session = store.create_session()
    store.add_message(session.id, "user", "the tests are failing on CI")
    store.add_message(session.id, "user", "the build passes locally")
    assert len(store.search("fail")) == 1  # porter: failing -> fail
    assert len(store.search("tests OR build")) == 2
    assert len(store.search("pass*")) == 1


@pytest.mark.parametrize(
    "query", ['foo"', '"unbalanced', "a:b", "(", "NOT", "AND OR", "foo)", "*", '""', "   "]
)
def test_malformed_queries_never_raise(store: SessionStore, query: str) -> None:
    session = store.create_session()
    store.add_message(session.id, "user", 'foo" said a:b (really) NOT AND OR')
    hits = store.search(query)
    assert isinstance(hits, list)


def test_malformed_query_falls_back_to_its_words(store: SessionStore) -> None:
    session = store.create_session()
    store.add_message(session.id, "user", "the foo bar example")
    assert [h.session_id for h in store.search('foo"')] == [session.id]
    assert [h.session_id for h in store.search("bar (")] == [session.id]


def test_streamed_text_is_searchable_while_streaming(store: SessionStore) -> None:
    session = store.create_session()
    reply = store.start_reply(session.id, flush_interval=0)
    reply.append("partial zebra")
    assert len(store.search("zebra")) == 1
    reply.interrupt("stopped")
    assert len(store.search("zebra")) == 1


def test_limit(store: SessionStore) -> None:
    session = store.create_session()
    for index in range(30):
        store.add_message(session.id, "user", f"common word {index}")
    assert len(store.search("common", limit=5)) == 5
    assert store.search("common", limit=0) == []


def test_best_match_first_and_common_words_beyond_the_window(store: SessionStore) -> None:
    from coda_ls.sessions.search import WINDOW

    session = store.create_session()
    store._db.conn.executemany(
        "INSERT INTO messages (session_id, role, content, created_at, updated_at) "
        "VALUES (?, 'user', ?, 0, 0)",
        [(session.id, f"filler common text number {i}") for i in range(WINDOW + 50)],
    )
    store._db.conn.commit()
    best = store.add_message(session.id, "user", "rare rare rare word")
    store.add_message(session.id, "user", "a long message that mentions rare once " + "x " * 50)
    assert store.search("rare")[0].message_id == best.id
    hits = store.search("common", limit=30)
    assert len(hits) == 30 and all("common" in hit.marked() for hit in hits)
