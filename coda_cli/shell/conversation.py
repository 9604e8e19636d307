"""One turn: a question from the shell goes through the workspace and streams to the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coda_cli.shell.themes import get_theme

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState
    from coda_ls.workspace import Answer, RefactorOutcome, Started


async def answer(shell: ShellState, question: str) -> Answer:
    """Ask the model; stream markdown (or, in review/refactor, show the structured result).
    Cancelling the task stops the stream; the partial reply is kept in the session, marked
    interrupted. The session (a new one on the first question) is the shell's from the
    start event on, so an answer cut off by Ctrl-C still belongs to a known session."""
    from rich.markup import escape

    from coda_cli.render import StreamPrinter
    from coda_ls.workspace import AskRequest, RefactorOutcome, get_mode

    mode = get_mode(shell.mode)
    if mode.name == "test":  # writes and runs tests rather than answering in text
        from coda_cli.shell.testgen import answer_tests

        return await answer_tests(shell, question)
    request = AskRequest(
        question=question,
        mode=mode.name,
        files=list(shell.files),
        attached=list(shell.attached),
        session_id=shell.session_id,
        new_session=shell.session_id is None,
        provider=shell.provider,
        model=shell.model,
    )
    structured = mode.output != "markdown"
    printer = StreamPrinter(
        shell.console,
        quiet=structured,
        code_theme=get_theme(shell.theme).code_theme,
    )

    def started(event: Started) -> None:
        shell.use_session(event.session_id)
        shell.active = f"{event.provider}/{event.model}"
        printer.set_status(f"{event.provider}/{event.model} is thinking…")
        if event.reason:
            shell.console.print(f"[coda.dim]using {shell.active}: {escape(event.reason)}[/]")
        if event.knowledge:
            shell.console.print(f"[coda.dim]knowledge: {escape(', '.join(event.knowledge))}[/]")

    def notice(text: str) -> None:
        with printer.suspend():
            shell.console.print(f"[coda.warn]{escape(text)}[/]")

    async def ask() -> RefactorOutcome:
        if mode.name == "refactor" and request.selection is not None:
            return await shell.core.refactor(
                request, printer.write, on_start=started, on_notice=notice
            )
        result = await shell.core.ask(request, printer.write, on_start=started, on_notice=notice)
        return RefactorOutcome(result, None)

    shell.printer = printer
    try:
        if structured and shell.console.is_terminal:
            verb = "reviewing" if mode.name == "review" else "rewriting"
            with shell.console.status(f"{shell.model_label()} is {verb}…"):
                outcome = await ask()
        else:
            with printer:
                outcome = await ask()
    finally:
        shell.printer = None
    shell.attached.clear()  # sent: they went with this question only
    result = outcome.answer
    if result.review is not None:
        from coda_cli.commands.ask import print_review

        print_review(shell.app, result)
    elif result.refactor is not None:
        show_refactor(shell, outcome)
    elif structured:
        shell.console.print(result.text)
    return result


def show_refactor(shell: ShellState, outcome: RefactorOutcome) -> None:
    """The proposed edits as diffs; nothing is written (`coda refactor --apply` does).
    With a selection the diff is the file's, by the same rule `coda refactor` and the
    editor apply; without one, each edit's own before/after."""
    from rich.syntax import Syntax

    refactor = outcome.answer.refactor
    assert refactor is not None
    if refactor.summary:
        shell.console.print(refactor.summary)
    if not refactor.edits:
        shell.console.print("[coda.dim]The model proposed no change.[/]")
        return
    if outcome.change is not None:
        diffs = [outcome.change.diff(str(outcome.change.path))]
    else:
        from coda_ls.workspace import RefactorChange

        diffs = [
            RefactorChange(shell.workspace / (e.file or "selection"), e.search, e.replace, []).diff(
                e.file or "selection"
            )
            for e in refactor.edits
        ]
    for diff in diffs:
        shell.console.print(Syntax(diff or "(no change)", "diff", theme="ansi_dark"))
    shell.console.print(
        "[coda.dim]not applied — use `coda refactor FILE:LINES --apply` to write it[/]"
    )
