"""Streaming output: rich Live markdown on a terminal, plain text when piped."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live


class StreamPrinter:
    """Use as a context manager; feed `write(delta)`; the answer renders as it arrives.

    On a terminal a spinner shows until the first token, then the markdown re-renders live
    (code blocks highlighted). Piped, the deltas go straight to stdout so `coda ask ... |
    less` streams too.
    """

    def __init__(
        self,
        console: Console,
        *,
        status: str = "thinking…",
        quiet: bool = False,
        code_theme: str = "monokai",
    ):
        self.console = console
        self.status = status
        self.quiet = quiet
        self.code_theme = code_theme
        self.text = ""
        self._live: Live | None = None

    def __enter__(self) -> StreamPrinter:
        if self.quiet:
            return self
        if self.console.is_terminal:
            from rich.live import Live
            from rich.spinner import Spinner

            self._live = Live(
                Spinner("dots", text=self.status),
                console=self.console,
                refresh_per_second=12,
                vertical_overflow="visible",
            )
            self._live.__enter__()
        return self

    def set_status(self, status: str) -> None:
        """Change the spinner's text (before the first token: who is answering)."""
        self.status = status
        if self._live is not None and not self.text:
            from rich.spinner import Spinner

            self._live.update(Spinner("dots", text=status))

    def write(self, delta: str) -> None:
        self.text += delta
        if self.quiet:
            return
        if self._live is not None:
            from rich.markdown import Markdown

            self._live.update(Markdown(self.text, code_theme=self.code_theme))
        else:
            self.console.file.write(delta)
            self.console.file.flush()

    @contextlib.contextmanager
    def suspend(self) -> Iterator[None]:
        """Stop the live display (to prompt the user), then go on in a fresh one."""
        if self._live is None:
            if self.text and not self.text.endswith("\n"):
                sys.stdout.write("\n")
            yield
            return
        self._live.stop()
        self.text = ""
        try:
            yield
        finally:
            from rich.spinner import Spinner

            self._live.update(Spinner("dots", text=self.status))
            self._live.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            if not self.text:
                self._live.update("")
            self._live.__exit__(exc_type, exc, tb)
        elif not self.quiet and self.text and not self.text.endswith("\n"):
            self.console.file.write("\n")
            self.console.file.flush()
