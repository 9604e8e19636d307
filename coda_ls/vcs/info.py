"""Everything `coda vcs` shows about a repository, gathered in one concurrent pass."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coda_ls.errors import VCSCommandError
from coda_ls.vcs.base import Status, VCSBackend, run_sync
from coda_ls.vcs.detect import detect


@dataclass(frozen=True)
class VCSInfo:
    """What was detected: the system, where, on which branch and revision, what changed."""

    system: str
    label: str
    root: Path
    branch: str | None
    revision: str | None
    status: Status
    tracked: int
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "label": self.label,
            "root": str(self.root),
            "branch": self.branch,
            "revision": self.revision,
            "tracked_files": self.tracked,
            "status": self.status.to_dict(),
            "warnings": list(self.warnings),
        }


async def describe(backend: VCSBackend) -> VCSInfo:
    """Branch, revision, status and the tracked-file count, asked concurrently.

    A query that fails becomes a warning, so `coda vcs` always shows what it could learn.
    """
    warnings = [backend.warning] if backend.warning else []
    results = await asyncio.gather(
        backend.branch(),
        backend.revision(),
        backend.status(),
        backend.tracked_files(),
        return_exceptions=True,
    )
    values: list[Any] = []
    for result in results:
        if isinstance(result, VCSCommandError):
            warnings.append(result.message)
            values.append(None)
        elif isinstance(result, BaseException):
            raise result
        else:
            values.append(result)
    branch, revision, status, tracked = values
    return VCSInfo(
        backend.name,
        backend.label,
        backend.root,
        branch,
        revision,
        status if isinstance(status, Status) else Status(),
        len(tracked) if tracked is not None else 0,
        tuple(warnings),
    )


def describe_sync(path: str | Path = ".") -> VCSInfo:
    """`describe(detect(path))` for sync callers."""
    return run_sync(describe(detect(path)))
