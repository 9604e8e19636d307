"""The OpenAI chat-completions wire format, apart from the HTTP around it: Coda messages
out, server-sent events in, assembled into Coda chunks.

Servers differ in the details, all handled here: tool calls stream in pieces keyed by
index (or come whole, from a server that ignored `stream`), thinking arrives as
`reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter), usage may ride on the
last choice or come alone after it, and the context window is named four ways in
`/models`. Anything that is not this format raises `Unreadable`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import httpx

from coda_ls.providers.base import Chunk, Message, ToolCall, Usage, parse_tool_arguments

_SSE_FIELDS = ("data", "event", "id", "retry")


class Unreadable(Exception):
    """The reply body is not what the API promises (not JSON, not an event stream)."""

    def __init__(self, what: str, sample: str) -> None:
        super().__init__(what)
        self.what = what
        self.sample = sample if len(sample) <= 200 else sample[:200] + "…"


class ServerSaid(Exception):
    """An `error` object inside the event stream."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Reply:
    """What a stream has said so far."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.calls: dict[int, dict[str, str]] = {}
        self.finish: str | None = None
        self.usage: Usage | None = None
        self.done = False
        self.received = False  # any choice or usage at all
        self.started = False  # any text, thinking or tool call

    def text(self) -> str:
        return "".join(self.parts)

    def take(self, event: Mapping[str, Any]) -> list[Chunk]:
        error = event.get("error")
        if error:
            detail = error.get("message") if isinstance(error, dict) else error
            raise ServerSaid(str(detail or error))
        if isinstance(event.get("usage"), dict):
            self.usage = usage_of(event["usage"])
            self.received = True
        chunks: list[Chunk] = []
        for choice in event.get("choices") or []:
            if not isinstance(choice, dict) or int(choice.get("index") or 0) != 0:
                continue
            self.received = True
            # `message` instead of `delta`: a server that ignored `stream` and answered once.
            delta = choice.get("delta") or choice.get("message") or {}
            thinking = delta.get("reasoning_content") or delta.get("reasoning")
            content = delta.get("content")
            for position, call in enumerate(delta.get("tool_calls") or []):
                self._merge(call, position)
            if isinstance(content, str) and content:
                self.parts.append(content)
            if content or thinking:
                self.started = True
                chunks.append(
                    Chunk(
                        delta=content if isinstance(content, str) else "",
                        reasoning=thinking if isinstance(thinking, str) else "",
                    )
                )
            if choice.get("finish_reason"):
                self.finish = str(choice["finish_reason"])
        return chunks

    def _merge(self, call: Mapping[str, Any], position: int) -> None:
        """Tool calls stream in pieces keyed by index; the arguments are concatenated.
        (A whole message, from a server that ignored `stream`, has no index: its order.)"""
        self.started = True
        index = int(call.get("index", position) or 0)
        entry = self.calls.setdefault(index, {"id": "", "name": "", "args": ""})
        function = call.get("function") or {}
        entry["id"] = entry["id"] or str(call.get("id") or "")
        entry["name"] = entry["name"] or str(function.get("name") or "")
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # a few servers send an object, not a JSON string
            arguments = json.dumps(arguments)
        entry["args"] += arguments or ""

    def tool_calls(self) -> list[ToolCall]:
        return [
            ToolCall(
                id=entry["id"] or f"call_{index}",
                name=entry["name"],
                arguments=parse_tool_arguments(entry["args"]),
            )
            for index, entry in sorted(self.calls.items())
        ]


async def read_events(response: httpx.Response) -> AsyncGenerator[dict[str, Any] | None, None]:
    """The JSON events of the reply, None for `[DONE]`. A JSON body (a server that
    ignored `stream`) is one event; anything else that is not SSE is `Unreadable`."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        raw = (await response.aread()).decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            raise Unreadable("not JSON", raw) from None
        if not isinstance(body, dict):
            raise Unreadable("not a chat completion", raw)
        yield body
        yield None
        return
    async for line in response.aiter_lines():
        if not line.strip() or line.startswith(":"):
            continue  # event separators and keep-alive comments
        field, colon, value = line.partition(":")
        if not colon or field not in _SSE_FIELDS:
            raise Unreadable("not an event stream", line)
        if field != "data":
            continue
        value = value.removeprefix(" ")
        if value.strip() == "[DONE]":
            yield None
            return
        try:
            event = json.loads(value)
        except ValueError:
            raise Unreadable("not JSON", value) from None
        if not isinstance(event, dict):
            raise Unreadable("not a chat completion chunk", value)
        yield event


def usage_of(raw: Mapping[str, Any]) -> Usage:
    details = raw.get("prompt_tokens_details") or {}
    cached = details.get("cached_tokens") if isinstance(details, dict) else None
    return Usage(
        input_tokens=int(raw.get("prompt_tokens") or 0),
        output_tokens=int(raw.get("completion_tokens") or 0),
        cached_tokens=int(cached or 0),
    )


def context_window(entry: Mapping[str, Any]) -> int | None:
    """Servers name it differently: OpenRouter, vLLM, Groq, LM Studio, llama.cpp."""
    for key in ("context_length", "max_model_len", "context_window", "max_context_length"):
        value = entry.get(key)
        if isinstance(value, int) and value > 0:
            return value
    meta = entry.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("n_ctx_train"), int):
        return int(meta["n_ctx_train"])
    return None


def to_openai_message(message: Message) -> dict[str, Any]:
    """A Coda message in the chat-completions format (tool arguments as JSON text)."""
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.images:  # content parts: the text, then each image as a data URL
        out["content"] = [
            {"type": "text", "text": message.content},
            *({"type": "image_url", "image_url": {"url": url}} for url in message.images),
        ]
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": call.id or f"call_{i}",
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for i, call in enumerate(message.tool_calls)
        ]
    if message.role == "tool":
        out["tool_call_id"] = message.tool_call_id or ""
        if message.name:
            out["name"] = message.name
    return out
