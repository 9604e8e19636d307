"""The wire types every part of the core shares: messages, tool calls, usage, models.

Providers speak them to models, the engine builds them, the session store records them.
They live here, outside `providers`, so that storage and tools need not import the
provider layer to name a message.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant", "tool"]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCall(_Wire):
    """A function call the model asked for."""

    id: str = ""
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolSpec(_Wire):
    """A tool offered to the model: JSON-schema parameters, like OpenAI's functions."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})

    def as_function(self) -> dict[str, Any]:
        """The tool in the OpenAI function format, which Ollama and LiteLLM take too."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


class Message(_Wire):
    role: Role
    content: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    # Images as data URLs ("data:image/png;base64,…"), for models that read them.
    images: list[str] = Field(default_factory=list)


class ChatRequest(_Wire):
    messages: list[Message]
    model: str
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    stop: list[str] | None = None
    tools: list[ToolSpec] | None = None


class Usage(_Wire):
    """Tokens of one reply (or a sum of replies) and its cost when priced."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost: float | None = None

    def __add__(self, other: Usage) -> Usage:
        cost = None
        if self.cost is not None or other.cost is not None:
            cost = (self.cost or 0.0) + (other.cost or 0.0)
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cost=cost,
        )

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class Chunk(_Wire):
    """One piece of a streamed reply. The last one has `finish_reason` (and usage)."""

    delta: str = ""
    # The model's thinking, where a server streams it apart (`reasoning_content`); not
    # part of the answer, but it shows the model is working.
    reasoning: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None


class ChatResponse(_Wire):
    message: Message
    model: str
    usage: Usage = Field(default_factory=Usage)
    finish_reason: str | None = None


class ModelInfo(_Wire):
    name: str
    provider: str
    context_window: int | None = None
    supports_streaming: bool = True
    supports_tools: bool = False
    # Reads images: True/False when the provider says so, None when it does not
    # (coda_ls.vision then decides from settings and known model names).
    supports_vision: bool | None = None
    family: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class Health(_Wire):
    provider: str
    ok: bool
    detail: str = ""
    version: str | None = None
    hint: str | None = None


async def collect(model: str, chunks: AsyncIterator[Chunk]) -> ChatResponse:
    """Assemble a streamed reply into one response (for providers that only stream)."""
    text: list[str] = []
    calls: list[ToolCall] = []
    usage = Usage()
    finish: str | None = None
    async for chunk in chunks:
        text.append(chunk.delta)
        calls.extend(chunk.tool_calls)
        if chunk.usage is not None:
            usage = chunk.usage
        finish = chunk.finish_reason or finish
    message = Message(role="assistant", content="".join(text), tool_calls=calls)
    return ChatResponse(message=message, model=model, usage=usage, finish_reason=finish)


def parse_tool_arguments(raw: Any) -> dict[str, Any]:
    """Tool-call arguments as a dict, whether a provider sent an object or a JSON string;
    text that is not a JSON object is kept under "_raw" so the tool can report it."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str) and raw.strip():
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            return {"_raw": raw}
        return value if isinstance(value, dict) else {"_raw": raw}
    return {}
