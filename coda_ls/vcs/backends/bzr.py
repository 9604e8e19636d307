"""Bazaar / Breezy branches (marked by `.bzr`), through `brz` (or `bzr` where only that exists)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from coda_ls.vcs.backends._common import check_line, expand_dirs, line_of
from coda_ls.vcs.base import BlameLine, LogEntry, Status, VCSBackend
from coda_ls.vcs.runner import Result, run, which

_LOG_SEPARATOR = "-" * 60


class BzrBackend(VCSBackend):
    """A Bazaar/Breezy working tree."""

    name = "bzr"
    label = "Bazaar/Breezy"
    binary = "brz"

    @staticmethod
    def program() -> str | None:
        """`brz`, or the older `bzr` command, whichever is installed."""
        return "brz" if which("brz") else ("bzr" if which("bzr") else None)

    async def _bzr(self, *args: str, ok: Sequence[int] = (0,)) -> Result:
        program = self.program() or "brz"
        return await run([program, *args], self.root, timeout=self.timeout, ok=ok)

    async def tracked_files(self) -> list[str]:
        result = await self._bzr("ls", "-R", "--versioned", "--kind=file", "--null")
        return sorted(name for name in result.text.split("\0") if name)

    async def ignored(self, path: str | Path) -> bool:
        rel = self.relative(path)
        result = await self._bzr("ls", "-R", "--ignored", "--null")
        ignored = [name.rstrip("/") for name in result.text.split("\0") if name]
        return any(rel == name or rel.startswith(name + "/") for name in ignored)

    async def status(self) -> Status:
        result = await self._bzr("status", "--short", "--no-classify")
        changed: list[str] = []
        added: list[str] = []
        removed: list[str] = []
        untracked: list[str] = []
        for line in result.text.splitlines():
            # Three columns: versioning (+ - R ? X C P), content (N D K M), execute bit (*).
            if len(line) < 5:
                continue
            versioning, content, path = line[0], line[1], line[4:]
            if versioning == "R":
                old, _, new = path.partition(" => ")
                removed.append(old)
                added.append(new or old)
            elif versioning == "?":
                untracked.append(path)
            elif versioning == "+" or content == "N":
                added.append(path)
            elif versioning == "-" or content == "D":
                removed.append(path)
            elif content in ("M", "K") or versioning == "C":
                changed.append(path)
        return Status.build(
            [p for p in changed if not p.endswith("/")],
            expand_dirs(self.root, added),
            removed,
            expand_dirs(self.root, untracked),
        )

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        args = ["diff"]
        if paths:
            args += ["--", *(self.relative(p) for p in paths)]
        return (await self._bzr(*args, ok=(0, 1))).text  # exit 1 means "there are changes"

    async def revision(self) -> str | None:
        result = await self._bzr("revision-info")
        revno, _, revid = result.text.strip().partition(" ")
        return None if revid in ("", "null:") or revno == "0" else revid

    async def branch(self) -> str | None:
        return (await self._bzr("nick")).text.strip() or None

    async def log(self, n: int = 10) -> list[LogEntry]:
        if await self.revision() is None:
            return []
        result = await self._bzr("log", "-l", str(n), "--show-ids", "--long")
        entries = []
        for block in result.text.split(_LOG_SEPARATOR):
            fields: dict[str, str] = {}
            message: list[str] = []
            in_message = False
            for line in block.splitlines():
                if in_message:
                    message.append(line.strip())
                elif line == "message:":
                    in_message = True
                else:
                    key, _, value = line.partition(": ")
                    fields.setdefault(key.strip(), value.strip())
            if "revision-id" not in fields:
                continue
            committer = fields.get("author") or fields.get("committer", "")
            match = re.match(r"(.*?)\s*<([^>]*)>", committer)
            name, email = (match.group(1), match.group(2)) if match else (committer, None)
            subject = next((m for m in message if m), "")
            entries.append(
                LogEntry(fields["revision-id"], name, fields.get("timestamp", ""), subject, email)
            )
        return entries

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        text = line_of(self.root, rel, line)
        ids = (await self._bzr("annotate", "--all", "--show-ids", "--", rel)).text.splitlines()
        long = (await self._bzr("annotate", "--all", "--long", "--", rel)).text.splitlines()
        if line > len(ids) or line > len(long):
            return BlameLine(line, None, None, None, text)
        revid = ids[line - 1].split("|", 1)[0].strip()
        meta = long[line - 1].split("|", 1)[0].split()
        if revid == "current:" or (meta and meta[0].endswith("?")):
            return BlameLine(line, None, None, None, text)
        author = " ".join(meta[1:-1]) if len(meta) > 2 else None
        date = meta[-1] if len(meta) > 2 else None
        if date and re.fullmatch(r"\d{8}", date):
            date = f"{date[:4]}-{date[4:6]}-{date[6:]}"
        return BlameLine(line, revid, author, date, text)
