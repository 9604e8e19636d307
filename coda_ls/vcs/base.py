"""The one interface every version-control backend implements, and its result types.

Paths in and out are POSIX strings relative to the backend's `root` ("src/a.py"), so the
repo map, the tools and the CLI can compare results across systems. Every method that
runs a VCS tool is async (an asyncio subprocess with a timeout); `SyncView` wraps them
for sync callers (the repo map, the CLI).
"""

from __future__ import annotations

import abc
import asyncio
import concurrent.futures
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from coda_ls.errors import VCSCommandError, WorkspaceError
from coda_ls.vcs.runner import DEFAULT_TIMEOUT

T = TypeVar("T")


@dataclass(frozen=True)
class Status:
    """Uncommitted changes: files only (never directories), sorted, relative to the root."""

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    untracked: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not (self.changed or self.added or self.removed or self.untracked)

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "changed": list(self.changed),
            "added": list(self.added),
            "removed": list(self.removed),
            "untracked": list(self.untracked),
        }

    @classmethod
    def build(
        cls,
        changed: Sequence[str] = (),
        added: Sequence[str] = (),
        removed: Sequence[str] = (),
        untracked: Sequence[str] = (),
    ) -> Status:
        """A Status with each list deduplicated and sorted."""
        return cls(
            tuple(sorted(set(changed))),
            tuple(sorted(set(added))),
            tuple(sorted(set(removed))),
            tuple(sorted(set(untracked))),
        )


@dataclass(frozen=True)
class LogEntry:
    """One commit (check-in, changeset, patch), newest first in `log()`."""

    revision: str
    author: str
    date: str  # ISO 8601 where the tool gives enough to build it, else the tool's own text
    message: str  # first line only
    email: str | None = None


@dataclass(frozen=True)
class Commit:
    """One commit with the files it touched (root-relative), for history questions
    (`changes_since`): the docs and changelog checks."""

    revision: str
    message: str  # the whole message, stripped
    files: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()


@dataclass(frozen=True)
class BlameLine:
    """Who last changed one line. `revision` is None for a line not yet committed."""

    line: int
    revision: str | None
    author: str | None
    date: str | None
    text: str


@dataclass
class VCSBackend(abc.ABC):
    """A repository (or plain directory) rooted at `root`.

    Contract for subclasses: every method returns root-relative POSIX paths, runs its tool
    through `coda_ls.vcs.runner.run` (never blocking the event loop), and raises
    `VCSCommandError` when the tool fails in a way the caller should see. `warning` holds a
    one-line note when detection degraded (e.g. "hg not installed; using plain files").
    """

    root: Path
    timeout: float = DEFAULT_TIMEOUT
    warning: str | None = field(default=None, compare=False)

    name: ClassVar[str] = ""  # "git", "hg", ... set by each subclass
    label: ClassVar[str] = ""  # human name: "Git", "Mercurial", ...
    binary: ClassVar[str | None] = None  # the command-line tool it runs

    @abc.abstractmethod
    async def tracked_files(self) -> list[str]:
        """Every file under version control (including ones added but not committed), sorted."""

    @abc.abstractmethod
    async def ignored(self, path: str | Path) -> bool:
        """Whether the system's ignore rules exclude `path` (absolute or root-relative)."""

    @abc.abstractmethod
    async def status(self) -> Status:
        """Files changed, added, removed and untracked (not ignored) in the working copy."""

    @abc.abstractmethod
    async def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        """Unified diff of uncommitted changes against the last commit.

        Git: `staged=True` gives only what is in the index, `staged=False` everything
        uncommitted (index + working tree). Systems without a staging area commit every
        change, so both give the same diff there.
        """

    @abc.abstractmethod
    async def revision(self) -> str | None:
        """The identifier of the checked-out commit; None before the first commit."""

    @abc.abstractmethod
    async def branch(self) -> str | None:
        """The current branch (bookmark, nick) name; None when detached or not a concept."""

    @abc.abstractmethod
    async def log(self, n: int = 10) -> list[LogEntry]:
        """The last `n` commits of the current line of history, newest first."""

    @abc.abstractmethod
    async def blame(self, path: str | Path, line: int) -> BlameLine:
        """Who last changed `line` (1-based) of `path`."""

    # history: optional, for the docs and changelog checks. A backend that has no
    # implementation says so with a VCSCommandError (a hint names the systems that do).

    async def resolve(self, rev: str) -> str:
        """The full identifier of revision `rev` (a tag, branch, short hash...)."""
        raise self._no_history()

    async def file_at(self, path: str | Path, rev: str) -> str | None:
        """The contents of `path` at revision `rev`; None when it did not exist there."""
        raise self._no_history()

    async def changed_since(self, rev: str) -> list[str]:
        """Files that differ between `rev` and the working copy (committed or not), sorted."""
        raise self._no_history()

    async def commits_since(self, rev: str | None) -> list[Commit]:
        """Commits after `rev` up to the checked-out one (all when None), newest first."""
        raise self._no_history()

    async def last_tag(self) -> tuple[str, str] | None:
        """(tag, revision) of the newest tag among the checked-out commit's ancestors."""
        raise self._no_history()

    def _no_history(self) -> VCSCommandError:
        return VCSCommandError(
            f"history queries (old file versions, commits since a revision) are not "
            f"implemented for {self.label or 'a plain directory'} at {self.root}",
            hint="the docs and changelog checks work in git and Mercurial repositories",
        )

    # helpers shared by every backend

    def relative(self, path: str | Path) -> str:
        """`path` (absolute, or relative to the root) as a root-relative POSIX string."""
        p = Path(path)
        if p.is_absolute():
            try:
                p = p.resolve().relative_to(self.root)
            except ValueError:
                try:
                    p = p.relative_to(self.root)  # a symlinked spelling of the root
                except ValueError:
                    raise WorkspaceError(
                        f"{path} is outside the repository at {self.root}"
                    ) from None
        return p.as_posix()

    @property
    def sync(self) -> SyncView:
        """The same methods, blocking: `backend.sync.status()`."""
        return SyncView(self)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, even when an event loop is already running here.

    With no running loop this is `asyncio.run`; inside one (a sync helper called from async
    code) the coroutine runs on a fresh loop in a worker thread, so it never deadlocks.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class SyncView:
    """Blocking wrappers around a backend's async methods."""

    def __init__(self, backend: VCSBackend) -> None:
        self.backend = backend

    def tracked_files(self) -> list[str]:
        return run_sync(self.backend.tracked_files())

    def ignored(self, path: str | Path) -> bool:
        return run_sync(self.backend.ignored(path))

    def status(self) -> Status:
        return run_sync(self.backend.status())

    def diff(self, paths: Sequence[str | Path] | None = None, staged: bool = False) -> str:
        return run_sync(self.backend.diff(paths, staged))

    def revision(self) -> str | None:
        return run_sync(self.backend.revision())

    def branch(self) -> str | None:
        return run_sync(self.backend.branch())

    def log(self, n: int = 10) -> list[LogEntry]:
        return run_sync(self.backend.log(n))

    def blame(self, path: str | Path, line: int) -> BlameLine:
        return run_sync(self.backend.blame(path, line))

    def resolve(self, rev: str) -> str:
        return run_sync(self.backend.resolve(rev))

    def file_at(self, path: str | Path, rev: str) -> str | None:
        return run_sync(self.backend.file_at(path, rev))

    def changed_since(self, rev: str) -> list[str]:
        return run_sync(self.backend.changed_since(rev))

    def commits_since(self, rev: str | None) -> list[Commit]:
        return run_sync(self.backend.commits_since(rev))

    def last_tag(self) -> tuple[str, str] | None:
        return run_sync(self.backend.last_tag())
