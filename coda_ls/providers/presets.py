"""Named OpenAI-compatible services: where each one lives and which variable holds its key.

`provider = "openrouter"` plus OPENROUTER_API_KEY is the whole configuration; the
`[providers.<name>]` section overrides any of it (base_url, api_key, models, prices…).
Local servers (`local=True`) need no key; they are tried automatically only when
configured, since their default ports (8000, 8080) are often some other program's.
This module is data only: it imports nothing heavy, so the registry can read it at start.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Preset:
    """One OpenAI-compatible service."""

    name: str
    title: str
    base_url: str
    key_env: tuple[str, ...] = ()  # variables tried in order for the API key
    local: bool = False  # runs on the user's machine: no key, no price
    default_model: str | None = None  # when none is configured; else the first listed
    # LiteLLM's price-map prefix for this service's model names ("groq/llama-3.3-70b…").
    price_prefix: str | None = None


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "openai",
            "OpenAI",
            "https://api.openai.com/v1",
            ("OPENAI_API_KEY",),
            default_model="gpt-4o-mini",
        ),
        Preset(
            "openrouter",
            "OpenRouter",
            "https://openrouter.ai/api/v1",
            ("OPENROUTER_API_KEY",),
            default_model="openai/gpt-4o-mini",
            price_prefix="openrouter",
        ),
        Preset(
            "groq",
            "Groq",
            "https://api.groq.com/openai/v1",
            ("GROQ_API_KEY",),
            default_model="llama-3.3-70b-versatile",
            price_prefix="groq",
        ),
        Preset(
            "together",
            "Together AI",
            "https://api.together.xyz/v1",
            ("TOGETHER_API_KEY", "TOGETHERAI_API_KEY"),
            default_model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
            price_prefix="together_ai",
        ),
        Preset(
            "deepseek",
            "DeepSeek",
            "https://api.deepseek.com/v1",
            ("DEEPSEEK_API_KEY",),
            default_model="deepseek-chat",
            price_prefix="deepseek",
        ),
        Preset(
            "mistral",
            "Mistral",
            "https://api.mistral.ai/v1",
            ("MISTRAL_API_KEY",),
            default_model="mistral-small-latest",
            price_prefix="mistral",
        ),
        Preset("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1", local=True),
        Preset("vllm", "vLLM", "http://127.0.0.1:8000/v1", ("VLLM_API_KEY",), local=True),
        Preset("llamacpp", "llama.cpp server", "http://127.0.0.1:8080/v1", local=True),
    )
}


def is_loopback(url: str) -> bool:
    """Whether `url` points at this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
