"""Redaction rules on their own: path prefixes end at a segment boundary, the longest
prefix wins, secrets are caught by assignment and by shape."""

from __future__ import annotations

import pytest

from coda_ls.share import Redactor, shareable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("open /home/ann/work/proj/src/a.py", "open src/a.py"),
        ("cd /home/ann/work/proj", "cd ."),
        ("/home/ann/work/project2/x", "~/work/project2/x"),  # a sibling is not the root
        ("/home/ann/.ssh/id_rsa", "~/.ssh/id_rsa"),
        ("/home/anna/file", "/home/anna/file"),  # another user's home is left alone
        ("/tmp/build/out.log", "$TMPDIR/build/out.log"),
        ("token: abcdef123456", "token: ********"),
        ("export GITHUB_PAT=ghp_" + "x1" * 18, "export GITHUB_PAT=[redacted GitHub token]"),
        ("url postgres://app:s3cret@db:5432/x", "url [redacted URL with a password]db:5432/x"),
    ],
)
def test_rules(text: str, expected: str) -> None:
    redactor = Redactor(root="/home/ann/work/proj", home="/home/ann", temp="/tmp")
    assert redactor.text(text) == expected


def test_shareable_drops_the_absolute_root_but_keeps_the_rest() -> None:
    export = {
        "format": "coda.session",
        "session": {"title": "see /srv/p/a.py", "project_root": "/srv/p", "id": "abc"},
        "messages": [
            {"role": "user", "content": "x", "tool_calls": [{"arguments": {"f": "/srv/p/b"}}]}
        ],
    }
    data = shareable(export, home="/home/nobody")
    assert data["session"] == {
        "title": "see a.py",
        "project_root": None,
        "id": "abc",
        "project": "p",
    }
    assert data["messages"][0]["tool_calls"][0]["arguments"] == {"f": "b"}
    assert export["session"]["project_root"] == "/srv/p", "the original is not changed"


def test_hostile_text_stays_text_and_the_embedded_json_round_trips() -> None:
    import json

    from coda_ls.share import read_shared, render_page

    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
    data = {
        "format": "coda.session",
        "session": {"title": evil},
        "messages": [
            {"role": "user", "content": evil, "created_at": "2026-01-01T00:00:00+00:00"},
            {
                "role": "assistant",
                "content": "ok",
                "tool_calls": [{"id": "1", "name": "x' onclick='y", "arguments": {"a": evil}}],
            },
        ],
    }
    page = render_page(data)
    assert "<script>alert" not in page and "<img" not in page
    assert 'href="javascript' not in page, "the link stays text"
    assert page.count("<script") == 1  # the JSON data block, which never runs
    assert json.loads(read_shared(page)) == data
