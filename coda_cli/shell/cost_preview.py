"""`/cost preview QUESTION`: what asking it now would send (the conversation so far, the
files added with /add, the question) in tokens and estimated dollars; nothing is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState


async def show_preview(shell: ShellState, question: str) -> None:
    from rich.markup import escape

    from coda_ls.workspace import AskRequest

    request = AskRequest(
        question=question.strip() or "…",
        mode=shell.mode,
        files=list(shell.files),
        session_id=shell.session_id,
        provider=shell.provider,
        model=shell.model,
    )
    preview = await shell.engine.preview(request)
    shell.console.print(
        f"preview: {escape(preview.describe())} (window {preview.window:,}); nothing was sent"
    )
