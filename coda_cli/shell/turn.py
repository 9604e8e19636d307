"""Run one line of input: a slash command, or a question answered with Ctrl-C support."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING

from coda_cli.shell.slash import Outcome, dispatch

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState


@contextlib.contextmanager
def _sigint_cancels(task: asyncio.Task[object]) -> Iterator[None]:
    """While `task` runs, Ctrl-C cancels it instead of ending the program."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, task.cancel)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def run_line(shell: ShellState, line: str) -> Outcome:
    """Handle one line; errors are shown (and counted), never raised."""
    outcome = await dispatch(shell, line)
    if outcome is not Outcome.NOT_COMMAND:
        return outcome
    return await ask_text(shell, line)


async def ask_text(shell: ShellState, line: str) -> Outcome:
    """Ask `line` as a question (also what a prompt-library command sends, filled in)."""
    from rich.markup import escape

    from coda_cli.shell.conversation import answer
    from coda_ls.errors import CodaError

    task = asyncio.ensure_future(answer(shell, line))
    try:
        with (
            _sigint_cancels(task),
            shell.echo.off() if shell.interactive else contextlib.nullcontext(),
        ):
            result = await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise  # we were cancelled from outside, not by Ctrl-C
        shell.console.print("[coda.warn]⏹ interrupted[/] [coda.dim](the partial answer is kept)[/]")
        return Outcome.DONE
    except CodaError as exc:
        shell.failures += 1
        shell.console.print(f"[coda.error]error:[/] {escape(exc.message)}")
        if exc.hint:
            shell.console.print(f"[coda.warn]hint:[/] {escape(exc.hint)}")
        return Outcome.DONE
    shell.active = f"{result.provider}/{result.model}"
    return Outcome.DONE
