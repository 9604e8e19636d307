"""A span per LSP command (`coda.lsp.command`, named, never with its arguments), when
telemetry is on; the request's own spans nest under it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from coda_ls import telemetry

Command = Callable[..., Awaitable[Any]]


def traced(name: str, handler: Command) -> Command:
    async def run(ls: Any, *args: Any) -> Any:
        tel = telemetry.get()
        if not tel.enabled:
            return await handler(ls, *args)
        with tel.span("coda.lsp.command", {"coda.command": name}):
            return await handler(ls, *args)

    return run
