"""How a prompt reaches a model: fill-in-the-middle over a text API, or a chat fallback.

`FimBackend` sends the family's FIM sentinels raw (Ollama `raw: true`, or a plain
`/v1/completions` prompt) or, for a model of unknown family, the prefix with the server's
`suffix` parameter. `ChatBackend` serves providers without a text API (OCI, LiteLLM) or a
chat-only model: it asks for the text at a `<CURSOR>` mark, and the post-processing
removes fences and echoed code.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

from coda_ls.completion.formats import FimFormat
from coda_ls.completion.prompt import FimPrompt
from coda_ls.errors import ProviderTimeout
from coda_ls.providers.base import ChatRequest, Message, Provider
from coda_ls.providers.textgen import TextGenerator, TextRequest


@dataclass(frozen=True, slots=True)
class Raw:
    """The model's text, and the stop strings the post-processing must also cut at."""

    text: str
    stops: tuple[str, ...] = ()
    from_chat: bool = False


class Backend(Protocol):
    model: str
    kind: str

    async def complete(self, prompt: FimPrompt, max_tokens: int, temperature: float) -> Raw: ...


class FimBackend:
    """Fill-in-the-middle through `generate` (Ollama or an OpenAI-compatible server)."""

    def __init__(
        self, generator: TextGenerator, model: str, fmt: FimFormat | None, timeout: float
    ) -> None:
        self.generator = generator
        self.model = model
        self.format = fmt
        self.timeout = timeout
        self.kind = f"fim:{fmt.family}" if fmt else "fim:suffix"

    def request(self, prompt: FimPrompt, max_tokens: int, temperature: float) -> TextRequest:
        if self.format is not None:
            return TextRequest(
                model=self.model,
                prompt=self.format.render(prompt.model_prefix, prompt.suffix),
                raw=True,
                max_tokens=max_tokens,
                temperature=temperature,
                stop=self.format.stop,
                timeout=self.timeout,
            )
        return TextRequest(
            model=self.model,
            prompt=prompt.model_prefix,
            suffix=prompt.suffix,
            max_tokens=max_tokens,
            temperature=temperature,
            timeout=self.timeout,
        )

    async def complete(self, prompt: FimPrompt, max_tokens: int, temperature: float) -> Raw:
        request = self.request(prompt, max_tokens, temperature)
        text = await self.generator.generate(request)
        return Raw(text, request.stop)


class ChatBackend:
    """A chat model asked for the text at the cursor (no FIM API on this provider)."""

    kind = "chat"

    def __init__(self, provider: Provider, model: str, timeout: float) -> None:
        self.provider = provider
        self.model = model
        self.timeout = timeout

    async def complete(self, prompt: FimPrompt, max_tokens: int, temperature: float) -> Raw:
        messages = [Message(role=role, content=text) for role, text in prompt.chat_messages()]
        request = ChatRequest(
            messages=messages, model=self.model, max_tokens=max_tokens, temperature=temperature
        )
        try:
            response = await asyncio.wait_for(self.provider.chat(request), self.timeout)
        except TimeoutError:
            raise ProviderTimeout(
                f"{self.provider.name} gave no completion within {self.timeout:g}s",
                "raise [completion] timeout, or choose a faster completion model",
                provider=self.provider.name,
            ) from None
        return Raw(response.message.content, from_chat=True)
