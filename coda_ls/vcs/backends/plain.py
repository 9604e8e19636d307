"""A directory under no version control: files are whatever the ignore files leave."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coda_ls.vcs.backends._common import check_line, line_of
from coda_ls.vcs.base import BlameLine, LogEntry, Status, VCSBackend
from coda_ls.vcs.ignore import IgnoreMatcher


class PlainBackend(VCSBackend):
    """Honours `.gitignore`, `.codaignore` and a root `.hgignore`; has no history."""

    name = "plain"
    label = "no version control"
    binary = None

    _matcher: IgnoreMatcher | None = None

    @property
    def matcher(self) -> IgnoreMatcher:
        if self._matcher is None:
            self._matcher = IgnoreMatcher(self.root)
        return self._matcher

    async def tracked_files(self) -> list[str]:
        # A fresh matcher each time: ignore files may have changed since the last call.
        self._matcher = None
        return list(self.matcher.walk())

    async def ignored(self, path: str | Path) -> bool:
        return self.matcher.is_ignored(self.relative(path))

    async def status(self) -> Status:
        return Status()

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        return ""

    async def revision(self) -> str | None:
        return None

    async def branch(self) -> str | None:
        return None

    async def log(self, n: int = 10) -> list[LogEntry]:
        return []

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        return BlameLine(line, None, None, None, line_of(self.root, rel, line))
