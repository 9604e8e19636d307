"""Every path a tool touches is resolved and checked to lie inside the workspace."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePath

from coda_ls.errors import WorkspaceError

# Writing into a VCS's metadata can corrupt the repository, and reading it is never
# needed (`.git/config` may hold a remote URL with a token). Compared case-insensitively
# at any depth: `.GIT` is the real `.git` on a case-insensitive file system, and a
# nested repository (`vendor/lib/.git`) is as fragile as the top one.
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".fossil-settings", ".jj", ".pijul"})
# Fossil keeps its checkout database in a file at the checkout's root.
VCS_FILES = frozenset({".fslckout", "_fossil_"})
VCS_METADATA = VCS_DIRS | VCS_FILES


def resolve(workspace: Path, raw: str, *, for_write: bool = False) -> Path:
    """`raw` (relative to the workspace, or absolute) resolved, refusing any escape.

    Symlinks are followed before the check, so a link pointing outside is refused like
    `../x`; a path that does not exist yet is checked through its nearest existing parent.
    """
    if not raw or not raw.strip():
        raise WorkspaceError("empty path", "give a path relative to the workspace root")
    if "\0" in raw:
        raise WorkspaceError("path contains a NUL byte")
    if for_write and _OTHER_PROJECT.match(raw.strip()):
        raise WorkspaceError(
            f"{raw}: refused, other projects are read-only",
            "tools write only in the current project; edit the other project there",
        )
    root = workspace.resolve()
    candidate = Path(raw).expanduser()
    if not candidate.is_absolute():
        candidate = root / candidate
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: symlink loop on 3.11
        raise WorkspaceError(f"{raw}: cannot resolve ({exc})") from None
    if resolved != root and not resolved.is_relative_to(root):
        why = "a symlink points outside it" if _via_symlink(root, candidate) else "it is outside"
        raise WorkspaceError(
            f"{raw}: refused, {why} the workspace {root}",
            "tools may only touch files inside the workspace",
        )
    metadata = vcs_metadata_part(resolved.relative_to(root))
    if metadata is not None:
        verb = "writing into" if for_write else "reading"
        shown = metadata + "/" if metadata.casefold() in VCS_DIRS else metadata
        raise WorkspaceError(
            f"{raw}: refused, {verb} {shown} (version-control metadata) is not allowed",
            "use the vcs_status, vcs_diff and vcs_log tools instead",
        )
    return resolved


_OTHER_PROJECT = re.compile(r"^\[[^\]\s/\\]+\]\s")


def resolve_read(
    workspace: Path, raw: str, projects: Mapping[str, Path] | None = None
) -> tuple[Path, str]:
    """A path to read, and how to show it: in the workspace, or in another project of it
    (`[name] rel/path`, or an absolute path inside one), checked like `resolve` there."""
    from coda_ls.projects import parse_address

    address = parse_address(raw, projects) if projects else None
    if address is None:
        path = resolve(workspace, raw)
        return path, relative(workspace, path)
    name, root, rel = address
    path = resolve(root, rel)
    return path, f"[{name}] {relative(root, path)}"


def vcs_metadata_part(rel: PurePath) -> str | None:
    """The first component of `rel` that is VCS metadata (any depth, any case), or None."""
    for part in rel.parts:
        if part.casefold() in VCS_METADATA:
            return part
    return None


def relative(workspace: Path, path: Path) -> str:
    """`path` as a POSIX string relative to the workspace ("." for the root)."""
    return path.relative_to(workspace.resolve()).as_posix() or "."


def _via_symlink(root: Path, candidate: Path) -> bool:
    current = candidate
    while current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
        if current == root:
            break
    return False
