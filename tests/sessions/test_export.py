from __future__ import annotations

import json

import pytest

from coda_ls.errors import CodaError
from coda_ls.sessions import SessionStore
from coda_ls.wire import Usage


def _populate(store: SessionStore) -> tuple[str, str]:
    main = store.create_session("Parser work", project_root="/tmp", vcs_revision="deadbeef")
    first = store.add_message(main.id, "user", "Why does `parse()` fail?")
    store.add_message(
        main.id,
        "assistant",
        "Because:\n```python\nparse(None)\n```",
        provider="ollama",
        model="qwen",
        usage=Usage(input_tokens=12, output_tokens=7),
        tool_calls=[{"id": "1", "name": "read", "arguments": {"path": "p.py"}}],
    )
    branch = store.fork(main.id, first.id, title="other idea")
    store.add_message(
        branch.id, "assistant", "Try the streaming parser.", status="interrupted", error="stopped"
    )
    return main.id, branch.id


def test_markdown_export(store: SessionStore) -> None:
    main, branch = _populate(store)
    text = store.export_markdown(main)
    assert text.startswith("# Parser work\n")
    assert "## User" in text and "## Assistant" in text and "ollama/qwen" in text
    assert "````\nBecause:\n```python" in text  # fenced so inner fences survive
    assert '"name": "read"' in text
    branch_text = store.export_markdown(branch)
    assert "Branch of" in branch_text and "**interrupted**" in branch_text
    assert "Why does `parse()` fail?" in branch_text and "Because" not in branch_text


def test_json_round_trip_of_a_branch(store: SessionStore) -> None:
    _, branch = _populate(store)
    data = store.export_json(branch)
    assert data["format"] == "coda.session" and data["version"] == 1
    text = json.dumps(data)
    imported = store.import_json(text)
    assert imported.id != branch and imported.parent_id is None
    assert imported.title == "other idea" and imported.vcs_revision == "deadbeef"
    before = store.history(branch)
    after = store.history(imported.id)
    assert [(m.role, m.content, m.status, m.error) for m in after] == [
        (m.role, m.content, m.status, m.error) for m in before
    ]
    assert abs(after[0].created_at - before[0].created_at) < 1e-3
    assert imported.message_count == 2


def test_json_keeps_accounting_and_tool_calls(store: SessionStore) -> None:
    main, _ = _populate(store)
    imported = store.import_json(store.export_json(main))
    reply = store.history(imported.id)[1]
    assert (reply.input_tokens, reply.output_tokens, reply.model) == (12, 7, "qwen")
    assert reply.tool_calls[0]["name"] == "read"


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        ("{not json", "not JSON"),
        ('{"format": "other"}', "not a Coda session export"),
        (
            '{"format": "coda.session", "version": 1, "session": '
            '{"created_at": "2024-01-01T00:00:00", "updated_at": "2024-01-01T00:00:00"}, '
            '"messages": [{"role": "robot",'
            ' "created_at": "2024-01-01T00:00:00"}]}',
            "messages.0.role",
        ),
    ],
)
def test_bad_imports_raise_coda_errors(store: SessionStore, payload: str, match: str) -> None:
    with pytest.raises(CodaError, match=match):
        store.import_json(payload)
    assert store.list_sessions() == []
