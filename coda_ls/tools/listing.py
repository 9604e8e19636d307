"""The files the tools see: what the VCS layer lists (tracked + untracked, not ignored),
relative to the workspace, and a glob matcher with `**` for them."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from coda_ls.errors import ToolError

if TYPE_CHECKING:
    from coda_ls.tools.base import ToolContext
    from coda_ls.vcs import VCSBackend


def backend(ctx: ToolContext) -> VCSBackend:
    """The VCS backend of the workspace. Detected on each call (it only looks for marker
    directories), so a `git init` run through the shell tool is seen at once."""
    from coda_ls.vcs import detect

    return detect(ctx.workspace)


async def workspace_files(ctx: ToolContext) -> list[str]:
    """Tracked and untracked-but-not-ignored files, POSIX paths relative to the workspace."""
    from coda_ls.vcs import VCSCommandError, VCSTimeout

    repo = backend(ctx)
    try:
        names = set(await repo.tracked_files())
        if repo.name != "plain":
            names.update((await repo.status()).untracked)
    except (VCSCommandError, VCSTimeout) as exc:
        raise ToolError(f"cannot list files: {exc}") from None
    root = ctx.workspace.resolve()
    if root == repo.root.resolve():
        return sorted(names)
    # The workspace is a subdirectory of the repository: keep its files, re-rooted.
    prefix = root.relative_to(repo.root.resolve()).as_posix() + "/"
    return sorted(n[len(prefix) :] for n in names if n.startswith(prefix))


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a glob over POSIX paths: `**` spans directories, `*` and `?` do not.

    A pattern without `/` matches the file name at any depth (`*.py`), as in ripgrep's -g.
    """
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern:
        pattern = "**/" + pattern
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def matches(pattern: str, path: str) -> bool:
    return glob_regex(pattern).match(path) is not None


def under(path: str, directory: str) -> bool:
    """Whether workspace-relative `path` lies in workspace-relative `directory`."""
    return directory in ("", ".") or path == directory or path.startswith(directory + "/")
