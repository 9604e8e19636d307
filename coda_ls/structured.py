"""Parse the structured answers of the review and refactor modes, and apply edits.

Models wrap JSON in prose or code fences, and small models often answer a refactor with a
bare code block; both are accepted rather than failing the user's request. What is not in
the refactor format (see `parse_refactor`) produces no edit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from coda_ls.edits import Replacement, apply_replacements, edits_for

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


@dataclass(frozen=True)
class RefactorChange:
    """A refactor answer applied to one file: the text before and after, and the diff."""

    path: Path
    before: str
    after: str
    edits: list[Replacement]

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def diff(self, label: str | None = None) -> str:
        from coda_ls.tools.textfile import unified_diff

        return unified_diff(self.before, self.after, label or self.path.name)


def apply_refactor(refactor: Refactor, path: Path, before: str, root: Path) -> RefactorChange:
    """The one refactor rule every front uses: keep the edits meant for `path` (see
    `edits.belongs_to`), apply them tolerantly (raises EditError), return the change."""
    edits = edits_for(((e.file, e.search, e.replace) for e in refactor.edits), path, root)
    after = apply_replacements(before, edits, shown=path.name, tolerant=True) if edits else before
    return RefactorChange(path=path, before=before, after=after, edits=edits)
