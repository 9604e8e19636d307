"""Plain text generation (no chat template): the request inline completion sends.

Fill-in-the-middle needs the model's own prompt format or the server's `suffix`
parameter, which chat APIs do not offer: Ollama's `/api/generate` and the OpenAI-style
`/v1/completions` do. A provider that can do it has `generate`; the others are reached
through the chat fallback (`coda_ls.completion.backends`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class TextRequest:
    """One completion of `prompt`. With `raw`, the prompt already holds the FIM
    sentinels; otherwise `suffix` (if any) is sent for the server to place."""

    model: str
    prompt: str
    suffix: str | None = None
    raw: bool = False
    max_tokens: int = 128
    temperature: float = 0.2
    stop: tuple[str, ...] = ()
    timeout: float = 10.0


@runtime_checkable
class TextGenerator(Protocol):
    """A provider that can complete text without a chat template."""

    name: str

    async def generate(self, request: TextRequest) -> str: ...
