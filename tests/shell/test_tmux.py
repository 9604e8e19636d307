"""The interactive shell in a real terminal: tmux drives `coda chat` (keys in,
capture-pane out) against the scripted model server running as a subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WORDS = " ".join(f"word{n}" for n in range(60))
REPLY = f"Streaming **answer**: {WORDS} THE-END"

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)"
)


class Pane:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "coda", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "coda", "-l", text)
        self.send("Enter")

    def type_line(self, text: str) -> None:
        """`text`, then Esc-Enter: a new line in the same question."""
        self.tmux("send-keys", "-t", "coda", "-l", text)
        self.send("Escape", "Enter")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-t", "coda", "-S", "-2000")

    def wait_for(self, pattern: str, timeout: float = 10.0, count: int = 1) -> str:
        """Poll the pane until `pattern` (a regex) shows `count` times."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if len(re.findall(pattern, screen)) >= count:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} did not appear; the pane shows:\n{screen}")
            time.sleep(0.05)


@contextlib.contextmanager
def model_server(*extra: str) -> Iterator[int]:
    """The scripted model server in its own process (the shell is one too); yields its port."""
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.support.model_server", "--port", "0", "--reply", REPLY,
         "--delay", "0.05", *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a stream cut by Ctrl-C logs a reset connection
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("PORT "), line
        yield int(line.split()[1])
    finally:
        server.terminate()
        server.wait(timeout=5)


@contextlib.contextmanager
def coda_chat(model_port: int, tmp_path: Path) -> Iterator[tuple[Pane, Path]]:
    """`coda chat` in a tmux pane, in a fresh HOME; yields the pane and the history file."""
    home = tmp_path / "home"
    project = tmp_path / "project"
    project.mkdir()
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "OLLAMA_HOST": f"http://127.0.0.1:{model_port}",
        "PYTHONPATH": str(REPO),
        "LANG": "C.UTF-8",
        "TERM": "screen-256color",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    }
    command = ["env", "-i", *(f"{k}={v}" for k, v in env.items()),
               sys.executable, "-m", "coda_cli", "chat"]  # fmt: skip
    conf = tmp_path / "tmux.conf"
    # The pane stays after `coda chat` exits, so the exit panel can still be read.
    conf.write_text("set -g remain-on-exit on\nset -g history-limit 5000\n", encoding="utf-8")
    socket = f"coda-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["tmux", "-L", socket, "-f", str(conf), "new-session", "-d", "-s", "coda",
         "-x", "120", "-y", "50", "-c", str(project), " ".join(_quote(c) for c in command)],
        check=True,
        timeout=10,
    )  # fmt: skip
    try:
        yield Pane(socket), home / ".local/state/coda/history"
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    with model_server() as port, coda_chat(port, tmp_path) as (pane, history):
        yield pane
    saved = history.read_text(encoding="utf-8") if history.is_file() else ""
    assert "+what is in calc.py?" in saved and "+first line\n+second line" in saved
    assert "+ahead one\n+ahead two" in saved


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def test_interactive_shell_in_tmux(pane: Pane) -> None:
    started = time.monotonic()
    pane.wait_for(r"/help for commands", timeout=20)
    pane.wait_for(r"chat ollama/llama3\.2:latest ›")

    pane.type("what is in calc.py?")
    screen = pane.wait_for(r"THE-END")
    assert "Streaming answer: word0" in screen  # markdown rendered: ** gone

    # Esc-Enter starts a new line; Enter sends both lines as one question. Wait for
    # the prompt first: keys typed while the answer is still being finished reach a
    # terminal in cooked mode, where Esc and Enter are two keys, not Meta-Enter.
    pane.wait_for(r"chat ollama/llama3\.2:latest ›", count=2)
    pane.type_line("first line")
    pane.type("second line")
    # Typed ahead while that answer streams: the keys wait in the tty, and Esc-Enter
    # still starts a new line instead of sending "ahead one" alone.
    pane.wait_for(r"word5\b", count=2)
    pane.type_line("ahead one")
    pane.type("ahead two")
    screen = pane.wait_for(r"THE-END", count=3)
    assert re.search(r"› first line\n\s*… second line", screen), screen
    assert re.search(r"› ahead one\n\s*… ahead two", screen), screen

    pane.type("/mode review")
    pane.wait_for(r"mode: review — review code for problems")
    pane.wait_for(r"review ollama/llama3\.2:latest ›")
    pane.type("/mode chat")
    pane.wait_for(r"chat ollama/llama3\.2:latest ›")

    pane.type("/model")
    pane.wait_for(r"2 qwen2\.5-coder:7b")
    pane.wait_for(r"pick 1-2")
    pane.type("2")
    pane.wait_for(r"model: ollama/qwen2\.5-coder:7b")
    pane.wait_for(r"chat ollama/qwen2\.5-coder:7b ›")

    pane.type("tell me more")
    pane.wait_for(r"word5\b", count=4)  # the fourth answer is streaming
    pane.send("C-c")
    screen = pane.wait_for(r"interrupted \(the partial answer is kept\)")
    assert screen.count("THE-END") == 3  # the fourth answer stopped mid-stream
    # Drawn once: a ^C echo used to push rich's Live one line down and repeat the answer.
    assert screen.count("Streaming answer: word0") == 4
    pane.wait_for(r"chat ollama/qwen2\.5-coder:7b ›", count=2)  # back at the prompt

    pane.type("/exit")
    screen = pane.wait_for(r"Session stats")
    for text in ("Model requests", "llama3.2:latest", "qwen2.5-coder:7b", "1 interrupted"):
        assert text in screen, screen
    pane.wait_for(r"Pane is dead|Total\s")
    assert time.monotonic() - started < 40  # four answers of ~3 s each, on a busy machine


def test_a_question_typed_while_the_shell_starts(tmp_path: Path) -> None:
    """Typed before the first prompt (the model server is slow to list its models): the
    keys are not echoed over the banner, and Esc-Enter still starts a new line."""
    with (
        model_server("--first-listing-delay", "3") as port,
        coda_chat(port, tmp_path) as (pane, history),
    ):
        tty = pane.tmux("display-message", "-p", "-t", "coda", "#{pane_tty}").strip()
        deadline = time.monotonic() + 20
        # Starting: once the tty is out of canonical mode, Coda holds the keys.
        while "-icanon" not in _stty(tty):
            assert time.monotonic() < deadline, "coda chat did not take the terminal"
            time.sleep(0.02)
        assert "/help for commands" not in pane.screen()  # still starting
        pane.type_line("ahead one")
        pane.type("ahead two")
        screen = pane.wait_for(r"THE-END", timeout=20)
        assert re.search(r"› ahead one\n\s*… ahead two", screen), screen
        assert screen.count("ahead one") == 1, screen  # no echo above the banner
        pane.type("/exit")
        pane.wait_for(r"Session stats")
    saved = history.read_text(encoding="utf-8")
    assert "+ahead one\n+ahead two" in saved, saved


def _stty(tty: str) -> str:
    done = subprocess.run(["stty", "-F", tty, "-a"], capture_output=True, text=True, timeout=5)
    return done.stdout
