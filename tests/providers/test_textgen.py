"""Text generation for inline completion, through the real providers' HTTP code."""

from __future__ import annotations

import pytest

from coda_ls.config import OllamaSettings, OpenAICompatSettings
from coda_ls.errors import ModelNotFoundError, ProviderError, ProviderUnavailableError
from coda_ls.providers.ollama import OllamaProvider
from coda_ls.providers.openai_compat import OpenAICompatProvider
from coda_ls.providers.textgen import TextRequest
from tests.support.model_server import Reply, ScriptedModelServer


async def test_ollama_generate_sends_suffix_or_raw(model_server: ScriptedModelServer) -> None:
    provider = OllamaProvider(OllamaSettings(host=model_server.url))
    try:
        model_server.script(Reply(text="a + b"), Reply(text="x"))
        text = await provider.generate(
            TextRequest(
                "qwen2.5-coder:7b", "def f(a, b):\n    return ", suffix="\n", stop=("\n\n",)
            )
        )
        assert text == "a + b"
        body = model_server.generate_requests()[0].body
        assert body["suffix"] == "\n" and "raw" not in body and body["stream"] is False
        assert body["options"]["stop"] == ["\n\n"] and body["options"]["num_predict"] == 128
        await provider.generate(TextRequest("qwen2.5-coder:7b", "<|fim_prefix|>", raw=True))
        body = model_server.generate_requests()[1].body
        assert body["raw"] is True and "suffix" not in body
    finally:
        await provider.aclose()


async def test_ollama_generate_errors_are_coda_errors(model_server: ScriptedModelServer) -> None:
    provider = OllamaProvider(OllamaSettings(host=model_server.url, max_retries=0))
    try:
        with pytest.raises(ModelNotFoundError):
            await provider.generate(TextRequest("nope:1b", "x"))
        model_server.script(Reply(status=500, error="out of memory"))
        with pytest.raises(ProviderError, match="out of memory"):
            await provider.generate(TextRequest("qwen2.5-coder:7b", "x"))
    finally:
        await provider.aclose()
    down = OllamaProvider(OllamaSettings(host="http://127.0.0.1:9"))
    with pytest.raises(ProviderUnavailableError):
        await down.generate(TextRequest("qwen2.5-coder:7b", "x"))
    await down.aclose()


async def test_openai_compatible_completions(model_server: ScriptedModelServer) -> None:
    settings = OpenAICompatSettings(base_url=model_server.url + "/v1")
    provider = OpenAICompatProvider("openai", settings)
    try:
        model_server.script(
            Reply(text="a + b"), Reply(raw_body=b"<html>", content_type="text/html")
        )
        text = await provider.generate(
            TextRequest("qwen2.5-coder:7b", "return ", suffix="\n", max_tokens=16)
        )
        assert text == "a + b"
        request = model_server.generate_requests()[0]
        assert request.path == "/v1/completions"
        assert request.body["suffix"] == "\n" and request.body["max_tokens"] == 16
        with pytest.raises(ProviderError, match="not JSON"):
            await provider.generate(TextRequest("qwen2.5-coder:7b", "x"))
    finally:
        await provider.aclose()
