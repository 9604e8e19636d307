"""Small helpers several backends share."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from coda_ls.errors import WorkspaceError
from coda_ls.vcs.ignore import IgnoreMatcher


def expand_dirs(root: Path, paths: Iterable[str]) -> list[str]:
    """Replace each directory in `paths` by the files below it.

    Some tools (svn, bzr, darcs) report a whole untracked directory as one entry; the
    interface promises files only.
    """
    out: list[str] = []
    walker: IgnoreMatcher | None = None
    for rel in paths:
        rel = rel.rstrip("/")
        if (root / rel).is_dir():
            walker = walker or IgnoreMatcher(root, filenames=(), hgignore=False)
            out.extend(walker.walk(rel))
        else:
            out.append(rel)
    return out


def line_of(root: Path, rel: str, line: int) -> str:
    """The text of `line` (1-based) of a file in the working copy, without its newline."""
    try:
        with open(root / rel, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, 1):
                if number == line:
                    return text.rstrip("\r\n")
    except OSError as exc:
        raise WorkspaceError(f"cannot read {rel}: {exc.strerror}") from exc
    raise WorkspaceError(f"{rel} has fewer than {line} lines")


def check_line(line: int) -> None:
    if line < 1:
        raise WorkspaceError(f"line numbers start at 1, got {line}")
