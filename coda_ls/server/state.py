"""Per-workspace-folder state kept by the server: engine, repo map, project."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coda_ls.config import Settings
from coda_ls.engine import Engine
from coda_ls.tools import Asker, Buffers, Toolbox

log = logging.getLogger(__name__)


@dataclass
class WorkspaceState:
    root: Path
    engine: Engine
    repo_map: Any = None  # coda_ls.repomap.RepoMap once built
    map_ready: asyncio.Event = field(default_factory=asyncio.Event)
    map_task: asyncio.Task[None] | None = None
    pending_updates: dict[Path, asyncio.TimerHandle] = field(default_factory=dict)
    asker: Asker | None = None
    buffers: Buffers | None = None  # the editor's open documents, for the file tools

    def apply_settings(self, settings: Settings) -> None:
        """New settings: provider/model may have changed, and the tools' permissions."""
        self.engine.update_settings(settings)
        if self.asker is not None:
            self.engine.toolbox = Toolbox(self.root, settings, self.asker, buffers=self.buffers)


@dataclass
class RunningRequest:
    """An LLM command in flight, cancellable by request id, LSP message id or token."""

    request_id: str
    task: asyncio.Task[Any]
    token: str | None = None
    msg_id: Any = None
