"""Build the core objects a command needs (engine, store, map) from the CLI's state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from coda_cli.state import AppState

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.engine import Engine
    from coda_ls.repomap.repomap import RepoMap
    from coda_ls.tools import Asker

T = TypeVar("T")
log = logging.getLogger(__name__)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from a click command (one event loop per command)."""
    return asyncio.run(coro)


def project_root(start: Path | None = None) -> Path:
    """The repository root holding `start` (any VCS), else `start` itself."""
    from coda_ls.vcs import find_root

    here = (start or Path.cwd()).resolve()
    found = find_root(here)
    return found[0] if found else here


def build_map(state: AppState, root: Path, settings: Settings, *, show: bool = True) -> RepoMap:
    """Build (or load from cache) the repo map of `root`, with a progress bar on stderr."""
    from coda_ls.repomap.repomap import RepoMap

    repo_map = RepoMap(root, settings.repomap)
    console = state.err_console
    if not show or not console.is_terminal:
        repo_map.build()
        return repo_map
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("mapping {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(root.name, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        repo_map.build(update)
    return repo_map


def make_engine(
    state: AppState,
    overrides: Mapping[str, Any] | None = None,
    *,
    workspace: Path | None = None,
    with_map: bool = True,
    asker: Asker | None = None,
) -> Engine:
    """An engine for the current project, with sessions and the repo map."""
    from coda_ls.engine import Engine, project_summary
    from coda_ls.sessions import SessionStore

    loaded = state.settings(overrides)
    root = workspace or project_root()
    store = SessionStore.from_settings(loaded.settings)
    store.recover_interrupted()
    repo_map = build_map(state, root, loaded.settings) if with_map else None
    toolbox = None
    if asker is not None:
        from coda_ls.tools import Toolbox

        toolbox = Toolbox(root, loaded.settings, asker)
    return Engine(
        loaded.settings,
        root,
        store=store,
        repo_map=repo_map,
        project_summary=project_summary(root),
        toolbox=toolbox,
    )
