"""Pick the provider and model for a request: explicit choice, per-mode override, config
default, or — when nothing is configured — the first provider that is reachable."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass

from coda_ls.config import Settings
from coda_ls.errors import ModelNotFoundError, ProviderError, ProviderUnavailableError
from coda_ls.providers.base import Provider
from coda_ls.providers.registry import create_provider

NO_PROVIDER_HINT = (
    "start Ollama (`ollama serve`, then `coda models pull llama3.2`) — Coda uses it with no "
    "configuration; or configure OCI ([providers.oci] compartment_id, or "
    "CODA_OCI_COMPARTMENT_ID) or LiteLLM ([providers.litellm] models = "
    '["openai/gpt-4o-mini"] plus OPENAI_API_KEY); `coda doctor` shows what is reachable'
)
_LITELLM_KEYS = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY")


@dataclass
class Selection:
    provider: Provider
    model: str

    @property
    def provider_name(self) -> str:
        return self.provider.name


def configured_providers(settings: Settings) -> list[str]:
    """Providers with enough configuration to try, in order of preference."""
    names = ["ollama"]
    if settings.providers.oci.compartment_id:
        names.append("oci")
    litellm = settings.providers.litellm
    if litellm.models or litellm.api_base or any(os.environ.get(k) for k in _LITELLM_KEYS):
        names.append("litellm")
    return names


async def select(
    settings: Settings,
    *,
    mode: str | None = None,
    provider: str | None = None,
    model: str | None = None,
) -> Selection:
    """The provider and model to use (raises ProviderUnavailableError with guidance)."""
    mode_provider, mode_model = settings.for_mode(mode or settings.mode)
    name = provider or mode_provider
    model = model or mode_model
    if name:
        chosen = create_provider(name, settings)
        return Selection(chosen, model or await default_model(chosen, settings))
    failures: list[str] = []
    for candidate in configured_providers(settings):
        try:
            instance = create_provider(candidate, settings)
        except ProviderUnavailableError as exc:
            failures.append(f"{candidate}: {exc.message} ({exc.hint})")
            continue
        health = await instance.health()
        if health.ok:
            return Selection(instance, model or await default_model(instance, settings))
        failures.append(f"{candidate}: {health.detail}")
        await instance.aclose()
    raise ProviderUnavailableError(
        "no model provider is reachable (" + "; ".join(failures) + ")", NO_PROVIDER_HINT
    )


async def default_model(provider: Provider, settings: Settings) -> str:
    """The model to use when none is configured: the first one the provider lists."""
    if provider.name == "litellm" and settings.providers.litellm.models:
        return settings.providers.litellm.models[0]
    models = await provider.list_models()
    if not models:
        raise ModelNotFoundError(
            f"{provider.name} has no models",
            "pull one with `coda models pull llama3.2`"
            if provider.name == "ollama"
            else "set `model` in your config (`coda config path` shows where)",
            provider=provider.name,
        )
    return models[0].name


async def check_model(selection: Selection) -> None:
    """Fail early, with close matches, when the provider does not know the model."""
    if selection.provider_name == "litellm":
        return  # LiteLLM reaches models no list names (any `provider/model`); let it say
    try:
        names = [info.name for info in await selection.provider.list_models()]
    except ProviderError:
        return  # listing is optional; the chat call will report a real problem
    if not names or selection.model in names:
        return
    bare = {name.split(":")[0]: name for name in names}
    if selection.model in bare:
        return
    close = difflib.get_close_matches(selection.model, names, n=3, cutoff=0.3)
    raise ModelNotFoundError(
        f"unknown model {selection.model!r} for {selection.provider_name}",
        (f"did you mean {', '.join(close)}? " if close else "")
        + "`coda models` lists what is available",
        provider=selection.provider_name,
        suggestions=close,
    )
