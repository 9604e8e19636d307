"""The shell's state: what the slash commands read and change between questions."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coda_cli.shell.themes import DEFAULT_THEME
from coda_cli.shell.tty import EchoGuard

if TYPE_CHECKING:
    from rich.console import Console

    from coda_cli.render import StreamPrinter
    from coda_cli.shell.tools import ToolSwitch
    from coda_cli.state import AppState
    from coda_ls.workspace import Attachment, Engine, SessionStore, Workspace

Ask = Callable[[str], Awaitable[str]]
"""Asks the user one line (the interactive picker of `/model`); raises EOFError when
nobody can answer."""


@dataclass
class ShellState:
    """One running shell. Plain data plus the workspace, so slash commands are plain
    functions of it that tests can call without a terminal."""

    app: AppState
    core: Workspace
    console: Console
    mode: str = "chat"
    provider: str | None = None
    model: str | None = None
    session_id: str | None = None
    files: list[Path] = field(default_factory=list)
    attached: list[Attachment] = field(default_factory=list)  # /image, /attach: next question
    theme: str = DEFAULT_THEME
    interactive: bool = False
    tools: ToolSwitch | None = None
    models: list[str] = field(default_factory=list)  # names for completion and /model
    sessions_used: list[str] = field(default_factory=list)  # for the exit panel
    started: float = field(default_factory=time.time)
    ask_user: Ask | None = None
    printer: StreamPrinter | None = None  # the answer streaming now, if any
    failures: int = 0
    active: str | None = None  # provider/model that answered last (when model is auto)
    echo: EchoGuard = field(default_factory=EchoGuard)

    @property
    def engine(self) -> Engine:
        return self.core.engine

    @property
    def store(self) -> SessionStore:
        return self.core.store

    @property
    def workspace(self) -> Path:
        return self.core.root

    def use_session(self, session_id: str | None) -> None:
        self.session_id = session_id
        if session_id is not None and session_id not in self.sessions_used:
            self.sessions_used.append(session_id)

    def model_label(self) -> str:
        if self.model:
            return f"{self.provider}/{self.model}" if self.provider else self.model
        return self.active or (f"{self.provider}/auto" if self.provider else "auto")
