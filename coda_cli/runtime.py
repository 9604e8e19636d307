"""Open the core for a command: the project's Workspace, with the CLI's ways to show
progress and to ask the user for permission."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from coda_cli.state import AppState

if TYPE_CHECKING:
    from coda_ls.workspace import Asker, Workspace

T = TypeVar("T")
log = logging.getLogger(__name__)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from a click command (one event loop per command)."""
    return asyncio.run(coro)


def open_workspace(
    state: AppState,
    overrides: Mapping[str, Any] | None = None,
    *,
    start: Path | None = None,
    with_map: bool = True,
    asker: Asker | None = None,
) -> Workspace:
    """The Workspace of the current project (settings from every layer, `overrides` on
    top), its summary read and, with `with_map`, its map built with a progress bar."""
    from coda_ls.workspace import Workspace

    workspace = Workspace.open(start, overrides, asker=asker)
    if state.projects:
        workspace.add_projects(state.projects)
    workspace.summary()
    if with_map:
        build_map(state, workspace)
    return workspace


def build_map(state: AppState, workspace: Workspace, *, show: bool = True) -> None:
    """Build (or load from cache) the workspace's map, with a progress bar on stderr."""
    console = state.err_console
    if not show or not console.is_terminal:
        workspace.build_map()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("mapping {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(workspace.root.name, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        workspace.build_map(update)
