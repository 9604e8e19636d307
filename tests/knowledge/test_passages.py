from __future__ import annotations

from coda_ls.knowledge.passages import MAX_CHARS, split_note
from coda_ls.knowledge.query import fts_query, question_terms


def test_sections_carry_their_heading_path() -> None:
    note = "intro line\n\n# Deploy\n\ntext a\n\n## Rollback\n\nb1\n\nb2\n\n# Other\n\nc\n"
    chunks = split_note(note, "deploy")
    assert [(c.heading, c.text) for c in chunks] == [
        ("deploy", "intro line"),
        ("Deploy", "text a"),
        ("Deploy > Rollback", "b1\n\nb2"),
        ("Other", "c"),
    ]


def test_code_fences_are_never_split_and_hashes_in_them_are_not_headings() -> None:
    note = "# Setup\n\n```sh\n# install\n\npip install coda\n```\n"
    (chunk,) = split_note(note)
    assert chunk.heading == "Setup"
    assert "# install\n\npip install coda" in chunk.text


def test_long_sections_become_bounded_passages() -> None:
    paragraphs = "\n\n".join(f"paragraph {i} " + "word " * 60 for i in range(40))
    chunks = split_note(f"# Big\n\n{paragraphs}\n" + "x" * (3 * MAX_CHARS))
    assert len(chunks) > 5
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(c.heading == "Big" for c in chunks)


def test_front_matter_and_origin_comments_are_left_out() -> None:
    note = "---\ntags: [x]\n---\n<!-- coda: from session ab12cd34 -->\n# T\n\nbody\n"
    assert [(c.heading, c.text) for c in split_note(note)] == [("T", "body")]


def test_question_terms_drop_stop_words_and_repeat() -> None:
    terms = question_terms("How do we roll back a failed deploy? Roll it BACK!")
    assert terms == ["roll", "back", "failed", "deploy"]
    assert fts_query("how do we?") is None
    assert fts_query('what is "quoted" OR NOT') == '"quoted"'
