"""Fossil checkouts (marked by `.fslckout` or `_FOSSIL_`), through `fossil`.

`fossil json status` (when Fossil was built with JSON) gives the revision and branch; the
file lists come from `fossil ls`, `fossil changes` and `fossil extras` (one path a line),
because `json status` does not notice edited files until a scan has run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coda_ls.errors import VCSCommandError
from coda_ls.vcs.backends._common import check_line, line_of
from coda_ls.vcs.base import BlameLine, LogEntry, Status, VCSBackend
from coda_ls.vcs.runner import Result, run

_CHANGED = {"EDITED", "UPDATED_BY_MERGE", "UPDATED_BY_INTEGRATE", "CONFLICT", "EXECUTABLE"}
_CHANGED |= {"UNEXEC", "SYMLINK", "UNLINK", "MERGED_WITH", "NOT_A_FILE"}
_ADDED = {"ADDED", "ADDED_BY_MERGE", "ADDED_BY_INTEGRATE"}
_REMOVED = {"DELETED", "MISSING"}


class FossilBackend(VCSBackend):
    """A Fossil checkout."""

    name = "fossil"
    label = "Fossil"
    binary = "fossil"

    async def _fossil(self, *args: str, ok: Sequence[int] = (0,)) -> Result:
        return await run(["fossil", *args], self.root, timeout=self.timeout, ok=ok)

    @staticmethod
    def _lines(result: Result) -> list[str]:
        return [line for line in result.text.splitlines() if line.strip()]

    async def tracked_files(self) -> list[str]:
        return sorted(self._lines(await self._fossil("ls")))

    async def _extras(self, *paths: str) -> list[str]:
        return self._lines(await self._fossil("extras", "--dotfiles", *paths))

    async def ignored(self, path: str | Path) -> bool:
        # Fossil has no "is this ignored" query: a file that is neither managed nor an
        # extra (unmanaged, not ignored) is one its ignore-glob excludes.
        rel = self.relative(path)
        if rel in set(await self.tracked_files()):
            return False
        return rel not in set(await self._extras())

    async def status(self) -> Status:
        changed: list[str] = []
        added: list[str] = []
        removed: list[str] = []
        for line in self._lines(await self._fossil("changes")):
            code, _, path = line.partition(" ")
            path = path.strip()
            if code == "RENAMED":
                # "RENAMED  new" (older) or "RENAMED  old -> new"
                old, arrow, new = path.partition(" -> ")
                added.append(new if arrow else path)
                if arrow:
                    removed.append(old)
            elif code in _ADDED:
                added.append(path)
            elif code in _REMOVED:
                removed.append(path)
            elif code in _CHANGED:
                changed.append(path)
        return Status.build(changed, added, removed, await self._extras())

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        # -i: Fossil's own diff, not an external tool; -N: show the text of added and
        # deleted files, as the other backends do.
        args = ["diff", "-i", "-N"]
        if paths:
            args += [self.relative(p) for p in paths]
        return (await self._fossil(*args)).text

    async def _json_status(self) -> dict[str, Any] | None:
        result = await self._fossil("json", "status", ok=(0, 1))
        try:
            data = json.loads(result.text)
        except ValueError:
            return None  # this Fossil was built without JSON support
        payload = data.get("payload") if isinstance(data, dict) else None
        return payload if isinstance(payload, dict) else None

    async def _info(self) -> dict[str, str]:
        info: dict[str, str] = {}
        for line in self._lines(await self._fossil("info")):
            key, _, value = line.partition(":")
            info[key.strip()] = value.strip()
        return info

    async def revision(self) -> str | None:
        payload = await self._json_status()
        if payload is not None:
            checkout = payload.get("checkout") or {}
            uuid = checkout.get("uuid")
            return str(uuid) if uuid else None
        checkout_line = (await self._info()).get("checkout", "")
        return checkout_line.split(" ", 1)[0] or None

    async def branch(self) -> str | None:
        result = await self._fossil("branch", "current", ok=(0, 1))
        name = result.text.strip()
        if name and result.returncode == 0:
            return name
        tags = (await self._info()).get("tags", "")
        return tags.split(",")[0].strip() or None

    async def log(self, n: int = 10) -> list[LogEntry]:
        result = await self._fossil(
            "timeline", "-n", str(n + 1), "-t", "ci", "-F", "%H\x1f%a\x1f%d\x1f%c", "-W", "0"
        )
        entries = []
        for line in result.text.splitlines():
            fields = line.split("\x1f")
            if len(fields) == 4:
                sha, author, date, comment = fields
                entries.append(LogEntry(sha, author, date.replace(" ", "T"), comment))
        return entries[:n]

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        text = line_of(self.root, rel, line)
        result = await self._fossil("blame", rel)
        rows = result.text.splitlines()
        if line > len(rows):
            raise VCSCommandError(f"{rel} has fewer than {line} lines")
        # "<hash-prefix> <date> <user>: <text>"; uncommitted lines are not attributed.
        match = re.match(r"(\w+)\s+(\d{4}-\d{2}-\d{2})\s+(.*?):\s", rows[line - 1] + " ")
        if match is None:
            return BlameLine(line, None, None, None, text)
        return BlameLine(line, match.group(1), match.group(3), match.group(2), text)
