"""Inline (ghost-text) completion: fill-in-the-middle with project context.

`service.Completer` is the use case (`Workspace.complete` reaches it); `prompt`,
`context`, `formats`, `backends`, `postprocess` and `cache` are its parts.
"""

from __future__ import annotations

from coda_ls.completion.service import (
    Completer,
    CompletionRequest,
    CompletionResult,
    pick_fim_model,
)

__all__ = ["Completer", "CompletionRequest", "CompletionResult", "pick_fim_model"]
