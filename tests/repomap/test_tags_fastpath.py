"""The build's fast path for plain reference patterns gives exactly what the general
capture loop gives: the same rows and the same reference counts in the same order (the
ranking's floats depend on that order)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.repomap import tags
from coda_ls.repomap.languages import detect_language
from coda_ls.repomap.tags import extract, extract_rows, reference_patterns

SAMPLES = Path(__file__).parent / "samples"
FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file())


def test_plain_reference_patterns_of_python() -> None:
    # definitions, the module docstring, then call / superclass / type references
    assert reference_patterns("python") == (None, None, None, None, "call", "type", "type")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fast_path_matches_general_loop(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    language = detect_language(path.name, data[:128])
    if language is None:
        pytest.skip("not source code")
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
