"""Terminal echo while an answer streams.

The tty echoes Ctrl-C as `^C` at the cursor. rich's Live pads its lines to the full width,
so those two characters wrap to a new line and Live then redraws one line too low: the
answer shows twice. Turning echo off while the answer streams avoids that, and keeps
stray typing from tearing the live display. A permission prompt mid-answer turns it back
on for as long as it asks.

Keys typed ahead wait in the tty for the next prompt. They must get there as typed: in
canonical mode the tty turns Enter's CR into LF and holds keys until a line ends, so
Esc-Enter typed ahead reached the prompt as Esc then LF and sent the first line alone.
So canonical mode and the CR translation are off too; Ctrl-C still signals (ISIG stays).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any


class EchoGuard:
    def __init__(self) -> None:
        self._saved: list[Any] | None = None

    @contextlib.contextmanager
    def off(self) -> Iterator[None]:
        """No echo (and no ^C) and keys kept as typed inside the block; a no-op without a
        tty."""
        try:
            import termios

            fd = sys.stdin.fileno()
            saved = termios.tcgetattr(fd)
        except (ImportError, OSError, ValueError, AttributeError):  # no tty / not POSIX
            yield
            return
        quiet = list(saved)
        quiet[0] &= ~termios.ICRNL
        quiet[3] &= ~(termios.ECHO | termios.ECHOCTL | termios.ICANON)
        quiet[6] = list(saved[6])
        quiet[6][termios.VMIN], quiet[6][termios.VTIME] = 1, 0
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        self._saved = saved
        try:
            yield
        finally:
            self._saved = None
            termios.tcsetattr(fd, termios.TCSANOW, saved)

    @contextlib.contextmanager
    def on(self) -> Iterator[None]:
        """Echo back on inside the block (to ask the user something), if it was off."""
        saved = self._saved
        if saved is None:
            yield
            return
        import termios

        fd = sys.stdin.fileno()
        quiet = termios.tcgetattr(fd)
        termios.tcsetattr(fd, termios.TCSANOW, saved)
        try:
            yield
        finally:
            termios.tcsetattr(fd, termios.TCSANOW, quiet)
