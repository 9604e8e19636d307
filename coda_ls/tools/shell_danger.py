"""Built-in refusals: commands Coda never runs, whatever `permissions.shell_deny` says.

Recursive `rm`, `chmod`/`chown`, `mv` of `/`, `~` or a system directory (however it is
spelled: `//`, `/.`, `/*`, `$HOME`), `--no-preserve-root`, writing onto a disk device
(`dd of=`, `tee`, `cp`, a `>` redirection), `kill -1`, `find / -delete`. Copying or
teeing into version-control metadata is asked about instead.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import PurePosixPath

from coda_ls.tools.shell_syntax import Word
from coda_ls.tools.workspace import vcs_metadata_part

SYSTEM_DIRS = frozenset(
    {"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
     "opt", "proc", "root", "run", "sbin", "snap", "srv", "sys", "usr", "var"}
)  # fmt: skip
_HOME = {"~", "$HOME", "${HOME}"}
DISK = re.compile(
    r"^/dev/(?:[sh]d[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|loop\d"
    r"|disk/|mapper/|sr\d|mem$|kmem$|port$)"
)  # block devices, memory: writing there destroys a disk or the running system


def into_vcs_metadata(target: str) -> bool:
    """True when `target` goes through `.git`, `.hg`, … (any depth, any case)."""
    return vcs_metadata_part(PurePosixPath(target)) is not None


def root_like(text: str) -> bool:
    """`/`, `//`, `/.`, `/*`, `~`, `$HOME`, a system directory or its contents."""
    text = text.strip()
    for home in _HOME:
        if text == home or text in (home + "/", home + "/*", home + "/.*"):
            return True
    if not text.startswith("/"):
        return False
    normal = posixpath.normpath("/" + text.lstrip("/"))
    parts = [part for part in normal.split("/") if part]
    if not parts or parts in (["*"], [".*"]):
        return True
    return parts[0] in SYSTEM_DIRS and (len(parts) == 1 or parts[1:] in (["*"], [".*"]))


def _flags(args: list[Word]) -> tuple[set[str], list[str]]:
    """(short option letters and long options, operands)."""
    flags: set[str] = set()
    operands: list[str] = []
    ended = False
    for arg in args:
        text = arg.text
        if ended or not text.startswith("-") or text == "-":
            operands.append(text)
        elif text == "--":
            ended = True
        elif text.startswith("--"):
            flags.add(text)
        else:
            flags.update(text[1:])
    return flags, operands


def builtin_rules(name: str, args: list[Word], deny: list[str], ask: list[str]) -> None:
    """Append to `deny` (refuse) and `ask` the reasons this one command gives."""
    flags, operands = _flags(args)
    if name == "rm":
        if "--no-preserve-root" in flags:
            deny.append("rm --no-preserve-root")
        recursive = bool({"r", "R", "--recursive"} & flags)
        for target in operands:
            if recursive and root_like(target):
                deny.append(f"rm -r of {target}")
    elif name in ("chmod", "chown", "chgrp"):
        for target in operands:
            if root_like(target):
                deny.append(f"{name} of {target}")
    elif name == "dd":
        for operand in operands:
            if operand.startswith("of=") and DISK.match(operand[3:]):
                deny.append(f"dd onto the device {operand[3:]}")
    elif name in ("tee", "cp", "mv", "shred", "wipefs", "install", "ln"):
        for target in operands:
            if DISK.match(target):
                deny.append(f"{name} onto the device {target}")
            elif name == "mv" and root_like(target):
                deny.append(f"mv of {target}")
            elif into_vcs_metadata(target) and name != "shred":
                ask.append(f"{name} writes into version-control metadata ({target})")
    elif name == "find" and any(arg.text == "-delete" for arg in args):
        starts = [arg.text for arg in args if not arg.text.startswith(("-", "(", "!"))]
        for start in starts[:1]:
            if root_like(start):
                deny.append(f"find {start} -delete")
    elif name == "kill":
        # `kill -9 -1` signals every process the user owns
        signal_given = False
        for arg in args:
            text = arg.text
            if text == "-1" and signal_given:
                deny.append("kill -1 (every process)")
            if text.startswith("-"):
                signal_given = True
