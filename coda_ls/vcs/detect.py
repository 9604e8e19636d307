"""Find the repository that holds a path: walk up, the innermost marker wins.

Cheap on purpose (a few `stat` calls per directory level, no subprocess): the repo map,
the CLI and the tools call it often. A repository whose tool is not installed degrades to
the plain-directory backend with a one-line warning, never an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from coda_ls.vcs.backends.bzr import BzrBackend
from coda_ls.vcs.backends.darcs import DarcsBackend
from coda_ls.vcs.backends.fossil import FossilBackend
from coda_ls.vcs.backends.git import GitBackend
from coda_ls.vcs.backends.hg import HgBackend
from coda_ls.vcs.backends.jj import JjBackend
from coda_ls.vcs.backends.pijul import PijulBackend
from coda_ls.vcs.backends.plain import PlainBackend
from coda_ls.vcs.backends.svn import SvnBackend
from coda_ls.vcs.base import VCSBackend
from coda_ls.vcs.runner import DEFAULT_TIMEOUT, which

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Marker:
    """A file or directory whose presence makes its directory a repository root."""

    name: str
    backend: type[VCSBackend]
    kind: str  # "dir", "file", or "any"
    inside: str | None = None  # must also exist inside it (bzr: a working tree)


# Order matters within one directory: a colocated jj repository also has `.git`.
MARKERS: tuple[Marker, ...] = (
    Marker(".jj", JjBackend, "dir"),
    Marker(".git", GitBackend, "any"),  # a file in submodules and linked worktrees
    Marker(".hg", HgBackend, "dir"),
    Marker(".svn", SvnBackend, "dir"),
    Marker(".fslckout", FossilBackend, "file"),
    Marker("_FOSSIL_", FossilBackend, "file"),
    Marker(".bzr", BzrBackend, "dir", inside="checkout"),  # a shared repo has no tree
    Marker("_darcs", DarcsBackend, "dir"),
    Marker(".pijul", PijulBackend, "dir"),
)

BACKENDS: dict[str, type[VCSBackend]] = {
    cls.name: cls
    for cls in (
        GitBackend,
        HgBackend,
        SvnBackend,
        FossilBackend,
        BzrBackend,
        DarcsBackend,
        JjBackend,
        PijulBackend,
        PlainBackend,
    )
}


def _present(directory: Path, marker: Marker) -> bool:
    path = directory / marker.name
    if marker.kind == "dir":
        found = path.is_dir()
    elif marker.kind == "file":
        found = path.is_file()
    else:
        found = path.exists()
    return found and (marker.inside is None or (path / marker.inside).exists())


def installed(backend: type[VCSBackend]) -> bool:
    """Whether the command-line tool a backend runs is on PATH."""
    if backend is BzrBackend:
        return BzrBackend.program() is not None
    return backend.binary is None or which(backend.binary) is not None


def find_root(path: str | Path) -> tuple[Path, list[Marker]] | None:
    """The innermost directory at or above `path` holding a VCS marker, and its markers."""
    start = Path(path).expanduser().resolve()
    if not start.is_dir():
        start = start.parent
    for directory in (start, *start.parents):
        found = [marker for marker in MARKERS if _present(directory, marker)]
        if found:
            return directory, found
    return None


def detect(path: str | Path = ".", *, timeout: float = DEFAULT_TIMEOUT) -> VCSBackend:
    """The backend for the repository holding `path` (a plain directory if there is none).

    Sync and cheap: no subprocess runs until a method of the backend is awaited.
    """
    found = find_root(path)
    if found is None:
        start = Path(path).expanduser().resolve()
        return PlainBackend(start if start.is_dir() else start.parent, timeout)
    root, markers = found
    missing: list[str] = []
    for marker in markers:
        if installed(marker.backend):
            warning = None
            if missing:
                warning = f"{missing[0]} is not installed; using {marker.backend.label} at {root}"
                log.warning("%s", warning)
            return marker.backend(root, timeout, warning)
        missing.append(marker.backend.binary or marker.backend.name)
    warning = (
        f"{markers[0].backend.label} repository at {root} but `{missing[0]}` is not "
        "installed; treating it as a plain directory"
    )
    log.warning("%s", warning)
    return PlainBackend(root, timeout, warning)


detect_sync = detect  # detection never blocks on a subprocess; the alias reads better in sync code
