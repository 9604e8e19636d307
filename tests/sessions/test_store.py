from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls import paths
from coda_ls.config import load_settings
from coda_ls.sessions import SessionNotFound, SessionStore


def _contents(store: SessionStore, session_id: str) -> list[str]:
    return [message.content for message in store.history(session_id)]


def test_default_path_is_in_the_xdg_data_dir() -> None:
    store = SessionStore()
    assert store.path == paths.data_dir() / "sessions.db"
    assert store.path.is_file()
    mode = store._db.conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_settings_db_path_overrides(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "s.db"
    loaded = load_settings(overrides={"sessions.db_path": str(target)})
    with SessionStore.from_settings(loaded.settings) as store:
        store.create_session("x")
    assert target.is_file()


def test_history_grows_in_order_and_names_the_session(store: SessionStore) -> None:
    session = store.create_session(project_root=".", vcs_revision="abc123")
    assert session.title is None
    for index in range(5):
        store.add_message(session.id, "user", f"question {index}\nmore text")
        store.add_message(session.id, "assistant", f"answer {index}", model="m")
    history = store.history(session.id)
    assert [m.content for m in history[:2]] == ["question 0\nmore text", "answer 0"]
    assert len(history) == 10
    assert [m.id for m in history] == sorted(m.id for m in history)
    reloaded = store.get_session(session.id)
    assert reloaded.title == "question 0"
    assert reloaded.message_count == 10
    assert reloaded.project_root == str(Path(".").resolve())
    assert reloaded.updated_at >= reloaded.created_at


def test_branches_share_the_prefix_and_continue_independently(store: SessionStore) -> None:
    main = store.create_session("main")
    ids = [store.add_message(main.id, "user", f"m{i}").id for i in range(4)]
    branch = store.fork(main.id, ids[1], title="alt")
    store.add_message(branch.id, "user", "b1")
    store.add_message(main.id, "user", "m4")  # the original continues too
    assert _contents(store, main.id) == ["m0", "m1", "m2", "m3", "m4"]
    assert _contents(store, branch.id) == ["m0", "m1", "b1"]
    # A branch of a branch, forked inside the inherited part of the history.
    deeper = store.fork(branch.id, ids[0])
    store.add_message(deeper.id, "user", "d1")
    assert _contents(store, deeper.id) == ["m0", "d1"]
    # Forking at the branch's own message keeps the whole chain.
    tail = store.fork(branch.id)
    store.add_message(tail.id, "user", "t1")
    assert _contents(store, tail.id) == ["m0", "m1", "b1", "t1"]
    # No rows were copied: 5 + 1 + 1 + 1 messages.
    assert store._db.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 8

    tree = store.tree(deeper.id)
    assert tree.session.id == main.id
    walked = [(depth, node.id) for depth, node in tree.walk()]
    assert walked[0] == (0, main.id)
    assert (1, branch.id) in walked and (2, deeper.id) in walked and (2, tail.id) in walked


def test_fork_rejects_a_message_outside_the_history(store: SessionStore) -> None:
    one, other = store.create_session(), store.create_session()
    store.add_message(one.id, "user", "a")
    foreign = store.add_message(other.id, "user", "b")
    with pytest.raises(SessionNotFound, match="not in session"):
        store.fork(one.id, foreign.id)
    with pytest.raises(Exception, match="empty session"):
        store.fork(store.create_session().id)


def test_id_prefixes_resolve_like_git(store: SessionStore) -> None:
    session = store.create_session("x")
    assert store.get_session(session.id[:6]).id == session.id
    assert store.get_session(session.id.upper()).id == session.id
    with pytest.raises(SessionNotFound):
        store.get_session("zzz")
    with pytest.raises(SessionNotFound):
        store.get_session("%")
    ids = [store.create_session().id for _ in range(40)]  # 40 > 16: first digits repeat
    shared = next(
        digit for digit in "0123456789abcdef" if sum(i.startswith(digit) for i in ids) > 1
    )
    with pytest.raises(SessionNotFound, match="ambiguous"):
        store.get_session(shared)


def test_list_filters_by_project_and_sorts_by_activity(store: SessionStore, tmp_path: Path) -> None:
    first = store.create_session("first", project_root=tmp_path)
    second = store.create_session("second", project_root=tmp_path / "other")
    store.add_message(first.id, "user", "newer activity")
    assert [s.id for s in store.list_sessions()] == [first.id, second.id]
    assert [s.id for s in store.list_sessions(project_root=tmp_path)] == [first.id]
    assert len(store.list_sessions(limit=1)) == 1


def test_rename_and_delete_with_branches(store: SessionStore) -> None:
    main = store.create_session("main")
    message = store.add_message(main.id, "user", "hello")
    branch = store.fork(main.id, message.id)
    store.add_message(branch.id, "user", "branch text")
    keep = store.create_session("keep")
    store.add_message(keep.id, "user", "kept")
    assert store.rename(main.id, "renamed").title == "renamed"
    assert store.delete_session(main.id) == 2
    assert [s.id for s in store.list_sessions()] == [keep.id]
    assert store.search("branch") == []
    assert store._db.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 1


def test_prune_keeps_trees_with_recent_activity(store: SessionStore) -> None:
    old = 1_000_000.0  # 1970: long ago
    stale = store.create_session("stale", created_at=old)
    store.add_message(stale.id, "user", "old", created_at=old)
    parent = store.create_session("old parent", created_at=old)
    message = store.add_message(parent.id, "user", "old", created_at=old)
    branch = store.fork(parent.id, message.id)  # active now
    fresh = store.create_session("fresh")
    assert store.prune(30, dry_run=True) == 1
    assert store.prune(30) == 1
    remaining = {s.id for s in store.list_sessions()}
    assert remaining == {parent.id, branch.id, fresh.id}
    assert store.prune(30) == 0


def test_api_keys_are_stored_only_as_typed(store: SessionStore) -> None:
    """There is no column for credentials: a key shows up only where the user typed it."""
    fake = "sk-test-0123456789abcdefghij"
    session = store.create_session()
    store.add_message(session.id, "user", f"why does {fake} not work?")
    with pytest.raises(TypeError):
        store.add_message(session.id, "user", "x", api_key=fake)  # type: ignore[call-arg]
    columns = {row[1] for row in store._db.conn.execute("PRAGMA table_info(messages)")}
    columns |= {row[1] for row in store._db.conn.execute("PRAGMA table_info(sessions)")}
    assert not {c for c in columns if "key" in c or "secret" in c or c == "token"}
    hits = store._db.conn.execute(
        "SELECT count(*) FROM messages WHERE instr(content, ?) > 0", (fake,)
    ).fetchone()[0]
    assert hits == 1


def test_add_message_validates_role(store: SessionStore) -> None:
    session = store.create_session()
    with pytest.raises(Exception, match="unknown message role"):
        store.add_message(session.id, "robot", "x")


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SessionStore(path).close()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(Exception, match="newer than this Coda"):
        SessionStore(path)


def test_a_non_database_file_gives_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_text("not sqlite at all" * 100)
    with pytest.raises(Exception, match="not a usable session database"):
        SessionStore(path)
