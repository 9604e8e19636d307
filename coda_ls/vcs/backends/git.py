"""Git, through `git` with NUL-separated (`-z`) and porcelain output."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from coda_ls.errors import VCSCommandError
from coda_ls.vcs.backends._common import check_line
from coda_ls.vcs.base import BlameLine, Commit, LogEntry, Status, VCSBackend
from coda_ls.vcs.runner import Result, run

_UNCOMMITTED = "0" * 40


_FULL_ID = re.compile(r"[0-9a-f]{40}")


class GitBackend(VCSBackend):
    """A git work tree (also a submodule or a worktree, whose `.git` is a file)."""

    name = "git"
    label = "Git"
    binary = "git"

    async def _git(self, *args: str, ok: Sequence[int] = (0,)) -> Result:
        # core.quotepath=off: non-ASCII names come back as UTF-8, not octal escapes.
        return await run(
            ["git", "-c", "core.quotepath=off", "-c", "color.ui=never", *args],
            self.root,
            timeout=self.timeout,
            ok=ok,
        )

    async def tracked_files(self) -> list[str]:
        result = await self._git("ls-files", "-z", "--cached", "--recurse-submodules")
        files = {name for name in result.text.split("\0") if name}
        # Entries deleted from disk but still in the index stay tracked until committed.
        return sorted(files)

    async def ignored(self, path: str | Path) -> bool:
        rel = self.relative(path)
        result = await self._git("check-ignore", "-q", "--no-index", "--", rel, ok=(0, 1))
        return result.returncode == 0

    async def status(self) -> Status:
        result = await self._git("status", "--porcelain=v1", "-z", "--untracked-files=all")
        changed: list[str] = []
        added: list[str] = []
        removed: list[str] = []
        untracked: list[str] = []
        entries = result.text.split("\0")
        i = 0
        while i < len(entries):
            entry = entries[i]
            i += 1
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            if code == "??":
                untracked.append(path)
            elif "R" in code or "C" in code:
                # -z puts the source of a rename or copy in the next entry.
                source = entries[i] if i < len(entries) else ""
                i += 1
                added.append(path)
                if "R" in code and source:
                    removed.append(source)
            elif "D" in code:
                removed.append(path)
            elif "A" in code:
                added.append(path)
            elif code != "!!":
                changed.append(path)  # M, T, U (unmerged)
        return Status.build(changed, added, removed, untracked)

    async def _head(self) -> str | None:
        result = await self._git("rev-parse", "-q", "--verify", "HEAD^{commit}", ok=(0, 1, 128))
        head = result.text.strip()
        return head if result.returncode == 0 and head else None

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        args = ["diff", "--no-ext-diff", "--no-color"]
        if staged:
            args.append("--cached")
        head = await self._head()
        if not staged:
            # Everything uncommitted: compare the work tree with HEAD (or, before the
            # first commit, with the empty tree), so staged changes are included too.
            base = head or (await self._git("hash-object", "-t", "tree", "/dev/null")).text
            args.append(base.strip())
        if paths:
            args += ["--", *(self.relative(p) for p in paths)]
        return (await self._git(*args)).text

    async def revision(self) -> str | None:
        return await self._head()

    async def branch(self) -> str | None:
        result = await self._git("symbolic-ref", "--short", "-q", "HEAD", ok=(0, 1, 128))
        name = result.text.strip()
        return name if result.returncode == 0 and name else None

    async def log(self, n: int = 10) -> list[LogEntry]:
        if await self._head() is None:
            return []
        result = await self._git("log", "-z", f"-n{n}", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%s")
        entries = []
        for record in result.text.split("\0"):
            fields = record.split("\x1f")
            if len(fields) == 5:
                sha, author, email, date, subject = fields
                entries.append(LogEntry(sha, author, date, subject, email or None))
        return entries

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        result = await self._git("blame", "--porcelain", "-L", f"{line},{line}", "--", rel)
        lines = result.text.splitlines()
        sha = lines[0].split(" ", 1)[0] if lines else ""
        headers: dict[str, str] = {}
        text = ""
        for row in lines[1:]:
            if row.startswith("\t"):
                text = row[1:]
                break
            key, _, value = row.partition(" ")
            headers[key] = value
        if sha == _UNCOMMITTED or not sha:
            return BlameLine(line, None, None, None, text)
        date = None
        if "author-time" in headers:
            from datetime import UTC, datetime

            date = datetime.fromtimestamp(int(headers["author-time"]), UTC).isoformat()
        return BlameLine(line, sha, headers.get("author"), date, text)

    # -- history (docs and changelog checks) --------------------------------------------

    async def resolve(self, rev: str) -> str:
        if _FULL_ID.fullmatch(rev):
            return rev  # already resolved: spare a subprocess (hg starts slowly)
        result = await self._git("rev-parse", "-q", "--verify", f"{rev}^{{commit}}", ok=(0, 1, 128))
        if result.returncode != 0 or not result.text.strip():
            raise VCSCommandError(
                f"unknown revision {rev!r} in {self.root}", hint="`git log` lists revisions"
            )
        return result.text.strip()

    async def file_at(self, path: str | Path, rev: str) -> str | None:
        commit = await self.resolve(rev)
        result = await self._git("show", f"{commit}:{self.relative(path)}", ok=(0, 128))
        return result.text if result.returncode == 0 else None

    async def changed_since(self, rev: str) -> list[str]:
        commit = await self.resolve(rev)
        # Against the work tree: committed and uncommitted changes alike.
        result = await self._git("diff", "--name-only", "-z", "--no-renames", commit)
        return sorted({name for name in result.text.split("\0") if name})

    async def commits_since(self, rev: str | None) -> list[Commit]:
        if await self._head() is None:
            return []
        span = f"{await self.resolve(rev)}..HEAD" if rev else "HEAD"
        # \x1e starts a commit, \x1d ends its message; the file names follow, one a line.
        result = await self._git(
            "log", "--name-only", "--no-renames", "--format=%x1e%H%x1f%B%x1d", span
        )
        commits = []
        for chunk in result.text.split("\x1e")[1:]:
            head, _, names = chunk.partition("\x1d")
            sha, _, message = head.partition("\x1f")
            files = tuple(sorted({n for n in names.splitlines() if n.strip()}))
            commits.append(Commit(sha.strip(), message.strip(), files))
        return commits

    async def last_tag(self) -> tuple[str, str] | None:
        if await self._head() is None:
            return None
        result = await self._git("describe", "--tags", "--abbrev=0", ok=(0, 128))
        tag = result.text.strip()
        if result.returncode != 0 or not tag:
            return None
        return tag, await self.resolve(tag)
