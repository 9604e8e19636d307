"""Darcs repositories (marked by `_darcs`), through `darcs` (`--xml-output` for history)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from coda_ls.errors import VCSCommandError
from coda_ls.vcs.backends._common import check_line, expand_dirs, line_of
from coda_ls.vcs.base import BlameLine, LogEntry, Status, VCSBackend
from coda_ls.vcs.runner import Result, run


def _strip_dot(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def _iso(date: str) -> str:
    """darcs' `20240102030405` (UTC) as ISO 8601."""
    try:
        return datetime.strptime(date, "%Y%m%d%H%M%S").isoformat() + "+00:00"
    except ValueError:
        return date


class DarcsBackend(VCSBackend):
    """A darcs repository. Darcs has no branches inside a repository: `branch` is None."""

    name = "darcs"
    label = "Darcs"
    binary = "darcs"

    async def _darcs(self, *args: str, ok: Sequence[int] = (0,)) -> Result:
        return await run(["darcs", *args], self.root, timeout=self.timeout, ok=ok)

    async def tracked_files(self) -> list[str]:
        result = await self._darcs("show", "files", "--no-directories", "--null")
        return sorted(_strip_dot(name) for name in result.text.split("\0") if name.strip())

    async def _whatsnew(self, *paths: str) -> list[tuple[str, str]]:
        # -l (look for adds) lists files darcs would add, i.e. not matched by boring files;
        # exit 1 just means "No changes!".
        result = await self._darcs("whatsnew", "--summary", "--look-for-adds", *paths, ok=(0, 1))
        out = []
        for line in result.text.splitlines():
            if line.startswith(" ") and " -> " in line:  # a move: " ./old -> ./new"
                old, _, new = line.strip().partition(" -> ")
                out += [("R", _strip_dot(old)), ("A", _strip_dot(new))]
                continue
            code, _, rest = line.partition(" ")
            if code in ("M", "A", "R", "a", "R!", "M!", "A!") and rest:
                path = rest.strip()
                if code.startswith("M"):
                    # "M ./a.txt -1 +2" (either count may be missing): drop the counts
                    path = re.sub(r"(?: [-+]\d+)+$", "", path)
                out.append((code.rstrip("!"), _strip_dot(path)))
        return out

    async def ignored(self, path: str | Path) -> bool:
        rel = self.relative(path)
        if rel in set(await self.tracked_files()):
            return False
        # Darcs calls ignored files "boring": an untracked file whatsnew -l does not offer.
        return rel not in {p for code, p in await self._whatsnew() if code == "a"}

    async def status(self) -> Status:
        buckets: dict[str, list[str]] = {"M": [], "A": [], "R": [], "a": []}
        for code, path in await self._whatsnew():
            buckets[code].append(path)
        added = [p for p in buckets["A"] if not (self.root / p).is_dir()]
        return Status.build(buckets["M"], added, buckets["R"], expand_dirs(self.root, buckets["a"]))

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        args = ["diff", "--diff-opts=-u"]
        if paths:
            args += [self.relative(p) for p in paths]
        return (await self._darcs(*args)).text

    async def _patches(self, *args: str) -> list[ET.Element]:
        result = await self._darcs("log", "--xml-output", *args)
        try:
            return list(ET.fromstring(result.stdout).iter("patch"))
        except ET.ParseError as exc:
            raise VCSCommandError(f"unreadable XML from `darcs log`: {exc}") from exc

    async def revision(self) -> str | None:
        patches = await self._patches("--last", "1")
        return patches[0].get("hash") if patches else None

    async def branch(self) -> str | None:
        return None

    async def log(self, n: int = 10) -> list[LogEntry]:
        entries = []
        for patch in await self._patches("--last", str(n)):
            author = patch.get("author", "")
            name, _, email = author.partition("<")
            entries.append(
                LogEntry(
                    patch.get("hash", ""),
                    name.strip() or author,
                    _iso(patch.get("date", "")),
                    (patch.findtext("name") or "").strip(),
                    email.rstrip(">").strip() or None,
                )
            )
        return entries

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        text = line_of(self.root, rel, line)
        result = await self._darcs("annotate", "--machine-readable", rel)
        rows = [row for row in result.text.splitlines() if " | " in row or row.endswith("|")]
        if line > len(rows):
            return BlameLine(line, None, None, None, text)
        patch_hash = rows[line - 1].split(" ", 1)[0].strip()
        patches = await self._patches("--hash", patch_hash)
        if not patches:
            return BlameLine(line, None, None, None, text)
        patch = patches[0]
        return BlameLine(line, patch_hash, patch.get("author"), _iso(patch.get("date", "")), text)
