"""Jujutsu (`jj`), including repositories colocated with git (`.jj` next to `.git`).

Jujutsu snapshots the working copy into the working-copy commit `@` on every command, so
"uncommitted changes" are the changes of `@` against its parent `@-`, `revision` is the
parent's commit id, and there are no untracked files (new files are tracked unless
ignored by `.gitignore`).

No Debian, PyPI or npm package ships `jj` for this project's machines, so this backend
is tested only where a developer has installed `jj` by hand; its tests skip otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from coda_ls.vcs.backends._common import check_line, line_of
from coda_ls.vcs.base import BlameLine, LogEntry, Status, VCSBackend
from coda_ls.vcs.ignore import IgnoreMatcher
from coda_ls.vcs.runner import Result, run

_ROOT_COMMIT = "0" * 40
_LOG_TEMPLATE = (
    'commit_id ++ "\\t" ++ author.name() ++ "\\t" ++ author.email() ++ "\\t" '
    '++ author.timestamp() ++ "\\t" ++ description.first_line() ++ "\\n"'
)


class JjBackend(VCSBackend):
    """A Jujutsu workspace."""

    name = "jj"
    label = "Jujutsu"
    binary = "jj"

    async def _jj(self, *args: str, ok: Sequence[int] = (0,)) -> Result:
        return await run(
            ["jj", "--no-pager", "--color=never", "-R", str(self.root), *args],
            self.root,
            timeout=self.timeout,
            ok=ok,
        )

    async def tracked_files(self) -> list[str]:
        result = await self._jj("file", "list", "-r", "@")
        return sorted(line for line in result.text.splitlines() if line)

    async def ignored(self, path: str | Path) -> bool:
        # jj reads .gitignore files (and .git/info/exclude when colocated).
        return IgnoreMatcher(self.root, (".gitignore",), hgignore=False).is_ignored(
            self.relative(path)
        )

    async def status(self) -> Status:
        result = await self._jj("diff", "--summary", "-r", "@")
        changed: list[str] = []
        added: list[str] = []
        removed: list[str] = []
        for line in result.text.splitlines():
            code, _, path = line.partition(" ")
            if code in ("R", "C") and "{" in path and " => " in path:
                # "R src/{old.py => new.py}"
                prefix, _, rest = path.partition("{")
                inner, _, suffix = rest.partition("}")
                old, _, new = inner.partition(" => ")
                added.append((prefix + new + suffix).replace("//", "/"))
                if code == "R":
                    removed.append((prefix + old + suffix).replace("//", "/"))
            elif code == "M":
                changed.append(path)
            elif code == "A":
                added.append(path)
            elif code == "D":
                removed.append(path)
        return Status.build(changed, added, removed, ())

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        args = ["diff", "--git", "-r", "@"]
        if paths:
            args += [self.relative(p) for p in paths]
        return (await self._jj(*args)).text

    async def revision(self) -> str | None:
        commit = (await self._jj("log", "--no-graph", "-r", "@-", "-T", "commit_id")).text
        commit = commit.strip().splitlines()[0] if commit.strip() else ""
        return None if not commit or commit == _ROOT_COMMIT else commit

    async def branch(self) -> str | None:
        for revision in ("@", "@-"):
            result = await self._jj("log", "--no-graph", "-r", revision, "-T", "bookmarks")
            names = result.text.split()
            if names:
                return names[0].rstrip("*").split("@", 1)[0] or None
        return None

    async def log(self, n: int = 10) -> list[LogEntry]:
        result = await self._jj(
            "log", "--no-graph", "-r", "::@- ~ root()", "-n", str(n), "-T", _LOG_TEMPLATE
        )
        entries = []
        for line in result.text.splitlines():
            fields = line.split("\t")
            if len(fields) == 5:
                commit, author, email, date, subject = fields
                entries.append(LogEntry(commit, author, date, subject, email or None))
        return entries

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        text = line_of(self.root, rel, line)
        result = await self._jj(
            "file",
            "annotate",
            "-T",
            'commit.commit_id() ++ "\\t" ++ commit.author().name() ++ "\\t" '
            '++ commit.author().timestamp() ++ "\\n"',
            rel,
        )
        rows = result.text.splitlines()
        if line > len(rows):
            return BlameLine(line, None, None, None, text)
        fields = rows[line - 1].split("\t")
        if len(fields) < 3:
            return BlameLine(line, None, None, None, text)
        return BlameLine(line, fields[0], fields[1], fields[2], text)
