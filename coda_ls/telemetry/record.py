"""What the engine reports when telemetry is on: the request span (the trace's root) with
its metrics, and one span per provider call. Imported only when telemetry is enabled;
it needs no OpenTelemetry itself, only the `Telemetry` interface."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from coda_ls.telemetry import Telemetry, counting_retries

if TYPE_CHECKING:
    from coda_ls.engine import Answer, AskRequest, StreamedReply


async def traced_ask(
    tel: Telemetry, request: AskRequest, run: Callable[[], Awaitable[Answer]]
) -> Answer:
    mode = request.mode or "default"
    started = time.perf_counter()
    with tel.span("coda.request", {"coda.mode": mode}) as span:
        if tel.include_content:  # opted in: the question only, never code or answers
            span.set("coda.question", request.question)
        try:
            answer = await run()
        except BaseException as exc:
            tel.count("coda.errors", 1, {"error.kind": type(exc).__name__, "coda.mode": mode})
            raise
        attrs = {
            "coda.mode": answer.mode,
            "coda.provider": answer.provider,
            "coda.model": answer.model,
        }
        for key, value in attrs.items():
            span.set(key, value)
        usage = answer.usage
        span.set("coda.tokens.input", usage.input_tokens)
        span.set("coda.tokens.output", usage.output_tokens)
        span.set("coda.cost", usage.cost)
        span.set("coda.ttft", answer.ttft)
        span.set("coda.tool_calls", answer.tool_calls)
        span.set("coda.context.tokens", answer.context_tokens)
        span.set("coda.fallbacks", len(answer.fallbacks))
        span.set("coda.interrupted", answer.interrupted)
    tel.count("coda.requests", 1, attrs)
    tel.count("coda.tokens", usage.input_tokens, {**attrs, "coda.token.type": "input"})
    tel.count("coda.tokens", usage.output_tokens, {**attrs, "coda.token.type": "output"})
    if usage.cost:
        tel.count("coda.cost", usage.cost, attrs)
    tel.observe("coda.request.duration", time.perf_counter() - started, attrs)
    if answer.ttft is not None:
        tel.observe("coda.ttft", answer.ttft, attrs)
    return answer


async def traced_stream(
    tel: Telemetry, provider: str, model: str, run: Callable[[], Awaitable[StreamedReply]]
) -> StreamedReply:
    with (
        tel.span("coda.provider", {"coda.provider": provider, "coda.model": model}) as span,
        counting_retries() as retries,
    ):
        try:
            reply = await run()
        finally:
            span.set("coda.retries", retries[0])
        span.set("coda.ttft", reply.ttft)
        span.set("coda.tokens.input", reply.usage.input_tokens)
        span.set("coda.tokens.output", reply.usage.output_tokens)
        span.set("coda.cost", reply.usage.cost)
        span.set("coda.finish_reason", reply.finish_reason)
        span.set("coda.tool_calls", len(reply.tool_calls))
    return reply
