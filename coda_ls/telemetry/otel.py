"""The OpenTelemetry implementation of `coda_ls.telemetry.Telemetry` (the `telemetry`
extra). Imported only when telemetry is on."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Status, StatusCode

from coda_ls.errors import ConfigError
from coda_ls.telemetry import Attrs, AttrValue, SpanHandle, Telemetry

if TYPE_CHECKING:
    from coda_ls.config import Settings

SERVICE = "coda"
# Metrics: name → (kind, unit, description).
METRICS: dict[str, tuple[str, str, str]] = {
    "coda.requests": ("counter", "{request}", "Requests answered"),
    "coda.errors": ("counter", "{error}", "Requests failed, by error.kind"),
    "coda.tokens": ("counter", "{token}", "Tokens, by coda.token.type (input/output)"),
    "coda.cost": ("counter", "USD", "Estimated spend"),
    "coda.request.duration": ("histogram", "s", "Request latency"),
    "coda.ttft": ("histogram", "s", "Time to first token"),
    "coda.tool.calls": ("counter", "{call}", "Tool calls, by coda.tool.name"),
}


class _Span(SpanHandle):
    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def set(self, key: str, value: AttrValue | None) -> None:
        if value is not None:
            self._span.set_attribute(key, value)

    def error(self, exc: BaseException) -> None:
        kind = type(exc).__name__
        self._span.set_attribute("error.type", kind)
        self._span.set_status(Status(StatusCode.ERROR, kind))


class OTelTelemetry(Telemetry):
    enabled = True

    def __init__(
        self,
        tracer_provider: TracerProvider,
        meter_provider: MeterProvider,
        *,
        include_content: bool = False,
    ) -> None:
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.include_content = include_content
        self._tracer = tracer_provider.get_tracer("coda")
        meter = meter_provider.get_meter("coda")
        self._instruments: dict[str, Any] = {}
        for name, (kind, unit, description) in METRICS.items():
            make = meter.create_counter if kind == "counter" else meter.create_histogram
            self._instruments[name] = make(name, unit=unit, description=description)

    @classmethod
    def build(
        cls,
        processors: list[SpanProcessor],
        readers: list[MetricReader],
        *,
        include_content: bool = False,
        install_id: str | None = None,
    ) -> OTelTelemetry:
        from coda_ls import __version__

        attributes: dict[str, str] = {"service.name": SERVICE, "service.version": __version__}
        if install_id:
            attributes["service.instance.id"] = install_id  # anonymous: see install_id.py
        resource = Resource.create(attributes)
        tracer_provider = TracerProvider(resource=resource)
        for processor in processors:
            tracer_provider.add_span_processor(processor)
        meter_provider = MeterProvider(resource=resource, metric_readers=readers)
        return cls(tracer_provider, meter_provider, include_content=include_content)

    @classmethod
    def from_settings(cls, settings: Settings) -> OTelTelemetry:
        from coda_ls.telemetry import install_id

        config = settings.telemetry
        exporter = os.environ.get("OTEL_TRACES_EXPORTER", "").lower() or config.exporter
        if exporter == "console":
            from opentelemetry.sdk.metrics.export import ConsoleMetricExporter
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            # stderr: stdout carries the answer (or --json), and LSP frames in the server.
            span_exporter: Any = ConsoleSpanExporter(out=sys.stderr)
            metric_exporter: Any = ConsoleMetricExporter(out=sys.stderr)
        elif exporter in ("otlp", "otlp_proto_http"):
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
                OTLPMetricExporter,
            )
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            base = (config.endpoint or "").rstrip("/")
            # Without an endpoint, the exporters read OTEL_EXPORTER_OTLP_* themselves.
            span_exporter = OTLPSpanExporter(endpoint=f"{base}/v1/traces" if base else None)
            metric_exporter = OTLPMetricExporter(endpoint=f"{base}/v1/metrics" if base else None)
        else:
            raise ConfigError(
                f"unknown telemetry exporter {exporter!r}",
                'use "otlp" (OTLP over HTTP) or "console"',
            )
        return cls.build(
            [BatchSpanProcessor(span_exporter)],
            [PeriodicExportingMetricReader(metric_exporter)],
            include_content=config.include_content,
            install_id=install_id.get(),
        )

    @contextmanager
    def span(self, name: str, attrs: Attrs | None = None) -> Iterator[SpanHandle]:
        # Exceptions are recorded by kind only: their messages may quote code or paths.
        with self._tracer.start_as_current_span(
            name,
            attributes=dict(attrs or {}),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            handle = _Span(span)
            try:
                yield handle
            except BaseException as exc:
                handle.error(exc)
                raise

    def count(self, name: str, value: float = 1, attrs: Attrs | None = None) -> None:
        self._instruments[name].add(value, attributes=dict(attrs or {}))

    def observe(self, name: str, value: float, attrs: Attrs | None = None) -> None:
        self._instruments[name].record(value, attributes=dict(attrs or {}))

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()
