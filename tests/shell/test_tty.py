"""EchoGuard on a real pseudo-terminal: keys typed while an answer streams stay as typed."""

from __future__ import annotations

import os
import select
import sys
import termios
from collections.abc import Iterator

import pytest

from coda_cli.shell.tty import EchoGuard


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A pty whose slave is stdin; yields the master (the keyboard's end)."""
    import pty

    master, slave = pty.openpty()
    stdin = os.fdopen(slave, "r", closefd=True)
    monkeypatch.setattr(sys, "stdin", stdin)
    try:
        yield master
    finally:
        stdin.close()
        os.close(master)


def _readable(fd: int) -> bytes:
    ready, _, _ = select.select([fd], [], [], 1.0)
    return os.read(fd, 1024) if ready else b""


def test_keys_typed_ahead_reach_the_prompt_as_typed(terminal: int) -> None:
    fd = sys.stdin.fileno()
    before = termios.tcgetattr(fd)
    assert before[3] & termios.ICANON and before[0] & termios.ICRNL  # a cooked tty
    guard = EchoGuard()
    with guard.off():
        os.write(terminal, b"one\x1b\rtwo")  # Esc-Enter mid-question, no line end yet
        # Readable at once (no line to finish) and CR kept: the prompt sees Meta-Enter.
        assert _readable(fd) == b"one\x1b\rtwo"
        mode = termios.tcgetattr(fd)
        assert not mode[3] & (termios.ECHO | termios.ICANON)
        assert mode[3] & termios.ISIG  # Ctrl-C still interrupts the answer
        with guard.on():  # a permission prompt asks in the user's own mode
            assert termios.tcgetattr(fd) == before
        assert termios.tcgetattr(fd) == mode
    assert termios.tcgetattr(fd) == before
    # Nothing echoed to the screen while it was off.
    assert _readable(terminal) == b""


def test_without_a_tty_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    guard = EchoGuard()
    with guard.off(), guard.on():
        pass
