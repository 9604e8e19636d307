"""The build's fast path for plain reference patterns gives exactly what the general
capture loop gives: the same rows and the same reference counts in the same order (the
ranking's floats depend on that order)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from coda_ls.repomap import tags
from coda_ls.repomap.languages import detect_language
from coda_ls.repomap.tags import extract, extract_rows, reference_patterns

if TYPE_CHECKING:
    from tree_sitter import Node

SAMPLES = Path(__file__).parent / "samples"
FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file())


def test_plain_reference_patterns_of_python() -> None:
    # definitions, the module docstring, then call / superclass / type references
    assert reference_patterns("python") == (None, None, None, None, "call", "type", "type")


def sample(path: Path) -> tuple[bytes, str]:
    """A language sample's bytes and language (skipped when it is not source code)."""
    data = path.read_bytes()
    language = detect_language(path.name, data[:128])
    if language is None:
        pytest.skip("not source code")
    return data, language


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fast_path_matches_general_loop(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, language = sample(path)
    fast_rows = extract_rows(path.name, data, language)
    fast_tags = extract(path.name, data, language, lines=True)
    monkeypatch.setattr(tags, "reference_patterns", lambda language: ())
    slow_rows = extract_rows(path.name, data, language)
    slow_tags = extract(path.name, data, language, lines=True)
    assert fast_rows == slow_rows
    assert list(fast_rows.references.items()) == list(slow_rows.references.items())
    assert fast_tags == slow_tags
    assert fast_tags.reference_lines == slow_tags.reference_lines
    assert list(fast_tags.references.items()) == list(slow_tags.references.items())
    # The build counts names' bytes, the lines path decoded names: same counts, same order.
    assert list(fast_rows.references.items()) == list(fast_tags.references.items())


def test_decoded_counts_merge_bytes_of_one_name_in_first_order() -> None:
    got = tags._decoded_counts([b"b", b" a", b"a", b" ", b"b", "é".encode(), b"\xff"])
    assert list(got.items()) == [("b", 2), ("a", 2), ("é", 1), ("\ufffd", 1)]


def test_fast_path_is_used_for_references() -> None:
    """The fast path runs (a None everywhere would pass the test above by doing nothing)."""
    used = {
        lang for lang in ("python", "rust", "go", "javascript") if any(reference_patterns(lang))
    }
    assert used == {"python", "rust", "go", "javascript"}
    # and the build's query without reference captures, which the equivalence test covers
    assert tags.lean_query("python") is not None


QUOTED = [
    '"""Doc."""', "'''Doc.'''", '"x"', "'", '""', '"""', "''''", '""""', 'r"""raw"""',
    'b"x', 'x"', "@doc \"\"\"Elixir.\"\"\"", '@moduledoc ~S"""Mod."""', 'u"', "plain",
    "", '"a" "b"', '"""\nMulti\nline\n"""', "f'''x''", "R'y'",
]  # fmt: skip


@pytest.mark.parametrize("text", QUOTED)
def test_unquote_is_the_quotes_substitution(text: str) -> None:
    assert tags._unquote(text) == tags._QUOTES.sub("", text)


# -- the cold build's shortcuts (issue 16): each gives what its general path gives -------


def _general(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shortcut off: comments looked for among the children, docs' owners found by
    walking the ancestors."""
    monkeypatch.setattr(tags, "COMMENT_STARTS", {})
    monkeypatch.setattr(tags, "FAST_ENCLOSING", False)


def _everything(path: str, data: bytes, language: str) -> tuple[object, ...]:
    rows = extract_rows(path, data, language)
    full = extract(path, data, language, lines=True)
    return (
        rows,
        list(rows.references.items()),
        full,
        full.reference_lines,
        list(full.references.items()),
    )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_shortcuts_match_general_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, language = sample(path)
    fast = _everything(path.name, data, language)
    _general(monkeypatch)
    assert fast == _everything(path.name, data, language)


TRICKY_PYTHON = b'''"""Module doc."""
import os


class Outer(Base):  # a comment after the class line
    """Outer's doc.

    More.
    """

    def method(self, mark="#", other=1):  # the comment is no signature
        """Method doc."""

        def inner(x):
            # no docstring here
            return x

        return inner

    def spread(
        self,  # one per line
        b,
    ) -> int:
        "Single-quoted doc."
        return b


def top(a) -> None:
    pass


def weird(a="# not a comment"):
    """Doc. Second sentence."""
'''


@pytest.mark.parametrize(
    "language, source",
    [
        ("python", TRICKY_PYTHON),
        ("javascript", b"function f(a /* why */, b) // after\n{ return a }\n"
         b"/** Doc of g. */\nfunction g(x = '/') { return x }\n"),
        ("go", b"package p\n\n// F does.\nfunc F(a int) /* c */ int { return a }\n"),
        ("rust", b"/// Doc.\nfn f(a: i32) // c\n-> i32 { a }\n"),
    ],
)  # fmt: skip
def test_shortcuts_on_comments_inside_signatures(
    language: str, source: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _everything(f"x.{language}", source, language)
    _general(monkeypatch)
    assert fast == _everything(f"x.{language}", source, language)


def test_shortcuts_see_comments_inside_signatures() -> None:
    # the comment after `:` is left out; a `#` inside a default value is not a comment
    rows = extract_rows("x.py", TRICKY_PYTHON, "python").rows
    signatures = {row[1]: row[7] for row in rows}
    assert signatures["Outer"] == "class Outer(Base)"
    assert signatures["method"] == 'def method(self, mark="#", other=1)'
    assert signatures["weird"] == 'def weird(a="# not a comment")'
    docs = {row[1]: row[8] for row in rows}
    assert docs["method"] == "Method doc."
    assert docs["inner"] == ""
    assert docs["weird"] == "Doc."


@pytest.mark.parametrize(
    "names",
    [
        [b"a", b"b", b"a", b"c"],
        [b"x"] * 3,
        [b"a", b"a\0b", b"a"],
        [b"a", b"", b"a"],
        [b"a", b"b\x1f", b"b"],
        [b"\xc3\xa9", b"e", b"\xc3\xa9"],
    ],
)
def test_decoded_counts_are_the_decoded_names_counts(names: list[bytes]) -> None:
    expected: dict[str, int] = {}
    for raw in names:  # what counting the decoded, stripped names gives
        name = raw.decode("utf-8", "replace").strip()
        if name:
            expected[name] = expected.get(name, 0) + 1
    got = tags._decoded_counts(names)
    assert list(got.items()) == list(expected.items())


INNER_DOCS = [
    # a `//!` after an item: the walk from the last definition up to its module
    ("rust", b"mod m {\n    fn a() {}\n    //! Doc of m, after a.\n    fn b() {}\n}\n"),
    ("rust", b"//! Crate doc.\nfn a() {}\nmod m {\n    //! Doc of m.\n    fn c() {}\n}\n"),
    ("elixir", b'defmodule M do\n  def a, do: 1\n  @moduledoc "Doc of M."\nend\n'),
]


@pytest.mark.parametrize("language, source", INNER_DOCS)
def test_enclosing_from_spans_is_the_ancestor_walk(
    language: str, source: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _everything(f"x.{language}", source, language)
    assert any("Doc of" in row[8] for row in fast[0].rows)  # type: ignore[attr-defined]
    _general(monkeypatch)
    assert fast == _everything(f"x.{language}", source, language)


class _Span:
    """A node as `_DocTargets.enclosing` and `_enclosing` read it."""

    def __init__(self, start: int, end: int, parent: _Span | None = None) -> None:
        self.start_byte, self.end_byte, self.parent = start, end, parent


def test_enclosing_leaves_a_definition_spanning_the_doc_to_the_walk() -> None:
    # The doc node is itself a definition's node; the walk starts at its parent, which
    # only the outer definition spans: the outer one owns the doc.
    root = _Span(0, 30)
    doc = _Span(10, 20, parent=root)
    outer = tags._Def("module", cast("Node", root), "outer", None, 0, 30)
    same = tags._Def("function", cast("Node", doc), "same", None, 10, 20)
    ordered = [outer, same]
    tags._nest(ordered)
    spans = {(d.start, d.end): d for d in ordered}
    finder = tags._DocTargets(ordered)
    assert tags._enclosing(spans, cast("Node", doc)) is outer
    assert finder.enclosing(cast("Node", doc)) is outer
    # and an empty doc node is left to the walk too: at the end of `same`, it is no
    # node of it
    empty = _Span(20, 20, parent=root)
    assert finder.enclosing(cast("Node", empty)) is outer


def _summarize_reference(raw: str) -> str:
    """summarize as it was: all three substitutions on every line."""
    text = tags._unquote(raw.strip())
    lines: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#!"):
            continue
        if line.endswith(tags._CLOSERS):
            line = line[:-2]
        line = tags._MARKERS.sub("", line).strip()
        line = tags._LEAD_TAG.sub("", tags._ELISP_HEADER.sub("", line))
        if line.startswith("@") and lines:
            break
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    summary = tags._TAGS.sub("", " ".join(lines)).strip()
    summary = tags._SENTENCE.split(summary, maxsplit=1)[0]
    return summary if len(summary) <= tags._DOC_MAX else summary[: tags._DOC_MAX - 1] + "…"


DOCS = [
    "/** Area of the shape. */", "/**\n * Area.\n * @return it\n */", "// a\n// b\n\n// c",
    "# one\n#two", ";;; foo.el --- Summary here  -*- lexical-binding: t -*-", "-- | Haskell.",
    "--[[ Lua block ]]", "%{ MATLAB %}", "!! props", "(** OCaml. *)", "{-| Elm. -}",
    "/++ D. +/", "//// Gleam.", "#' R doc", "@brief Brief. More.", "\\brief Doxygen.",
    "text */", "end -}   ", "code +/", "x *)", "plain line", "", "   ", "<b>Bold</b> text. Next.",
    '"""Summary.\n\n    Body.\n    """', "'''x'''", "*Emphasis* not a marker?", "** two stars",
    "]] closes", "' quote", "!important", "{ brace", "( paren", "a.el   --- not a header",
    "foo.el --- Header", "-*- mode: x -*- Title", "@param x first", "Line\n@param x",
    "first */\nsecond", "one -}\ntwo",
]  # fmt: skip


def _sample_docs() -> list[str]:
    seen: list[str] = []
    real = tags.summarize

    def spy(raw: str) -> str:
        seen.append(raw)
        return real(raw)

    tags.summarize = spy
    try:
        for path in FILES:
            data = path.read_bytes()
            language = detect_language(path.name, data[:128])
            if language is not None:
                extract_rows(path.name, data, language)
    finally:
        tags.summarize = real
    return seen


def test_summarize_substitutes_only_where_it_can_match() -> None:
    docs = DOCS + _sample_docs()
    assert len(docs) > len(DOCS) + 30  # the samples' docs were seen
    for raw in docs:
        assert tags.summarize(raw) == _summarize_reference(raw), raw
