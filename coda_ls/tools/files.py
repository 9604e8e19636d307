"""read_file, list_files, write_file, edit_file: the workspace's files.

With an editor (`ctx.buffers`), a file open in it is what the user sees: the tools read
its buffer, unsaved changes included, and change it through the editor; files that are
not open are read and written on disk.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import Field

from coda_ls.edits import Replacement, apply_replacements
from coda_ls.errors import ToolError
from coda_ls.tools import listing
from coda_ls.tools.base import Tool, ToolArgs, ToolContext, ToolResult
from coda_ls.tools.permissions import PermissionRequest
from coda_ls.tools.textfile import read_text, unified_diff, write_atomic
from coda_ls.tools.workspace import relative, resolve, resolve_read

MAX_LINES = 2000
MAX_LINE_CHARS = 2000
MAX_LISTED = 1000


def _buffer_text(ctx: ToolContext, path: Path) -> str | None:
    """The open buffer's text, or None when there is no editor or the file is not open."""
    return ctx.buffers.text(path) if ctx.buffers is not None else None


async def _current_text(ctx: ToolContext, path: Path, shown: str) -> str:
    """What the user sees: the open buffer if there is one, else the file on disk."""
    text = _buffer_text(ctx, path)
    if text is not None:
        return text
    return await asyncio.to_thread(read_text, path, shown)


async def _store(ctx: ToolContext, path: Path, shown: str, text: str) -> None:
    """Make `path` hold `text`: through the editor when it is open there (undoable, and the
    buffer never goes stale against the disk), else by an atomic write to disk."""
    if ctx.buffers is not None and ctx.buffers.text(path) is not None:
        if not await ctx.buffers.apply(path, text):
            raise ToolError(
                f"the editor refused the edit to {shown}; nothing was changed",
                "the document may have changed meanwhile: read it again before retrying",
            )
        return
    await asyncio.to_thread(write_atomic, path, text)


class ReadFileArgs(ToolArgs):
    path: str = Field(description="File path relative to the workspace root")
    start_line: int | None = Field(None, ge=1, description="First line to read (1-based)")
    end_line: int | None = Field(None, ge=1, description="Last line to read (inclusive)")


class ReadFile(Tool[ReadFileArgs]):
    name = "read_file"
    description = (
        "Read a text file of the workspace (or `[project] path` of another project in it), "
        "with line numbers. Give start_line/end_line "
        f"for a range; at most {MAX_LINES} lines are returned per call."
    )
    category = "read"
    Args = ReadFileArgs

    async def describe(self, args: ReadFileArgs, ctx: ToolContext) -> PermissionRequest:
        span = f" lines {args.start_line or 1}-{args.end_line or 'end'}" if args.start_line else ""
        return PermissionRequest(self.name, self.category, f"Read {args.path}{span}")

    async def run(self, args: ReadFileArgs, ctx: ToolContext) -> ToolResult:
        # Other projects of the workspace are readable as `[name] path` (never writable).
        path, shown = resolve_read(ctx.workspace, args.path, ctx.extra.get("projects"))
        text = await _current_text(ctx, path, shown)
        lines = text.splitlines()
        total = len(lines)
        start = args.start_line or 1
        end = min(args.end_line or total, total)
        if args.end_line is not None and args.end_line < start:
            raise ToolError(f"end_line {args.end_line} is before start_line {start}")
        if total == 0:
            return ToolResult(f"{shown} is empty")
        if start > total:
            raise ToolError(f"{shown} has {total} lines; start_line {start} is past the end")
        end = min(end, start + MAX_LINES - 1)
        width = len(str(end))
        body = []
        for number in range(start, end + 1):
            line = lines[number - 1]
            if len(line) > MAX_LINE_CHARS:
                line = line[:MAX_LINE_CHARS] + f" … [{len(line) - MAX_LINE_CHARS} chars cut]"
            body.append(f"{number:>{width}}│{line}")
        header = f"{shown} (lines {start}-{end} of {total})"
        if end < total and (args.end_line is None or args.end_line > end):
            body.append(f"… more lines follow; read on with start_line={end + 1}")
        return ToolResult(header + "\n" + "\n".join(body))


class ListFilesArgs(ToolArgs):
    pattern: str = Field("**", description="Glob, e.g. '*.py', 'src/**/*.ts' ('**' = all)")
    path: str = Field(".", description="Directory to list, relative to the workspace root")


class ListFiles(Tool[ListFilesArgs]):
    name = "list_files"
    description = (
        "List the workspace's files (version-controlled and new ones, ignored files left out) "
        "matching a glob. A pattern without '/' matches file names at any depth."
    )
    category = "read"
    Args = ListFilesArgs

    async def describe(self, args: ListFilesArgs, ctx: ToolContext) -> PermissionRequest:
        return PermissionRequest(self.name, self.category, f"List {args.pattern} in {args.path}")

    async def run(self, args: ListFilesArgs, ctx: ToolContext) -> ToolResult:
        directory = relative(ctx.workspace, resolve(ctx.workspace, args.path))
        found = [
            name
            for name in await listing.workspace_files(ctx)
            if listing.under(name, directory)
            and listing.matches(args.pattern, _inside(name, directory))
        ]
        if not found:
            return ToolResult(f"no files match {args.pattern!r} in {directory}")
        shown = found[:MAX_LISTED]
        more = len(found) - len(shown)
        tail = f"\n… and {more} more; narrow the pattern" if more else ""
        return ToolResult("\n".join(shown) + tail)


def _inside(name: str, directory: str) -> str:
    return name if directory in ("", ".") else name[len(directory) + 1 :]


class WriteFileArgs(ToolArgs):
    path: str = Field(description="File path relative to the workspace root")
    content: str = Field(description="The complete new content of the file")


class WriteFile(Tool[WriteFileArgs]):
    name = "write_file"
    description = (
        "Create a file or replace its whole content. Prefer edit_file to change part of "
        "an existing file."
    )
    category = "write"
    Args = WriteFileArgs

    async def describe(self, args: WriteFileArgs, ctx: ToolContext) -> PermissionRequest:
        path = resolve(ctx.workspace, args.path, for_write=True)
        shown = relative(ctx.workspace, path)
        open_text = _buffer_text(ctx, path)
        exists = open_text is not None or path.exists()
        old = await _current_text(ctx, path, shown) if exists else ""
        lines = len(args.content.splitlines())
        what = "overwrite" if exists else "new file"
        return PermissionRequest(
            self.name,
            self.category,
            f"Write {shown} ({lines} lines, {what})",
            diff=unified_diff(old, args.content, shown, new_file=not exists),
            details={"path": shown},
            old_text=old if exists else None,
            new_text=args.content,
        )

    async def run(self, args: WriteFileArgs, ctx: ToolContext) -> ToolResult:
        path = resolve(ctx.workspace, args.path, for_write=True)
        shown = relative(ctx.workspace, path)
        if path.is_dir():
            raise ToolError(f"{shown} is a directory")
        existed = _buffer_text(ctx, path) is not None or path.exists()
        await _store(ctx, path, shown, args.content)
        verb = "overwrote" if existed else "created"
        return ToolResult(f"{verb} {shown} ({len(args.content.splitlines())} lines)")


class EditBlock(ToolArgs):
    search: str = Field(description="Exact text to find (must occur exactly once)")
    replace: str = Field(description="Text to put in its place")
    replace_all: bool = Field(False, description="Replace every occurrence instead")


class EditFileArgs(ToolArgs):
    path: str = Field(description="File path relative to the workspace root")
    edits: list[EditBlock] = Field(
        min_length=1, description="Search/replace blocks, applied in order; all or nothing"
    )


class EditFile(Tool[EditFileArgs]):
    name = "edit_file"
    description = (
        "Change part of a file with exact search/replace blocks. Each search text must "
        "match exactly once (whitespace included); copy it from read_file without the "
        "line numbers. Fails without changing anything if a block does not match."
    )
    category = "write"
    Args = EditFileArgs

    async def _apply(self, args: EditFileArgs, ctx: ToolContext) -> tuple[Path, str, str, str]:
        path = resolve(ctx.workspace, args.path, for_write=True)
        shown = relative(ctx.workspace, path)
        old = await _current_text(ctx, path, shown)
        blocks = [Replacement(e.search, e.replace, e.replace_all) for e in args.edits]
        return path, shown, old, apply_replacements(old, blocks, shown=shown)

    async def describe(self, args: EditFileArgs, ctx: ToolContext) -> PermissionRequest:
        _, shown, old, new = await self._apply(args, ctx)
        count = len(args.edits)
        return PermissionRequest(
            self.name,
            self.category,
            f"Edit {shown} ({count} block{'s' if count > 1 else ''})",
            diff=unified_diff(old, new, shown),
            details={"path": shown},
            old_text=old,
            new_text=new,
        )

    async def run(self, args: EditFileArgs, ctx: ToolContext) -> ToolResult:
        # Applied again (not reused from describe): the file may have changed while the
        # user was deciding, and an edit must match what is there (buffer or disk) now.
        path, shown, old, new = await self._apply(args, ctx)
        if new == old:
            return ToolResult(f"{shown} unchanged (the replacement equals the search text)")
        await _store(ctx, path, shown, new)
        diff = unified_diff(old, new, shown)
        return ToolResult(f"edited {shown}\n{diff}")
