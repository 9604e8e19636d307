"""Wait for what a server sends on its own time, instead of sleeping a fixed while.

A fixed sleep is either slow or, on a loaded CI machine, too short; polling a condition
is neither. On timeout the caller's message says what never came.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    """Poll `condition` every 20 ms until it is truthy; fail naming `what` after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not seen within {timeout:g} s")
        await asyncio.sleep(0.02)
