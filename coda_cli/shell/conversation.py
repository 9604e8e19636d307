"""One turn: a question from the shell goes through the engine and streams to the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coda_cli.shell.themes import get_theme

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState
    from coda_ls.engine import Answer


def ensure_session(shell: ShellState, title: str) -> str:
    """The shell's session, created on the first question. Creating it here (not in the
    engine) means a first answer cut off by Ctrl-C still belongs to a known session."""
    if shell.session_id is None:
        first_line = title.strip().splitlines()[0][:80] if title.strip() else None
        session = shell.store.create_session(title=first_line, project_root=shell.workspace)
        shell.use_session(session.id)
    assert shell.session_id is not None
    return shell.session_id


async def answer(shell: ShellState, question: str) -> Answer:
    """Ask the model; stream markdown (or, in review/refactor, show the structured result).
    Cancelling the task stops the stream; the engine keeps the partial reply, marked
    interrupted, in the session."""
    from coda_cli.render import StreamPrinter
    from coda_ls.engine import AskRequest
    from coda_ls.modes import get_mode

    mode = get_mode(shell.mode)
    chosen = await shell.engine.selection(mode.name, shell.provider, shell.model)
    request = AskRequest(
        question=question,
        mode=mode.name,
        files=list(shell.files),
        session_id=ensure_session(shell, question),
        provider=shell.provider,
        model=shell.model,
    )
    structured = mode.output != "markdown"
    printer = StreamPrinter(
        shell.console,
        status=f"{chosen.provider_name}/{chosen.model} is thinking…",
        quiet=structured,
        code_theme=get_theme(shell.theme).code_theme,
    )
    shell.printer = printer
    try:
        if structured and shell.console.is_terminal:
            with shell.console.status(
                f"{chosen.model} is reviewing…"
                if mode.name == "review"
                else f"{chosen.model} is rewriting…"
            ):
                result = await shell.engine.ask(request, printer.write)
        else:
            with printer:
                result = await shell.engine.ask(request, printer.write)
    finally:
        shell.printer = None
    if result.review is not None:
        from coda_cli.commands.ask import print_review

        print_review(shell.app, result)
    elif result.refactor is not None:
        show_refactor(shell, result)
    elif structured:
        shell.console.print(result.text)
    return result


def show_refactor(shell: ShellState, result: Answer) -> None:
    """The proposed edits as diffs; nothing is written (`coda refactor --apply` does)."""
    from rich.syntax import Syntax

    refactor = result.refactor
    assert refactor is not None
    if refactor.summary:
        shell.console.print(refactor.summary)
    if not refactor.edits:
        shell.console.print("[coda.dim]The model proposed no change.[/]")
        return
    from coda_ls.tools.textfile import unified_diff

    for edit in refactor.edits:
        diff = unified_diff(edit.search, edit.replace, edit.file or "selection")
        shell.console.print(Syntax(diff or "(no change)", "diff", theme="ansi_dark"))
    shell.console.print(
        "[coda.dim]not applied — use `coda refactor FILE:LINES --apply` to write it[/]"
    )
