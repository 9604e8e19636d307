"""Tool permissions asked in the page: the question goes out on the event stream of the
answer that wants the tool (found through a context variable, since one workspace serves
every open page), and the page's button posts the decision back."""

from __future__ import annotations

import asyncio
import contextvars
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from coda_ls.workspace import Decision, PermissionRequest

Emit = Callable[[str, dict[str, Any]], Awaitable[None]]

# The event stream of the answer running in this task (None outside an answer).
CURRENT_STREAM: contextvars.ContextVar[Emit | None] = contextvars.ContextVar(
    "coda_web_stream", default=None
)
WAIT_S = 600.0  # an unanswered prompt is a no, so an abandoned page does not hold a tool


class PageAsker:
    def __init__(self) -> None:
        self._pending: dict[str, asyncio.Future[Decision]] = {}

    async def ask(self, request: PermissionRequest) -> Decision:
        emit = CURRENT_STREAM.get()
        if emit is None:
            return Decision.NO
        ident = secrets.token_hex(8)
        future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        try:
            await emit(
                "permission",
                {
                    "id": ident,
                    "tool": request.tool,
                    "summary": request.summary,
                    "diff": request.diff or "",
                },
            )
            return await asyncio.wait_for(future, WAIT_S)
        except TimeoutError:
            return Decision.NO
        finally:
            self._pending.pop(ident, None)

    def answer(self, ident: str, decision: str) -> bool:
        """Resolve a pending prompt; False when there is none with that id."""
        future = self._pending.get(ident)
        if future is None or future.done():
            return False
        try:
            future.set_result(Decision(decision))
        except ValueError:
            future.set_result(Decision.NO)
        return True
