"""Run a VCS command-line tool as an asyncio subprocess, with a timeout and a quiet env.

Every backend goes through `run`, so the environment that makes the tools' output
machine-readable and non-interactive is set in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from coda_ls.errors import VCSCommandError, VCSTimeout

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0

# Why each variable: no pager or prompt can block a subprocess without a terminal; plain,
# untranslated output is what the parsers expect; GIT_OPTIONAL_LOCKS=0 keeps `git status`
# from taking index.lock, which would race with the user's own git commands.
_QUIET_ENV = {
    "LC_ALL": "C.UTF-8",
    "LANG": "C.UTF-8",
    "LANGUAGE": "",
    "PAGER": "cat",
    "GIT_PAGER": "cat",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "HGPLAIN": "1",
    "BRZ_PROGRESS_BAR": "none",
    "BZR_PROGRESS_BAR": "none",
    "SVN_EDITOR": "true",
}


@dataclass(frozen=True)
class Result:
    """A finished command: exit code and raw output (decode with `.text`)."""

    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="surrogateescape")

    @property
    def error_text(self) -> str:
        return self.stderr.decode("utf-8", errors="replace").strip()


MISSING_RECHECK_SECONDS = 30.0
"""How long "not installed" is believed: a tool installed while the language server runs
is found within this time. A found tool is remembered for the process."""


class _Which:
    """`shutil.which` remembered per binary: found paths for good, misses for a while
    (detection runs often and must stay cheap)."""

    def __init__(self) -> None:
        self._found: dict[str, str] = {}
        self._missing: dict[str, float] = {}

    def __call__(self, binary: str) -> str | None:
        if binary in self._found:
            return self._found[binary]
        checked = self._missing.get(binary)
        if checked is not None and time.monotonic() - checked < MISSING_RECHECK_SECONDS:
            return None
        path = shutil.which(binary)
        if path is None:
            self._missing[binary] = time.monotonic()
        else:
            self._found[binary] = path
            self._missing.pop(binary, None)
        return path

    def cache_clear(self) -> None:
        self._found.clear()
        self._missing.clear()


which = _Which()


def _outside_virtualenvs(path: str) -> str:
    """PATH without virtualenv `bin` directories."""
    kept = [
        entry
        for entry in path.split(os.pathsep)
        if entry and not (Path(entry).parent / "pyvenv.cfg").is_file()
    ]
    return os.pathsep.join(kept)


def tool_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a system VCS tool: Coda's own virtualenv removed.

    Breezy's `brz` (Debian) is a binary embedding Python that finds its interpreter
    through PATH; with a virtualenv's python3 first on PATH it fails to import breezy
    (seen with breezy 3.3 on Debian 12). The program itself is resolved before this,
    with the user's PATH, so a tool installed inside the virtualenv still runs.
    """
    env = dict(os.environ if base is None else base)
    for name in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV_PROMPT"):
        env.pop(name, None)
    env["PATH"] = _outside_virtualenvs(env.get("PATH", ""))
    return env


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = tool_env()
    env.update(_QUIET_ENV)
    if extra:
        env.update(extra)
    return env


async def run(
    args: Sequence[str],
    cwd: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    ok: Sequence[int] = (0,),
    env: Mapping[str, str] | None = None,
) -> Result:
    """Run `args` in `cwd`; raise VCSCommandError unless the exit code is in `ok`.

    stdin is /dev/null, so a tool that wants to ask something fails instead of hanging.
    """
    program = which(args[0]) or args[0]
    log.debug("vcs: %s (in %s)", " ".join(args), cwd)
    try:
        proc = await asyncio.create_subprocess_exec(
            program,
            *args[1:],
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=_env(env),
        )
    except FileNotFoundError as exc:
        raise VCSCommandError(
            f"`{args[0]}` is not installed or not on PATH",
            hint=f"install {args[0]} (e.g. with your system's package manager)",
        ) from exc
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):  # it may have just exited
            proc.kill()
        await proc.wait()
        raise VCSTimeout(
            f"`{' '.join(args[:3])}` took longer than {timeout:g}s in {cwd}",
            hint="the repository may be very large or on a slow disk; raise the timeout",
        ) from None
    result = Result(proc.returncode or 0, stdout, stderr)
    if result.returncode not in ok:
        raise VCSCommandError(
            f"`{' '.join(args[:3])}` failed (exit {result.returncode}): "
            f"{result.error_text.splitlines()[-1] if result.error_text else 'no message'}",
            returncode=result.returncode,
        )
    return result
