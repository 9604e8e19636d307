"""Build the core objects a command needs (engine, store, map) from the CLI's state."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from coda_cli.state import AppState
from coda_ls.engine import Engine

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from a click command (one event loop per command)."""
    return asyncio.run(coro)


def make_engine(
    state: AppState,
    overrides: Mapping[str, Any] | None = None,
    *,
    workspace: Path | None = None,
    with_map: bool = True,
) -> Engine:
    """An engine for the current project, with sessions and the repo map when available."""
    loaded = state.settings(overrides)
    root = (workspace or Path.cwd()).resolve()
    return Engine(loaded.settings, root)
