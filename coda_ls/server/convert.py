"""Conversions between LSP types and Coda's: URIs, ranges, findings, edits."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from cattrs import Converter
from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.uris import from_fs_path, to_fs_path

from coda_ls.errors import WorkspaceError
from coda_ls.server.arguments import RangeArg
from coda_ls.structured import Finding

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


@functools.cache
def _converter() -> Converter:
    return get_converter()


def to_json(value: Any) -> Any:
    """An lsprotocol object as plain JSON data (lsprotocol's public converter)."""
    return _converter().unstructure(value)


def uri_to_path(uri: str) -> Path:
    path = to_fs_path(uri)
    if not path:
        raise WorkspaceError(f"not a file URI: {uri!r}", "Coda works on files on disk (file://)")
    return Path(path)


def path_to_uri(path: Path) -> str:
    uri = from_fs_path(str(path))
    assert uri is not None
    return str(uri)


def line_span(range_: RangeArg | None, text: str) -> tuple[int, int | None]:
    """1-based inclusive line span of an LSP range (a range ending at column 0 of a line
    does not include that line)."""
    if range_ is None:
        return 1, None
    start = range_.start.line + 1
    end = range_.end.line + 1
    if range_.end.character == 0 and range_.end.line > range_.start.line:
        end -= 1
    total = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
    return min(start, total), min(max(end, start), total)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def offset_to_position(text: str, offset: int) -> types.Position:
    before = text[:offset]
    line = before.count("\n")
    column_text = before[before.rfind("\n") + 1 :]
    return types.Position(line=line, character=utf16_len(column_text))


def finding_range(finding: Finding, text: str) -> types.Range:
    lines = text.splitlines()
    last = max(len(lines), 1)
    start = min(finding.start_line, last) - 1
    end = min(max(finding.end_line, finding.start_line), last) - 1
    end_char = utf16_len(lines[end]) if end < len(lines) else 0
    return types.Range(
        start=types.Position(line=start, character=0),
        end=types.Position(line=end, character=end_char),
    )


def finding_diagnostic(finding: Finding, text: str, finding_id: str) -> types.Diagnostic:
    message = finding.message
    if finding.suggestion:
        message += "\nSuggestion available: use the code action “Coda: Apply suggestion”."
    return types.Diagnostic(
        range=finding_range(finding, text),
        message=message,
        severity=SEVERITY[finding.severity],
        source="coda",
        code="coda-review",
        data={"findingId": finding_id, "suggestion": finding.suggestion},
    )


def replacement_edit(before: str, after: str) -> types.TextEdit:
    """One minimal TextEdit turning `before` into `after` (common prefix/suffix kept)."""
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix
        and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]
    ):
        suffix += 1
    start = offset_to_position(before, prefix)
    end = offset_to_position(before, len(before) - suffix)
    return types.TextEdit(
        range=types.Range(start=start, end=end), new_text=after[prefix : len(after) - suffix]
    )
