"""A provider's timeout as a deadline the user can count on.

`timeout` seconds for the reply to start — connecting, Coda's retries and their waits,
the status line and the first piece of the answer all included — and then at most
`timeout` seconds of silence between two pieces. A slow but steady answer may take longer
than `timeout` in total; a server that stalls never holds the user for more than
`timeout` (plus the scheduler's slack).

Each wait is an `asyncio.timeout_at` that opens and closes around one await: a context
that stayed open across a generator's `yield` would cancel the consumer's code instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

T = TypeVar("T")


class Deadline:
    """The time budget of one provider call; `TimeoutError` when it runs out."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._loop = asyncio.get_running_loop()
        self.expires = self._loop.time() + seconds

    def remaining(self) -> float:
        """Seconds left before the current deadline (0 when past it)."""
        return max(0.0, self.expires - self._loop.time())

    def progress(self) -> None:
        """A piece of the answer arrived: the next one has `seconds` from now."""
        self.expires = self._loop.time() + self.seconds

    async def run(self, awaitable: Awaitable[T]) -> T:
        """`await awaitable`, cancelled with TimeoutError at the deadline."""
        async with asyncio.timeout_at(self.expires):
            return await awaitable

    async def next(self, iterator: AsyncIterator[T]) -> T:
        """The iterator's next item within the deadline; StopAsyncIteration at its end."""
        async with asyncio.timeout_at(self.expires):
            return await anext(iterator)
