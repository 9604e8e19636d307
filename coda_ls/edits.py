"""The one search/replace engine: tool edits (`edit_file`) and model refactors use it.

Each search text must occur exactly once (or be marked `replace_all`); otherwise the
whole change fails with an `EditError` that says where to look, and nothing is applied.
`tolerant=True` also accepts a search text whose lines differ from the file's only in
trailing whitespace (models drift there when they copy a selection back); tools run
exact, because their caller can read the file again and retry.

Which of a model's edits belong to a file is decided once too (`edits_for`): the server,
the one-shot CLI and the shell apply a refactor by the same rule.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from coda_ls.errors import EditError


@dataclass(frozen=True)
class Replacement:
    """Replace `search` by `replace` (every occurrence when `replace_all`)."""

    search: str
    replace: str
    replace_all: bool = False


def apply_replacements(
    text: str,
    edits: Sequence[Replacement],
    *,
    shown: str = "the file",
    tolerant: bool = False,
) -> str:
    """`text` with every edit applied in order; all or nothing (raises EditError).

    A file with CRLF line ends is edited as LF and written back as CRLF: models send "\\n"
    and would otherwise never match a Windows file.
    """
    if "\r\n" in text and not any("\r" in e.search for e in edits):
        lf = [Replacement(e.search, e.replace.replace("\r\n", "\n"), e.replace_all) for e in edits]
        return _apply(text.replace("\r\n", "\n"), lf, shown, tolerant).replace("\n", "\r\n")
    return _apply(text, edits, shown, tolerant)


def _apply(text: str, edits: Sequence[Replacement], shown: str, tolerant: bool) -> str:
    if not edits:
        raise EditError("no edits given", "pass at least one {search, replace} block")
    for number, edit in enumerate(edits, start=1):
        label = f"edit {number}" if len(edits) > 1 else "the edit"
        if not edit.search:
            raise EditError(
                f"{label}: the search text is empty",
                "to create or overwrite a file use write_file",
            )
        count = text.count(edit.search)
        if count > 1 and edit.replace_all:
            text = text.replace(edit.search, edit.replace)
            continue
        if count > 1:
            lines = _lines_of(text, edit.search)
            raise EditError(
                f"{label}: search text is ambiguous, it occurs {count} times in {shown} "
                f"(at lines {', '.join(map(str, lines[:10]))})",
                "include more surrounding lines to make it unique, or set replace_all",
            )
        if count == 1:
            start, end = _exact_span(text, edit.search)
        elif tolerant and (span := _loose_span(text, edit.search)) is not None:
            start, end = span
        else:
            raise EditError(
                f"{label}: search text not found in {shown}{_nearest(text, edit.search)}",
                "copy the search text exactly from the current file (without line numbers)",
            )
        text = text[:start] + edit.replace + text[end:]
    return text


def _exact_span(text: str, search: str) -> tuple[int, int]:
    start = text.index(search)
    return start, start + len(search)


def _loose_span(text: str, search: str) -> tuple[int, int] | None:
    """The span of the one place whose lines equal `search`'s modulo trailing spaces."""
    wanted = [line.rstrip() for line in search.splitlines()]
    if not any(wanted):
        return None
    lines = text.splitlines(keepends=True)
    stripped = [line.rstrip() for line in lines]
    hits = [
        i for i in range(len(lines) - len(wanted) + 1) if stripped[i : i + len(wanted)] == wanted
    ]
    if len(hits) != 1:
        return None
    start = sum(len(line) for line in lines[: hits[0]])
    span = "".join(lines[hits[0] : hits[0] + len(wanted)])
    if not search.endswith("\n"):
        span = span.rstrip("\r\n")
    return start, start + len(span)


def _lines_of(text: str, needle: str) -> list[int]:
    lines: list[int] = []
    start = text.find(needle)
    while start != -1:
        lines.append(text.count("\n", 0, start) + 1)
        start = text.find(needle, start + 1)
    return lines


def _nearest(text: str, search: str) -> str:
    """A hint at the closest line, so the reader can see what differs (often whitespace)."""
    first = next((line for line in search.splitlines() if line.strip()), "")
    if not first:
        return ""
    lines = text.splitlines()
    close = difflib.get_close_matches(first, lines, n=1, cutoff=0.6)
    if not close:
        stripped = [line.strip() for line in lines]
        if first.strip() in stripped:
            close = [lines[stripped.index(first.strip())]]
    if not close:
        return ""
    number = lines.index(close[0]) + 1
    return f"; the closest line is {number}: {close[0]!r}"


def belongs_to(edit_file: str, path: Path, root: Path) -> bool:
    """Whether a model's edit labelled `edit_file` is meant for `path`.

    Models name the file as they were shown it (relative to the project), as an absolute
    path, by its name alone, or not at all (the selection's file)."""
    if not edit_file.strip():
        return True
    named = PurePosixPath(edit_file.strip().replace("\\", "/"))
    target = path.resolve()
    if named.is_absolute():
        return Path(named) == target
    try:
        relative = PurePosixPath(target.relative_to(root.resolve()).as_posix())
    except ValueError:
        relative = PurePosixPath(target.name)
    parts = named.parts[1:] if named.parts[:1] == (".",) else named.parts
    return tuple(relative.parts[-len(parts) :]) == tuple(parts) if parts else True


def edits_for(edits: Iterable[tuple[str, str, str]], path: Path, root: Path) -> list[Replacement]:
    """The (file, search, replace) edits that belong to `path`, as replacements."""
    return [
        Replacement(search, replace)
        for file, search, replace in edits
        if belongs_to(file, path, root)
    ]
