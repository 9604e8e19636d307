"""Review findings after one of them was fixed: the fixed one (and any other whose lines
the fix rewrote) is gone, later ones move with the text, and the client gets the new set
at once. Without this, clients keep showing a fixed finding until the next review (issue
#18: Neovim kept the diagnostic after "Apply suggestion")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coda_ls.server.convert import finding_diagnostic
from coda_ls.structured import Finding

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer

Stored = dict[str, tuple[Finding, int | None]]


def remaining_after_fix(stored: Stored, fixed_id: str, line_delta: int) -> Stored:
    """The findings left once `fixed_id`'s lines were replaced, adding `line_delta` lines:
    those overlapping the fixed span are dropped (their text changed), those below it are
    moved, those above it stay."""
    fixed = stored.get(fixed_id)
    if fixed is None:
        return dict(stored)
    span = fixed[0]
    left: Stored = {}
    for finding_id, (finding, version) in stored.items():
        if finding_id == fixed_id:
            continue
        if finding.end_line < span.start_line:
            left[finding_id] = (finding, version)
        elif finding.start_line > span.end_line:
            moved = finding.model_copy(
                update={
                    "start_line": finding.start_line + line_delta,
                    "end_line": finding.end_line + line_delta,
                }
            )
            left[finding_id] = (moved, None)
    return left


def after_fix(ls: CodaServer, uri: str, fixed_id: str, before: str, after: str) -> None:
    """Forget the fixed finding and republish the document's remaining diagnostics."""
    delta = after.count("\n") - before.count("\n")
    left = remaining_after_fix(ls.findings.get(uri, {}), fixed_id, delta)
    ls.findings[uri] = left
    diagnostics = [finding_diagnostic(f, after, fid) for fid, (f, _) in left.items()]
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
    )
