"""Subversion working copies, through `svn ... --xml`.

`tracked_files`, `status` and `diff` read only the working copy; `log` and `blame` ask the
repository (a server for a remote one), which is why every call has a timeout.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from coda_ls.errors import VCSCommandError
from coda_ls.vcs.backends._common import check_line, expand_dirs, line_of
from coda_ls.vcs.base import BlameLine, LogEntry, Status, VCSBackend
from coda_ls.vcs.runner import Result, run


def _xml(result: Result, what: str) -> ET.Element:
    try:
        return ET.fromstring(result.stdout)
    except ET.ParseError as exc:
        raise VCSCommandError(f"unreadable XML from `svn {what}`: {exc}") from exc


class SvnBackend(VCSBackend):
    """A Subversion working copy (its root holds `.svn`)."""

    name = "svn"
    label = "Subversion"
    binary = "svn"

    async def _svn(self, *args: str) -> Result:
        return await run(["svn", "--non-interactive", *args], self.root, timeout=self.timeout)

    async def _entries(self, *args: str) -> list[tuple[str, str]]:
        """(path, item) for each entry of `svn status --xml ARGS`."""
        root = _xml(await self._svn("status", "--xml", *args), "status")
        out = []
        for entry in root.iter("entry"):
            status = entry.find("wc-status")
            path = entry.get("path", "")
            if status is None or path in ("", "."):
                continue
            out.append((Path(path).as_posix(), status.get("item", "")))
        return out

    async def tracked_files(self) -> list[str]:
        files = [
            path
            for path, item in await self._entries("-v")
            if item not in ("unversioned", "ignored", "deleted", "external", "none")
            and not (self.root / path).is_dir()
        ]
        return sorted(files)

    async def ignored(self, path: str | Path) -> bool:
        rel = self.relative(path)
        entries = await self._entries("--no-ignore", "--depth", "empty", rel)
        return any(item == "ignored" for _, item in entries)

    async def status(self) -> Status:
        changed: list[str] = []
        added: list[str] = []
        removed: list[str] = []
        untracked: list[str] = []
        for path, item in await self._entries():
            is_dir = (self.root / path).is_dir()
            if item in ("modified", "replaced", "conflicted", "obstructed") and not is_dir:
                changed.append(path)
            elif item == "added" and not is_dir:
                added.append(path)
            elif item == "added":
                added.extend(expand_dirs(self.root, [path]))
            elif item in ("deleted", "missing"):
                removed.append(path)
            elif item == "unversioned":
                untracked.append(path)
        return Status.build(changed, added, removed, expand_dirs(self.root, untracked))

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        args = ["diff", "--internal-diff"]
        if paths:
            args += ["--", *(self.relative(p) for p in paths)]
        return (await self._svn(*args)).text

    async def _info(self) -> ET.Element | None:
        return _xml(await self._svn("info", "--xml"), "info").find("entry")

    async def revision(self) -> str | None:
        entry = await self._info()
        revision = entry.get("revision") if entry is not None else None
        return revision if revision and revision != "0" else None

    async def branch(self) -> str | None:
        entry = await self._info()
        relative_url = entry.findtext("relative-url") if entry is not None else None
        parts = (relative_url or "").lstrip("^").strip("/").split("/")
        for i, part in enumerate(parts):
            if part == "trunk":
                return "trunk"
            if part in ("branches", "tags") and i + 1 < len(parts):
                return parts[i + 1]
        return None

    async def log(self, n: int = 10) -> list[LogEntry]:
        if await self.revision() is None:
            return []
        root = _xml(await self._svn("log", "--xml", "-l", str(n)), "log")
        return [
            LogEntry(
                entry.get("revision", ""),
                entry.findtext("author") or "",
                entry.findtext("date") or "",
                (entry.findtext("msg") or "").strip().split("\n", 1)[0],
            )
            for entry in root.iter("logentry")
        ]

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        text = line_of(self.root, rel, line)
        root = _xml(await self._svn("blame", "--xml", "--", rel), "blame")
        for entry in root.iter("entry"):
            if entry.get("line-number") == str(line):
                commit = entry.find("commit")
                if commit is None:
                    break
                return BlameLine(
                    line,
                    commit.get("revision"),
                    commit.findtext("author"),
                    commit.findtext("date"),
                    text,
                )
        return BlameLine(line, None, None, None, text)
