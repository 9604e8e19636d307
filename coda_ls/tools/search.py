"""search: a regular expression over the workspace's files, ripgrep style (path:line:text)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from pydantic import Field

from coda_ls.errors import ToolError
from coda_ls.tools import listing
from coda_ls.tools.base import Tool, ToolArgs, ToolContext, ToolResult
from coda_ls.tools.permissions import PermissionRequest
from coda_ls.tools.workspace import relative, resolve

MAX_FILE_BYTES = 2_000_000
MAX_LINE_CHARS = 300


class SearchArgs(ToolArgs):
    pattern: str = Field(description="Regular expression (Python syntax)")
    path: str = Field(".", description="Directory to search, relative to the workspace root")
    glob: str | None = Field(None, description="Only files matching this glob, e.g. '*.py'")
    ignore_case: bool = Field(False, description="Case-insensitive match")
    max_results: int = Field(200, ge=1, le=2000, description="Stop after this many lines")


class Search(Tool[SearchArgs]):
    name = "search"
    description = (
        "Search the workspace's files (ignored files left out) for a regular expression; "
        "returns path:line:text for each matching line."
    )
    category = "read"
    Args = SearchArgs

    async def describe(self, args: SearchArgs, ctx: ToolContext) -> PermissionRequest:
        return PermissionRequest(
            self.name, self.category, f"Search {args.pattern!r} in {args.path}"
        )

    async def run(self, args: SearchArgs, ctx: ToolContext) -> ToolResult:
        try:
            regex = re.compile(args.pattern, re.IGNORECASE if args.ignore_case else 0)
        except re.error as exc:
            raise ToolError(f"invalid regular expression {args.pattern!r}: {exc}") from None
        directory = relative(ctx.workspace, resolve(ctx.workspace, args.path))
        names = [
            n
            for n in await listing.workspace_files(ctx)
            if listing.under(n, directory) and (args.glob is None or listing.matches(args.glob, n))
        ]
        root = ctx.workspace.resolve()
        # Open editor buffers are searched as the user sees them (unsaved text included).
        unsaved: dict[str, str] = {}
        if ctx.buffers is not None:
            wanted = set(names)
            for path in ctx.buffers.paths():
                if path.is_relative_to(root):
                    name = path.relative_to(root).as_posix()
                    text = ctx.buffers.text(path)
                    if name in wanted and text is not None:
                        unsaved[name] = text
        prefilter = None
        if "\\A" not in args.pattern and "\\Z" not in args.pattern:
            # One search over the whole file skips most files without splitting them into
            # lines; \A and \Z mean "start/end of line" here, so they cannot prefilter.
            prefilter = re.compile(args.pattern, regex.flags | re.MULTILINE)
        hits, files = await asyncio.to_thread(
            _scan, root, names, regex, prefilter, args.max_results, unsaved
        )
        if not hits:
            return ToolResult(f"no match for {args.pattern!r} in {len(names)} files")
        more = f"\n… stopped at {args.max_results} matches" if len(hits) >= args.max_results else ""
        return ToolResult("\n".join(hits) + f"\n({len(hits)} matches in {files} files){more}")


def _scan(
    root: Path,
    names: list[str],
    regex: re.Pattern[str],
    prefilter: re.Pattern[str] | None,
    limit: int,
    unsaved: dict[str, str] | None = None,
) -> tuple[list[str], int]:
    hits: list[str] = []
    files = 0
    for name in names:
        if unsaved and name in unsaved:
            text = unsaved[name]
        else:
            path = root / name
            try:
                if path.is_symlink() and not path.resolve().is_relative_to(root):
                    continue  # a tracked symlink out of the workspace is not ours to read
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue  # deleted or unreadable since it was listed
            if b"\0" in data[:8192]:
                continue
            text = data.decode("utf-8", "replace")
        if prefilter is not None and "\r" not in text and prefilter.search(text) is None:
            continue
        matched = False
        for number, line in enumerate(text.splitlines(), start=1):
            if regex.search(line):
                if len(line) > MAX_LINE_CHARS:
                    line = line[:MAX_LINE_CHARS] + " …"
                hits.append(f"{name}:{number}:{line}")
                matched = True
                if len(hits) >= limit:
                    return hits, files + 1
        files += matched
    return hits, files
