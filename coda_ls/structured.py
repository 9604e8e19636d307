"""Parse the structured answers of the review and refactor modes, and apply edits.

Models wrap JSON in prose or code fences, and small models often answer a refactor with a
bare code block; both are accepted rather than failing the user's request. What is not in
the refactor format (see `parse_refactor`) produces no edit.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from coda_ls.errors import CodaError

Severity = Literal["error", "warning", "info", "hint"]
_FENCE = re.compile(r"```[\w+-]*\n(.*?)```", re.DOTALL)


class Finding(BaseModel):
    file: str = ""
    start_line: int = Field(1, ge=1)
    end_line: int = Field(1, ge=1)
    severity: Severity = "warning"
    message: str
    suggestion: str | None = None

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: Any) -> str:
        text = str(value or "warning").lower()
        aliases = {
            "critical": "error",
            "high": "error",
            "major": "error",
            "medium": "warning",
            "minor": "info",
            "low": "info",
            "note": "info",
            "style": "hint",
        }
        text = aliases.get(text, text)
        return text if text in ("error", "warning", "info", "hint") else "warning"


class Review(BaseModel):
    summary: str = ""
    findings: list[Finding] = Field(default_factory=list)


class Edit(BaseModel):
    file: str = ""
    search: str
    replace: str


class Refactor(BaseModel):
    summary: str = ""
    edits: list[Edit] = Field(default_factory=list)


class EditError(CodaError):
    """An edit's search text is missing or ambiguous in the current file."""


def _json_candidates(text: str) -> list[str]:
    candidates = [block for block in _FENCE.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if start != -1 and end > start:
        candidates.append(text[start : end + 1])
    candidates.append(text)
    return candidates


def _load_object(text: str) -> dict[str, Any] | None:
    for candidate in _json_candidates(text):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
        if isinstance(value, list):
            return {"findings": value}
    return None


def parse_review(text: str, default_file: str = "") -> Review:
    """Findings from a review answer; an unparsable answer becomes its summary."""
    data = _load_object(text)
    if data is None:
        return Review(summary=text.strip())
    findings = []
    for raw in data.get("findings") or []:
        if not isinstance(raw, dict):
            continue
        try:
            finding = Finding.model_validate(raw)
        except ValidationError:
            continue
        if not finding.file:
            finding.file = default_file
        finding.end_line = max(finding.end_line, finding.start_line)
        findings.append(finding)
    return Review(summary=str(data.get("summary") or ""), findings=findings)


def parse_refactor(text: str, default_file: str = "", selection: str | None = None) -> Refactor:
    """Edits from a refactor answer, accepting only what the refactor format allows:

    - a JSON object with an `edits` list (fenced or bare): its valid edits;
    - exactly one fenced code block that is code for the selection (not JSON, and sharing
      identifiers with the selection): it replaces the selection.

    Anything else (a JSON object without `edits`, prose with an unrelated block, several
    blocks) yields no edit and the whole answer as the summary, so the user sees it
    rather than a destructive-looking diff (issue #18)."""
    data = _load_object(text)
    if data is not None and isinstance(data.get("edits"), list):
        edits = []
        for raw in data["edits"]:
            try:
                edit = Edit.model_validate(raw)
            except ValidationError:
                continue
            edit.file = edit.file or default_file
            edits.append(edit)
        return Refactor(summary=str(data.get("summary") or ""), edits=edits)
    blocks = _FENCE.findall(text)
    if len(blocks) == 1 and selection and _replaces(blocks[0], selection):
        replacement = blocks[0]
        if not selection.endswith("\n"):
            replacement = replacement.rstrip("\n")
        return Refactor(
            summary=_FENCE.sub("", text).strip(),
            edits=[Edit(file=default_file, search=selection, replace=replacement)],
        )
    return Refactor(summary=text.strip())


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Share of the selection's distinct words a replacement block must keep: a rename keeps
# keywords and most names; a shell command or an example of something else keeps none.
RELATED_SHARE = 0.25


def _replaces(block: str, selection: str) -> bool:
    """True if a fenced block can be the new text of `selection`: not a JSON value (a JSON
    answer without `edits` is not code) and related to the selection by its words."""
    try:
        json.loads(block)
    except json.JSONDecodeError:
        pass
    else:
        return False
    if not block.strip():
        return False
    selected = set(_WORD.findall(selection))
    if not selected:
        return True  # nothing to compare with (e.g. only punctuation selected)
    shared = selected & set(_WORD.findall(block))
    return len(shared) >= max(1, RELATED_SHARE * len(selected))


def locate(content: str, search: str) -> int:
    """Offset of the single occurrence of `search` (tolerating trailing-space drift)."""
    count = content.count(search)
    if count == 1:
        return content.index(search)
    if count > 1:
        raise EditError(
            f"the text to replace occurs {count} times",
            "include more surrounding lines so it is unique",
        )
    stripped = "\n".join(line.rstrip() for line in search.splitlines())
    normalized = "\n".join(line.rstrip() for line in content.splitlines())
    if stripped and normalized.count(stripped) == 1:
        # Map the offset back to the original text line by line.
        line_no = normalized[: normalized.index(stripped)].count("\n")
        lines = content.splitlines(keepends=True)
        return sum(len(line) for line in lines[:line_no])
    first = search.strip().splitlines()[0] if search.strip() else ""
    raise EditError(
        "the text to replace was not found" + (f" (starting {first[:60]!r})" if first else ""),
        "the file may have changed; ask again with the current version",
    )


def apply_edits(content: str, edits: list[Edit]) -> str:
    """`content` with every edit applied in order; raises EditError on a bad edit."""
    for edit in edits:
        start = locate(content, edit.search)
        end = start + len(edit.search)
        if content[start:end] != edit.search:  # matched modulo trailing spaces
            end = _span_end(content, start, edit.search)
        content = content[:start] + edit.replace + content[end:]
    return content


def _span_end(content: str, start: int, search: str) -> int:
    lines = content[start:].splitlines(keepends=True)[: len(search.splitlines())]
    span = "".join(lines)
    if not search.endswith("\n"):
        span = span.rstrip("\r\n")
    return start + len(span)
