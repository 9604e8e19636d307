"""shell: one command in the workspace, with a timeout, an output cap and no secrets in env."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field

from coda_ls.secrets import looks_secret
from coda_ls.tools.base import Tool, ToolArgs, ToolContext, ToolResult
from coda_ls.tools.permissions import PermissionRequest, shell_verdict

DEFAULT_TIMEOUT = 120.0
MAX_TIMEOUT = 600.0
OUTPUT_CAP = 30_000  # characters the model sees: head and tail halves
GROUP_GRACE = 0.5  # seconds background processes get between SIGTERM and SIGKILL

_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL")
_SECRET_PREFIXES = ("OCI_", "AWS_", "OPENAI_", "ANTHROPIC_", "AZURE_", "GOOGLE_", "CODA_")
# Nothing in a tool's subprocess may wait for a terminal that is not there.
_QUIET = {"PAGER": "cat", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "CI": "1"}


def clean_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without variables whose names look like they hold secrets, nor whose
    values do (`GITHUB_PAT=ghp_…`, `DATABASE_URL=postgres://u:pw@h/db`)."""
    out: dict[str, str] = {}
    for name, value in environ.items():
        upper = name.upper()
        if upper.startswith(_SECRET_PREFIXES) or any(w in upper for w in _SECRET_WORDS):
            continue
        if looks_secret(value):
            continue
        out[name] = value
    out.update(_QUIET)
    return out


class ShellArgs(ToolArgs):
    command: str = Field(description="Shell command line, run with /bin/sh in the workspace")
    timeout: float = Field(
        DEFAULT_TIMEOUT, gt=0, le=MAX_TIMEOUT, description="Seconds before it is killed"
    )


class Shell(Tool[ShellArgs]):
    name = "shell"
    description = (
        "Run a shell command in the workspace root (no terminal, no stdin). Returns the exit "
        "code and the combined stdout/stderr, cut in the middle when very long."
    )
    category = "shell"
    Args = ShellArgs

    async def describe(self, args: ShellArgs, ctx: ToolContext) -> PermissionRequest:
        summary = f"Run: {args.command}"
        verdict = shell_verdict(args.command, ctx.settings.permissions)
        if verdict.kind == "ask":  # tell the user why this one is asked about
            summary += f"\n(cannot be checked before it runs: {verdict.reason})"
        return PermissionRequest(
            self.name, self.category, summary, details={"command": args.command}
        )

    async def run(self, args: ShellArgs, ctx: ToolContext) -> ToolResult:
        proc = await asyncio.create_subprocess_shell(
            args.command,
            cwd=ctx.workspace,
            env=clean_env(os.environ),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a timeout kills children too
        )
        capture = _Capture(OUTPUT_CAP)
        assert proc.stdout is not None
        reader = asyncio.create_task(capture.drain(proc.stdout))
        try:
            code = await asyncio.wait_for(_exit_code(proc), args.timeout)
        except TimeoutError:
            _kill_group(proc.pid)
            await proc.wait()
            reader.cancel()
            output = capture.text()
            return ToolResult(
                f"timed out after {args.timeout:g}s; the command was killed\n{output}".rstrip(),
                is_error=True,
            )
        finally:
            if proc.returncode is None:  # cancelled from outside: do not leave it running
                _kill_group(proc.pid)
        # The call is over: what it left running in the background (`server &`, a
        # daemon that did not detach into its own session) goes too, or it would
        # outlive the call, the session and the editor unseen.
        await _end_group(proc.pid)
        # Background children may hold the pipe open; do not wait on them for long.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, 2.0)
        output = capture.text()
        body = output if output else "(no output)"
        return ToolResult(f"exit code {code}\n{body}", is_error=code != 0)


async def _exit_code(proc: asyncio.subprocess.Process) -> int:
    """The shell's exit code as soon as it exits. `proc.wait()` on Python 3.11 also
    waits for the output pipe to close, which a background child (`sleep 100 &`)
    holds open: the call would last as long as the child."""
    delay = 0.002
    while proc.returncode is None:
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.05)
    return proc.returncode


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    """True while a live (not zombie) process is in the group. Orphans are reaped by
    PID 1, which in a container may never do it: `killpg(pgid, 0)` would count zombies."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member changed user (setuid): it still exists
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


async def _end_group(pgid: int, grace: float = GROUP_GRACE) -> None:
    """SIGTERM the process group (a chance to clean up), SIGKILL what is left after
    `grace` seconds."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = asyncio.get_running_loop().time() + grace
    while _group_alive(pgid) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    _kill_group(pgid)


class _Capture:
    """Keeps the first and last `cap/2` characters of a stream, counting what it drops."""

    def __init__(self, cap: int) -> None:
        self.half = cap // 2
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    async def drain(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            room = self.half - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            self.tail += chunk
            if len(self.tail) > self.half:
                self.dropped += len(self.tail) - self.half
                del self.tail[: len(self.tail) - self.half]

    def text(self) -> str:
        head = self.head.decode("utf-8", "replace")
        tail = self.tail.decode("utf-8", "replace")
        if self.dropped:
            return f"{head}\n[… {self.dropped:,} bytes of output omitted …]\n{tail}"
        return head + tail
