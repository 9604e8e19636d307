"""Every path a tool touches is resolved and checked to lie inside the workspace."""

from __future__ import annotations

from pathlib import Path

from coda_ls.errors import WorkspaceError

# Writing into a VCS's metadata can corrupt the repository; reading it is never needed.
VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".fossil-settings", ".jj"})


def resolve(workspace: Path, raw: str, *, for_write: bool = False) -> Path:
    """`raw` (relative to the workspace, or absolute) resolved, refusing any escape.

    Symlinks are followed before the check, so a link pointing outside is refused like
    `../x`; a path that does not exist yet is checked through its nearest existing parent.
    """
    if not raw or not raw.strip():
        raise WorkspaceError("empty path", "give a path relative to the workspace root")
    if "\0" in raw:
        raise WorkspaceError("path contains a NUL byte")
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
    rel = resolved.relative_to(root)
    if rel.parts and rel.parts[0] in VCS_DIRS and for_write:
        raise WorkspaceError(f"{raw}: refused, writing into {rel.parts[0]}/ is not allowed")
    return resolved


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
