"""Version control: one interface over git, Mercurial, Subversion, Fossil, Bazaar/Breezy,
Darcs, Jujutsu and Pijul, with a plain-directory fallback.

    from coda_ls.vcs import detect
    repo = detect(".")                   # cheap, sync: walks up to the innermost repository
    files = await repo.tracked_files()   # async; repo.sync.tracked_files() from sync code
"""

from __future__ import annotations

from coda_ls.errors import VCSCommandError, VCSTimeout
from coda_ls.vcs.base import BlameLine, Commit, LogEntry, Status, SyncView, VCSBackend, run_sync
from coda_ls.vcs.detect import BACKENDS, MARKERS, detect, detect_sync, find_root, installed
from coda_ls.vcs.ignore import IgnoreMatcher
from coda_ls.vcs.info import VCSInfo, describe, describe_sync

__all__ = [
    "BACKENDS",
    "MARKERS",
    "BlameLine",
    "Commit",
    "IgnoreMatcher",
    "LogEntry",
    "Status",
    "SyncView",
    "VCSBackend",
    "VCSCommandError",
    "VCSInfo",
    "VCSTimeout",
    "describe",
    "describe_sync",
    "detect",
    "detect_sync",
    "find_root",
    "installed",
    "run_sync",
]
