"""Exact search/replace blocks: each search text must occur exactly once (or be marked
`replace_all`), otherwise the whole edit fails with a message that says where to look."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from coda_ls.errors import ToolError


@dataclass(frozen=True)
class Replacement:
    search: str
    replace: str
    replace_all: bool = False


def apply_edits(text: str, edits: list[Replacement], shown: str) -> str:
    """`text` with every edit applied in order; all or nothing.

    A file with CRLF line ends is edited as LF and written back as CRLF: models send "\n"
    and would otherwise never match a Windows file.
    """
    if "\r\n" in text and not any("\r" in e.search for e in edits):
        lf = [Replacement(e.search, e.replace.replace("\r\n", "\n"), e.replace_all) for e in edits]
        return _apply(text.replace("\r\n", "\n"), lf, shown).replace("\n", "\r\n")
    return _apply(text, edits, shown)


def _apply(text: str, edits: list[Replacement], shown: str) -> str:
    if not edits:
        raise ToolError("no edits given", "pass at least one {search, replace} block")
    for number, edit in enumerate(edits, start=1):
        label = f"edit {number}" if len(edits) > 1 else "the edit"
        if not edit.search:
            raise ToolError(
                f"{label}: the search text is empty",
                "to create or overwrite a file use write_file",
            )
        count = text.count(edit.search)
        if count == 0:
            raise ToolError(
                f"{label}: search text not found in {shown}{_nearest(text, edit.search)}",
                "copy the search text exactly from read_file output (without line numbers)",
            )
        if count > 1 and not edit.replace_all:
            lines = _lines_of(text, edit.search)
            raise ToolError(
                f"{label}: search text is ambiguous, it occurs {count} times in {shown} "
                f"(at lines {', '.join(map(str, lines[:10]))})",
                "include more surrounding lines to make it unique, or set replace_all",
            )
        text = text.replace(edit.search, edit.replace)
    return text


def _lines_of(text: str, needle: str) -> list[int]:
    lines: list[int] = []
    start = text.find(needle)
    while start != -1:
        lines.append(text.count("\n", 0, start) + 1)
        start = text.find(needle, start + 1)
    return lines


def _nearest(text: str, search: str) -> str:
    """A hint at the closest line, so the model can see what differs (often whitespace)."""
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
