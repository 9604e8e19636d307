"""Pijul repositories (marked by `.pijul`), through `pijul`.

No Debian, PyPI or npm package ships `pijul` for this project's machines, so this backend
is tested only where a developer has installed `pijul` by hand; its tests skip otherwise.
Pijul's `credit` output has no stable machine-readable form, so `blame` gives the line's
text without attribution.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coda_ls.vcs.backends._common import check_line, line_of
from coda_ls.vcs.base import BlameLine, LogEntry, Status, VCSBackend
from coda_ls.vcs.ignore import IgnoreMatcher
from coda_ls.vcs.runner import Result, run


class PijulBackend(VCSBackend):
    """A Pijul repository; its "branches" are channels."""

    name = "pijul"
    label = "Pijul"
    binary = "pijul"

    async def _pijul(self, *args: str, ok: Sequence[int] = (0,)) -> Result:
        return await run(["pijul", *args], self.root, timeout=self.timeout, ok=ok)

    async def tracked_files(self) -> list[str]:
        result = await self._pijul("ls")
        names = (line.strip() for line in result.text.splitlines())
        return sorted(n for n in names if n and not (self.root / n).is_dir())

    async def ignored(self, path: str | Path) -> bool:
        matcher = IgnoreMatcher(self.root, (".ignore", ".pijulignore"), hgignore=False)
        return matcher.is_ignored(self.relative(path))

    async def status(self) -> Status:
        result = await self._pijul("diff", "--short", "--untracked")
        buckets: dict[str, list[str]] = {"M": [], "A": [], "D": [], "U": []}
        for line in result.text.splitlines():
            code, _, path = line.strip().partition(" ")
            path = path.strip()
            if code in ("MV", "R") and " -> " in path:
                old, _, new = path.partition(" -> ")
                buckets["D"].append(old.strip())
                buckets["A"].append(new.strip())
            elif code in buckets and path:
                buckets[code].append(path)
        return Status.build(buckets["M"], buckets["A"], buckets["D"], buckets["U"])

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        args = ["diff"]
        if paths:
            args += [self.relative(p) for p in paths]
        return (await self._pijul(*args)).text

    async def revision(self) -> str | None:
        result = await self._pijul("log", "--hash-only", "--limit", "1")
        first = result.text.strip().splitlines()
        return first[0].strip() if first else None

    async def branch(self) -> str | None:
        for line in (await self._pijul("channel")).text.splitlines():
            if line.startswith("*"):
                return line[1:].strip() or None
        return None

    async def log(self, n: int = 10) -> list[LogEntry]:
        result = await self._pijul("log", "--limit", str(n))
        entries: list[LogEntry] = []
        change, author, date, message = "", "", "", ""
        for line in [*result.text.splitlines(), "Change END"]:
            if line.startswith("Change "):
                if change:
                    entries.append(LogEntry(change, author, date, message))
                change, author, date, message = line.split(" ", 1)[1].strip(), "", "", ""
            elif line.startswith("Author:"):
                author = line.split(":", 1)[1].strip()
            elif line.startswith("Date:"):
                date = line.split(":", 1)[1].strip()
            elif line.strip() and not message and change:
                message = line.strip()
        return [entry for entry in entries if entry.revision != "END"][:n]

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        return BlameLine(line, None, None, None, line_of(self.root, rel, line))
