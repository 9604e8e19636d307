"""What every command shares: flags, the console, and the settings (loaded on demand)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from coda_ls.config import LoadedSettings


@dataclass
class AppState:
    debug: bool = False
    no_color: bool = False
    json_output: bool = False  # the command was given --json: errors are JSON on stdout too
    projects: tuple[Path, ...] = ()  # `coda --project PATH`: other projects joining this one
    _console: Console | None = field(default=None, repr=False)
    _err_console: Console | None = field(default=None, repr=False)

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = _console(self.no_color, stderr=False)
        return self._console

    @property
    def err_console(self) -> Console:
        if self._err_console is None:
            self._err_console = _console(self.no_color, stderr=True)
        return self._err_console

    def settings(
        self, overrides: Mapping[str, Any] | None = None, cwd: Path | None = None
    ) -> LoadedSettings:
        """Settings merged from every layer, flags on top (raises ConfigError)."""
        from coda_ls.config import load_settings

        clean = {key: value for key, value in (overrides or {}).items() if value is not None}
        return load_settings(cwd=cwd, overrides=clean)


PIPED_WIDTH = 1000
"""Columns when output is not a terminal and COLUMNS is unset: wide enough that nothing
(a path in a table, a long line) is wrapped for the program reading it."""


def _console(no_color: bool, *, stderr: bool) -> Console:
    """A console that wraps at the terminal's width, and not at all when piped (unless
    COLUMNS says how wide the reader is)."""
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width: int | None = None
    if not (stream is not None and stream.isatty()) and not os.environ.get("COLUMNS"):
        width = PIPED_WIDTH
    return Console(stderr=stderr, no_color=no_color, highlight=False, soft_wrap=stderr, width=width)


def app_state(ctx: click.Context | None = None) -> AppState:
    """The AppState of the running command (a default one outside `coda`)."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


pass_state = click.make_pass_decorator(AppState, ensure=True)
