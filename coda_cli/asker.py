"""Permission prompts in the terminal: yes / no / always for this session."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console

    from coda_ls.workspace import Decision, PermissionRequest

Suspend = Callable[[], contextlib.AbstractContextManager[None]]


def stdin_is_terminal() -> bool:
    return bool(sys.stdin and sys.stdin.isatty())


class ConsoleAsker:
    """Shows what a tool wants to do (a diff for writes) and asks. Without a terminal
    nobody can answer, so "ask" means no, and the user is told how to allow it."""

    def __init__(
        self, console: Console, *, interactive: bool | None = None, suspend: Suspend | None = None
    ) -> None:
        self.console = console
        self.interactive = interactive if interactive is not None else stdin_is_terminal()
        self.suspend: Suspend = suspend or contextlib.nullcontext

    async def ask(self, request: PermissionRequest) -> Decision:
        from coda_ls.workspace import Decision

        with self.suspend():
            self._show(request)
            if not self.interactive:
                self.console.print(
                    f"[yellow]refused[/]: no terminal to ask; set permissions.{request.category}"
                    ' = "allow" to allow it'
                )
                return Decision.NO
            try:
                answer = await asyncio.to_thread(
                    click.prompt,
                    "Allow? [y]es / [n]o / [a]lways this session",
                    type=click.Choice(["y", "n", "a"], case_sensitive=False),
                    default="n",
                    show_choices=False,
                    err=True,
                )
            except (click.Abort, EOFError):  # Ctrl-C / Ctrl-D at the prompt means no
                return Decision.NO
        return {"y": Decision.YES, "a": Decision.ALWAYS}.get(answer.lower(), Decision.NO)

    def _show(self, request: PermissionRequest) -> None:
        from rich.markup import escape
        from rich.syntax import Syntax

        self.console.print(f"\n[bold cyan]tool[/] {escape(request.summary)}")
        if request.diff:
            self.console.print(Syntax(request.diff, "diff", theme="ansi_dark"))
