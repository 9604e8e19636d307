"""What the server keeps beside each core Workspace: the background preparation task and
the debounced map updates of files being typed in; and the LLM requests in flight."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coda_ls.workspace import Workspace


@dataclass
class WorkspaceState:
    """One workspace folder: the core Workspace plus the server's timers for it."""

    core: Workspace
    map_task: asyncio.Task[None] | None = None
    pending_updates: dict[Path, asyncio.TimerHandle] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.core.root


@dataclass
class RunningRequest:
    """An LLM command in flight, cancellable by request id, LSP message id or token."""

    request_id: str
    task: asyncio.Task[Any]
    token: str | None = None
    msg_id: Any = None
