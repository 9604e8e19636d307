"""Retry a provider call on rate limits and server errors: exponential backoff with full
jitter, honouring the server's `retry-after` when it sends one.

Providers classify their library's exceptions (`classify`) *before* translating them to
Coda errors, so the retry loop sees the real status and header; what finally escapes is
the last exception, which the provider's error mapping then translates.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import TypeVar

from coda_ls.telemetry import note_retry

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """`classify`'s verdict that an error is worth retrying, with the server's hint."""

    retry_after: float | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait. `max_retries=0` disables retrying."""

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A retry-after longer than this is not waited for: the error goes to the user, who
    # can decide (a 10-minute wait inside an editor command looks like a hang).
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        backoff = rng.uniform(0.0, min(self.max_delay, self.base_delay * 2**attempt))
        if retry_after is None:
            return backoff
        # The server's wish is a floor; a little jitter on top keeps clients apart.
        return retry_after + rng.uniform(0.0, min(1.0, 0.1 * max(retry_after, self.base_delay)))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `retry-after` header: delta-seconds or an HTTP date; None if absent."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds())


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    classify: Callable[[BaseException], Retry | None],
    *,
    what: str = "request",
    rng: random.Random | None = None,
    remaining: Callable[[], float] | None = None,
) -> T:
    """Run `call`, retrying while `classify` says so; re-raises the last exception.

    `remaining` gives the seconds left of the caller's deadline: a wait that would end
    past it is not started, so the user gets the server's error now instead of a timeout
    later."""
    rng = rng or random.Random()
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:  # classify decides; anything it rejects is re-raised as is
            verdict = classify(exc)
            if verdict is None or attempt >= policy.max_retries:
                raise
            if verdict.retry_after is not None and verdict.retry_after > policy.max_retry_after:
                raise
            wait = policy.delay(attempt, verdict.retry_after, rng)
            if remaining is not None and wait >= remaining():
                raise
            attempt += 1
            note_retry()  # counted on the provider call's span when telemetry is on
            log.info(
                "%s failed (%s); retry %d/%d in %.2fs",
                what,
                type(exc).__name__,
                attempt,
                policy.max_retries,
                wait,
            )
            await asyncio.sleep(wait)
