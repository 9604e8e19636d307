"""Provider registry: built-ins, unknown names, and plugins from entry points."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from coda_ls.config import Settings
from coda_ls.errors import ConfigError
from coda_ls.providers.ollama import OllamaProvider
from coda_ls.providers.registry import create_provider, provider_names


def test_builtin_provider_by_name() -> None:
    provider = create_provider("ollama", Settings())
    assert isinstance(provider, OllamaProvider)
    names = provider_names()
    assert names[:2] == ["ollama", "openai"]
    assert {"openrouter", "groq", "lmstudio", "vllm", "llamacpp", "oci", "litellm"} <= set(names)


def test_presets_are_providers_with_their_own_section() -> None:
    from pydantic import SecretStr

    from coda_ls.providers.openai_compat import OpenAICompatProvider

    settings = Settings()
    settings.providers.groq.api_key = SecretStr("gsk-1")
    groq = create_provider("groq", settings)
    assert isinstance(groq, OpenAICompatProvider)
    assert groq.name == "groq" and groq.api_key == "gsk-1"
    assert groq.base_url == "https://api.groq.com/openai/v1"
    vllm = create_provider("vllm", Settings())
    assert isinstance(vllm, OpenAICompatProvider) and vllm.local


def test_unknown_provider_suggests_close_names() -> None:
    with pytest.raises(ConfigError) as info:
        create_provider("olama", Settings())
    assert "unknown provider 'olama'" in info.value.message
    assert info.value.hint is not None and "ollama" in info.value.hint


@pytest.fixture
def plugin_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A real installed distribution (dist-info on sys.path) registering a provider."""
    (tmp_path / "echo_provider.py").write_text(
        textwrap.dedent("""
        from coda_ls.providers.base import (ChatResponse, Chunk, Health, Message, ModelInfo,
                                            Usage, collect)

        class EchoProvider:
            name = "echo"
            def __init__(self, settings):
                self.settings = settings
            async def stream(self, request):
                yield Chunk(delta=request.messages[-1].content[::-1])
                yield Chunk(finish_reason="stop", usage=Usage(input_tokens=1, output_tokens=1))
            async def chat(self, request):
                return await collect(request.model, self.stream(request))
            async def list_models(self):
                return [ModelInfo(name="mirror", provider="echo")]
            async def model_info(self, model):
                return ModelInfo(name=model, provider="echo", context_window=100)
            async def health(self):
                return Health(provider="echo", ok=True, detail="always")
            async def aclose(self):
                pass

        def create(settings):
            return EchoProvider(settings)
    """)
    )
    dist = tmp_path / "coda_echo_provider-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: coda-echo-provider\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text("[coda.providers]\necho = echo_provider:create\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "echo"
    sys.modules.pop("echo_provider", None)


async def test_entry_point_provider_is_found_and_used(plugin_distribution: str) -> None:
    from coda_ls.providers.base import ChatRequest, Message

    assert plugin_distribution in provider_names()
    provider = create_provider(plugin_distribution, Settings())
    reply = await provider.chat(
        ChatRequest(model="mirror", messages=[Message(role="user", content="abc")])
    )
    assert reply.message.content == "cba"
    assert reply.usage.output_tokens == 1


def test_a_missing_optional_sdk_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from coda_ls.errors import ProviderUnavailableError
    from coda_ls.providers import registry

    monkeypatch.setitem(registry.REQUIRES, "litellm", ("coda_no_such_sdk", "litellm"))
    with pytest.raises(ProviderUnavailableError) as info:
        create_provider("litellm", Settings())
    assert "coda_no_such_sdk" in info.value.message
    assert (
        info.value.hint
        == "pip install 'coda-assistant[litellm]' (or: pip install coda_no_such_sdk)"
    )
