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
    _console: Console | None = field(default=None, repr=False)
    _err_console: Console | None = field(default=None, repr=False)

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(no_color=self.no_color, highlight=False)
        return self._console

    @property
    def err_console(self) -> Console:
        if self._err_console is None:
            from rich.console import Console

            self._err_console = Console(
                stderr=True, no_color=self.no_color, highlight=False, soft_wrap=True
            )
        return self._err_console

    def settings(
        self, overrides: Mapping[str, Any] | None = None, cwd: Path | None = None
    ) -> LoadedSettings:
        """Settings merged from every layer, flags on top (raises ConfigError)."""
        from coda_ls.config import load_settings

        clean = {key: value for key, value in (overrides or {}).items() if value is not None}
        return load_settings(cwd=cwd, overrides=clean)


def app_state(ctx: click.Context | None = None) -> AppState:
    """The AppState of the running command (a default one outside `coda`)."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


pass_state = click.make_pass_decorator(AppState, ensure=True)
