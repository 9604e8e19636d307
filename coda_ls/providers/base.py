"""The provider contract.

A provider turns a `ChatRequest` into either one `ChatResponse` (`chat`) or an async
stream of `Chunk`s (`stream`) whose last chunk carries `finish_reason` and `usage`.
Providers raise only `coda_ls.errors.ProviderError` subclasses: each one translates its
library's exceptions at its boundary, so callers never see httpx, oci or litellm types.
The wire types themselves live in `coda_ls.wire` (re-exported here for providers).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from coda_ls.wire import (
    ChatRequest,
    ChatResponse,
    Chunk,
    Health,
    Message,
    ModelInfo,
    Role,
    ToolCall,
    ToolSpec,
    Usage,
    collect,
    parse_tool_arguments,
)

__all__ = [
    "ChatRequest",
    "ChatResponse",
    "Chunk",
    "Health",
    "Message",
    "ModelInfo",
    "Provider",
    "Role",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "collect",
    "parse_tool_arguments",
]


@runtime_checkable
class Provider(Protocol):
    """What every provider implements. `stream` is an async generator method."""

    name: str

    async def chat(self, request: ChatRequest) -> ChatResponse: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]: ...

    async def list_models(self) -> list[ModelInfo]: ...

    async def model_info(self, model: str) -> ModelInfo: ...

    async def health(self) -> Health: ...

    async def aclose(self) -> None: ...
