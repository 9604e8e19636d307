"""Mercurial, through `hg` with HGPLAIN, `-0` output and templates (incl. `-T json`)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coda_ls.errors import VCSCommandError
from coda_ls.vcs.backends._common import check_line
from coda_ls.vcs.base import BlameLine, Commit, LogEntry, Status, VCSBackend
from coda_ls.vcs.runner import Result, run

_NULL = "0" * 40


_FULL_ID = re.compile(r"[0-9a-f]{40}")


class HgBackend(VCSBackend):
    """A Mercurial working directory."""

    name = "hg"
    label = "Mercurial"
    binary = "hg"

    async def _hg(self, *args: str, ok: Sequence[int] = (0,)) -> Result:
        return await run(
            ["hg", "--cwd", str(self.root), "--noninteractive", "--color=never", *args],
            self.root,
            timeout=self.timeout,
            ok=ok,
        )

    async def tracked_files(self) -> list[str]:
        # `files` is relative to the cwd, which is the root here.
        result = await self._hg("files", "-0", ok=(0, 1))  # 1: no files at all
        return sorted(name for name in result.text.split("\0") if name)

    async def ignored(self, path: str | Path) -> bool:
        rel = self.relative(path)
        result = await self._hg("status", "-i", "-n", "-0", "--", f"path:{rel}")
        return bool(result.text.strip("\0"))

    async def status(self) -> Status:
        result = await self._hg("status", "-0")
        buckets: dict[str, list[str]] = {"M": [], "A": [], "R": [], "?": []}
        for entry in result.text.split("\0"):
            if len(entry) < 3:
                continue
            code, path = entry[0], entry[2:]
            if code == "!":  # deleted from disk without `hg remove`
                code = "R"
            if code in buckets:
                buckets[code].append(path)
        return Status.build(buckets["M"], buckets["A"], buckets["R"], buckets["?"])

    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        args = ["diff", "--git"]
        if paths:
            args += ["--", *(f"path:{self.relative(p)}" for p in paths)]
        return (await self._hg(*args)).text

    async def revision(self) -> str | None:
        node = (await self._hg("log", "-r", ".", "-T", "{node}")).text.strip()
        return None if not node or node == _NULL else node

    async def branch(self) -> str | None:
        result = await self._hg("log", "-r", ".", "-T", "{activebookmark}\\n{branch}")
        bookmark, _, branch = result.text.partition("\n")
        return bookmark.strip() or branch.strip() or None

    async def log(self, n: int = 10) -> list[LogEntry]:
        template = "{node}\\x1f{author|person}\\x1f{author|email}\\x1f{date|rfc3339date}"
        template += "\\x1f{desc|firstline}\\x00"
        result = await self._hg("log", "-l", str(n), "-r", "reverse(::.)", "-T", template)
        entries = []
        for record in result.text.split("\0"):
            fields = record.split("\x1f")
            if len(fields) == 5:
                node, person, email, date, subject = fields
                entries.append(LogEntry(node, person, date, subject, email or None))
        return entries

    async def blame(self, path: str | Path, line: int) -> BlameLine:
        check_line(line)
        rel = self.relative(path)
        # `wdir()` so the line numbers are those of the file as it is on disk now.
        result = await self._hg(
            "annotate", "-r", "wdir()", "-u", "-c", "-d", "-T", "json", "--", f"path:{rel}"
        )
        try:
            data: list[dict[str, Any]] = json.loads(result.text)
            rows = data[0]["lines"]
        except (ValueError, LookupError) as exc:
            raise VCSCommandError(f"unexpected `hg annotate` output for {rel}") from exc
        if line > len(rows):
            raise VCSCommandError(f"{rel} has fewer than {line} lines")
        row = rows[line - 1]
        text = str(row.get("line", "")).rstrip("\r\n")
        node = str(row.get("node", ""))
        if not node or node.startswith("ffffffff") or node.endswith("+"):
            return BlameLine(line, None, None, None, text)
        date = None
        if isinstance(row.get("date"), list) and row["date"]:
            date = datetime.fromtimestamp(float(row["date"][0]), UTC).isoformat()
        return BlameLine(line, node, row.get("user"), date, text)

    # -- history (docs and changelog checks) --------------------------------------------

    async def resolve(self, rev: str) -> str:
        if _FULL_ID.fullmatch(rev):
            return rev  # already resolved: spare a subprocess (hg starts slowly)
        result = await self._hg("log", "-l", "1", "-r", rev, "-T", "{node}", ok=(0, 255))
        node = result.text.strip()
        if result.returncode != 0 or not node:
            raise VCSCommandError(
                f"unknown revision {rev!r} in {self.root}", hint="`hg log` lists revisions"
            )
        return node

    async def file_at(self, path: str | Path, rev: str) -> str | None:
        node = await self.resolve(rev)
        result = await self._hg("cat", "-r", node, "--", f"path:{self.relative(path)}", ok=(0, 1))
        return result.text if result.returncode == 0 else None

    async def changed_since(self, rev: str) -> list[str]:
        node = await self.resolve(rev)
        # --rev with one revision compares it with the working directory.
        result = await self._hg("status", "-m", "-a", "-r", "-n", "-0", "--rev", node)
        return sorted({name for name in result.text.split("\0") if name})

    async def commits_since(self, rev: str | None) -> list[Commit]:
        if await self.revision() is None:
            return []
        revset = f"reverse(only(., {await self.resolve(rev)}))" if rev else "reverse(::.)"
        template = "{node}\\x1f{desc}\\x1f{join(files, '\\x1e')}\\x00"
        result = await self._hg("log", "-r", revset, "-T", template)
        commits = []
        for record in result.text.split("\0"):
            fields = record.split("\x1f")
            if len(fields) == 3:
                node, message, files = fields
                names = tuple(sorted({f for f in files.split("\x1e") if f}))
                commits.append(Commit(node, message.strip(), names))
        return commits

    async def last_tag(self) -> tuple[str, str] | None:
        # `latesttag` of `.` skips `tip`; several tags on one changeset come joined by ":".
        result = await self._hg("log", "-r", ".", "-T", "{latesttag}")
        tag = result.text.strip().split(":", 1)[0]
        if not tag or tag == "null":
            return None
        return tag, await self.resolve(tag)
