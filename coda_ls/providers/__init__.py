"""Model providers behind one async streaming interface (see `base.Provider`)."""

from __future__ import annotations

from coda_ls.providers.base import (
    ChatRequest,
    ChatResponse,
    Chunk,
    Health,
    Message,
    ModelInfo,
    Provider,
    ToolCall,
    ToolSpec,
    Usage,
)

__all__ = [
    "ChatRequest",
    "ChatResponse",
    "Chunk",
    "Health",
    "Message",
    "ModelInfo",
    "Provider",
    "ToolCall",
    "ToolSpec",
    "Usage",
]
