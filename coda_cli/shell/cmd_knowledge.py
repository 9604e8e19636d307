"""Knowledge slash commands: /note saves the last answer as a note."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coda_cli.shell.slash import command, usage_error

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState

NOTE_USAGE = "/note [TITLE]"


@command(
    "note",
    NOTE_USAGE,
    "save the last answer as a knowledge note (.coda/knowledge/)",
    details="Titled by the question unless TITLE is given. Later questions that share its "
    "words get its passages in their context.",
)
async def note(shell: ShellState, args: str) -> None:
    from rich.markup import escape

    if shell.session_id is None:
        raise usage_error(NOTE_USAGE, "nothing to save yet: ask something first")
    saved = shell.core.save_note(session_id=shell.session_id, title=args.strip() or None)
    where = shell.core.knowledge.source_of(saved.path) if saved.path else ""
    shell.console.print(f"[coda.ok]saved[/] {escape(saved.title)} → {escape(where)}")
