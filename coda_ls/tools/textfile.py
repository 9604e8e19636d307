"""Reading and writing workspace text files: binary detection, unified diffs, atomic writes."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from coda_ls.errors import ToolError

MAX_READ_BYTES = 5_000_000


def read_text(path: Path, shown: str) -> str:
    """The file's text; a clear ToolError for a directory, a binary or a missing file."""
    if path.is_dir():
        raise ToolError(f"{shown} is a directory", "use list_files to see what it holds")
    if not path.exists():
        raise ToolError(f"{shown} does not exist", "use list_files or search to find the file")
    size = path.stat().st_size
    if size > MAX_READ_BYTES:
        raise ToolError(
            f"{shown} is {size:,} bytes, more than the {MAX_READ_BYTES:,} Coda reads",
            "use search to find the lines you need",
        )
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise ToolError(f"{shown} is a binary file")
    return data.decode("utf-8", errors="replace")


def unified_diff(old: str, new: str, shown: str, *, new_file: bool = False) -> str:
    """A unified diff of `old` → `new`, labelled like git's (a/…, b/…)."""
    before = "/dev/null" if new_file else f"a/{shown}"
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), before, f"b/{shown}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)  # fmt: skip


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, keeping the old file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".coda-tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
