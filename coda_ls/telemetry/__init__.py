"""Telemetry's core interface: spans and metrics that cost nothing when off.

Coda's code calls `telemetry.get().span(...)`, `.count(...)`, `.observe(...)`. By default
that is `Telemetry`, whose methods do nothing, and nothing imports OpenTelemetry (a test
asserts it). `configure(settings)` switches to the OpenTelemetry implementation
(`coda_ls.telemetry.otel`, the `telemetry` extra) when `[telemetry] enabled` is set or the
standard OTEL_* variables ask for export. Attributes are counts, names and timings; the
question text is added only with `include_content`, code and answers never.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coda_ls.config import Settings

AttrValue = str | int | float | bool
Attrs = Mapping[str, AttrValue]


class SpanHandle:
    """What instrumented code may do with its span. The no-op one ignores everything."""

    def set(self, key: str, value: AttrValue | None) -> None:
        """Set an attribute (None is skipped)."""

    def error(self, exc: BaseException) -> None:
        """Mark the span failed with the error's kind (never its message: it may quote code)."""


_NOOP_SPAN = SpanHandle()


class Telemetry:
    """Off: every call returns at once."""

    enabled = False
    include_content = False

    @contextmanager
    def span(self, name: str, attrs: Attrs | None = None) -> Iterator[SpanHandle]:
        yield _NOOP_SPAN

    def count(self, name: str, value: float = 1, attrs: Attrs | None = None) -> None:
        """Add to a counter."""

    def observe(self, name: str, value: float, attrs: Attrs | None = None) -> None:
        """Record a histogram value."""

    def shutdown(self) -> None:
        """Flush and stop exporting."""


# Retries of the provider call being traced (the retry helper notes each one).
_retries: ContextVar[list[int] | None] = ContextVar("coda_retries", default=None)


def note_retry() -> None:
    holder = _retries.get()
    if holder is not None:
        holder[0] += 1


@contextmanager
def counting_retries() -> Iterator[list[int]]:
    """Count `note_retry()` calls made inside; the count is `holder[0]`."""
    holder = [0]
    token = _retries.set(holder)
    try:
        yield holder
    finally:
        _retries.reset(token)


_current: Telemetry = Telemetry()
_configured = False


def get() -> Telemetry:
    return _current


def install(telemetry: Telemetry) -> Telemetry:
    """Use `telemetry` from now on (tests install one with in-memory exporters)."""
    global _current, _configured
    _current = telemetry
    _configured = True
    return telemetry


def reset() -> None:
    """Back to off (and forget that it was configured)."""
    global _current, _configured
    _current.shutdown()
    _current = Telemetry()
    _configured = False


def wanted(settings: Settings, env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    return settings.telemetry.enabled or env_wants(env)


def env_wants(env: Mapping[str, str] | None = None) -> bool:
    """Whether OTEL_* variables ask for an exporter (whatever the settings say)."""
    env = os.environ if env is None else env
    exporter = env.get("OTEL_TRACES_EXPORTER", "").lower()
    if exporter and exporter != "none":
        return True
    return bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def configure(settings: Settings) -> Telemetry:
    """Once per process: switch telemetry on when the settings or OTEL_* ask for it."""
    if _configured:
        return _current
    if not wanted(settings):
        return _current
    from coda_ls.telemetry.otel import OTelTelemetry

    return install(OTelTelemetry.from_settings(settings))
