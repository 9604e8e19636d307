"""Checks of local components for `coda doctor`: grammars and queries, the session
database, the cache directory, and the VCS tools."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coda_cli.commands.doctor import Check
    from coda_cli.state import AppState


def grammar_check() -> Check:
    """Every grammar loads and its tags query compiles (nothing is downloaded)."""
    from coda_cli.commands.doctor import Check
    from coda_ls.repomap.languages import LANGUAGES
    from coda_ls.repomap.tags import load_query

    broken = [name for name in LANGUAGES if load_query(name) is None]
    if broken:
        extras = sorted({e for name in broken if (e := LANGUAGES[name].extra) is not None})
        core = [name for name in broken if LANGUAGES[name].extra is None]
        return Check(
            "repo map",
            "grammars",
            False if core else None,  # an optional extra not installed is no fault
            f"{len(LANGUAGES) - len(broken)}/{len(LANGUAGES)} load; missing: {', '.join(broken)}",
            ("reinstall Coda (`pip install -e .`); " if core else "")
            + "".join(f"`pip install 'coda-assistant[{e}]'`; " for e in extras)
            + "those languages are listed, not parsed",
        )
    return Check("repo map", "grammars", True, f"{len(LANGUAGES)} languages, queries compile")


def database_check(state: AppState) -> Check:
    from coda_cli.commands.doctor import Check
    from coda_ls.errors import CodaError
    from coda_ls.sessions import SessionStore, default_db_path

    settings = state.settings().settings
    path = default_db_path(settings)
    try:
        store = SessionStore.from_settings(settings)
        count = len(store.list_sessions(limit=100_000))
        store.close()
    except (CodaError, OSError) as exc:
        return Check(
            "sessions",
            "database",
            False,
            f"{path}: {exc}",
            "check the permissions of the data directory, or set sessions.db_path",
        )
    return Check("sessions", "database", True, f"{path} ({count} sessions)")


def cache_check() -> Check:
    from coda_cli.commands.doctor import Check
    from coda_ls import paths

    directory = paths.cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        return Check(
            "cache",
            "directory",
            False,
            f"{directory}: {exc.strerror}",
            "make the cache directory writable (XDG_CACHE_HOME)",
        )
    return Check("cache", "directory", True, str(directory))


def vcs_checks(cwd: Path) -> list[Check]:
    from coda_cli.commands.doctor import Check
    from coda_ls.vcs import BACKENDS, find_root, installed

    found = find_root(cwd)
    here = ", ".join(sorted({m.backend.name for m in found[1]})) if found else "none"
    checks = [
        Check(
            "vcs",
            "this directory",
            True if found else None,
            f"{here} at {found[0]}" if found else "not in a repository (plain directory)",
        )
    ]
    tools = [(name, installed(backend)) for name, backend in BACKENDS.items() if name != "plain"]
    present = [name for name, ok in tools if ok]
    missing = [name for name, ok in tools if not ok]
    checks.append(
        Check(
            "vcs",
            "tools",
            True if present else None,
            f"installed: {', '.join(present) or 'none'}"
            + (f"; not installed: {', '.join(missing)}" if missing else ""),
            "install a system's tool to work in its repositories "
            "(e.g. apt-get install mercurial subversion fossil bzr darcs)"
            if missing
            else "",
        )
    )
    return checks


def local_checks(state: AppState, cwd: Path) -> list[Check]:
    return [grammar_check(), database_check(state), cache_check(), *vcs_checks(cwd)]
