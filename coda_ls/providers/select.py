"""Pick the provider and model for a request, and say why.

An explicit choice (the request, the mode's override, `provider = …`) wins. Otherwise
Coda tries, in order: local providers (Ollama, then OpenAI-compatible servers configured
on this machine — OPENAI_BASE_URL on loopback, LM Studio, vLLM, llama.cpp); then cloud
providers configured explicitly (a config section, CODA_* variables); and a cloud provider
known only by a key in the environment only when it is the only one — a stray
OPENAI_API_KEY must not send code to a cloud service while one of several was meant, or
when Ollama is merely down. Every `Selection` carries a human-readable `reason` for the
fronts to show ("using ollama/llama3.2 (first reachable local provider)").
"""

from __future__ import annotations

import difflib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from coda_ls.config import Settings
from coda_ls.errors import ModelNotFoundError, ProviderError, ProviderUnavailableError
from coda_ls.providers.base import Provider
from coda_ls.providers.presets import PRESETS, is_loopback
from coda_ls.providers.registry import create_provider

log = logging.getLogger(__name__)

NO_PROVIDER_HINT = (
    "Connect a model, shortest way first: start Ollama (`ollama serve`, then "
    "`coda models pull llama3.2`), which needs no configuration; or point OPENAI_BASE_URL at "
    "an OpenAI-compatible server (vLLM, LM Studio, llama.cpp: "
    "OPENAI_BASE_URL=http://127.0.0.1:8000/v1); or set a service's key (OPENAI_API_KEY, or "
    "OPENROUTER_API_KEY with `coda config set provider openrouter`). OCI "
    "([providers.oci] compartment_id) and LiteLLM ([providers.litellm] models) work too."
)
NO_PROVIDER_NEXT = " Then `coda doctor` shows what is reachable."
# Keys of services only LiteLLM serves (the others have a native OpenAI-compatible preset).
LITELLM_ONLY_KEYS = ("ANTHROPIC_API_KEY", "GEMINI_API_KEY", "XAI_API_KEY")


@dataclass(frozen=True)
class Candidate:
    """A provider automatic selection may try."""

    name: str
    local: bool  # runs on this machine: tried first
    explicit: bool  # configured in a file, flag or CODA_* variable, not just a key
    source: str  # what makes it a candidate, for messages


@dataclass
class Selection:
    """The provider and model for requests, and why they were chosen."""

    provider: Provider
    model: str
    # Why, when the choice was automatic ("first reachable local provider"); empty when
    # the request, the mode or `provider = …` named it (the fronts show it when set).
    reason: str = ""
    # Providers tried before this one and why they were passed over.
    skipped: list[str] = field(default_factory=list)

    @property
    def provider_name(self) -> str:
        return self.provider.name

    def describe(self) -> str:
        """One line for a status bar or log: `using ollama/llama3.2 (reason)`."""
        return f"using {self.provider_name}/{self.model} ({self.reason or 'chosen explicitly'})"


def candidates(settings: Settings, environ: Mapping[str, str] | None = None) -> list[Candidate]:
    """Every provider with enough configuration or credentials to try, local first."""
    env = os.environ if environ is None else environ
    found = [Candidate("ollama", True, True, "no configuration needed")]
    for name, preset in PRESETS.items():
        section = settings.providers.openai_compatible(name)
        base_url = section.base_url or preset.base_url
        configured = bool(section.model_fields_set)
        local = preset.local or is_loopback(base_url)
        variables = (section.api_key_env,) if section.api_key_env else preset.key_env
        key = next((v for v in variables if env.get(v)), None)
        if local and configured:
            found.append(Candidate(name, True, True, f"{base_url} on this machine"))
        elif not local and configured:
            found.append(Candidate(name, False, True, f"[providers.{name}] is configured"))
        elif not local and key:
            found.append(Candidate(name, False, False, key))
    if settings.providers.oci.compartment_id:
        found.append(Candidate("oci", False, True, "[providers.oci] compartment_id is set"))
    litellm = settings.providers.litellm
    keys = [k for k in LITELLM_ONLY_KEYS if env.get(k)]
    if litellm.api_base and is_loopback(litellm.api_base):
        found.append(Candidate("litellm", True, True, f"{litellm.api_base} on this machine"))
    elif litellm.models or litellm.api_base:
        found.append(Candidate("litellm", False, True, "[providers.litellm] is configured"))
    elif keys:
        found.append(Candidate("litellm", False, False, ", ".join(keys)))
    locals_ = [c for c in found if c.local]
    return locals_ + [c for c in found if not c.local]


def configured_providers(settings: Settings) -> list[str]:
    """Providers with enough configuration to try, in order of preference (`coda models`
    and `coda doctor` list them all, including cloud ones selection would not pick)."""
    return [c.name for c in candidates(settings)]


def automatic_plan(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> tuple[list[tuple[Candidate, str]], list[Candidate]]:
    """(candidates to try in order with the reason each would be chosen, cloud providers
    left out because several have keys and none is configured)."""
    found = candidates(settings, environ)
    plan = [(c, "first reachable local provider") for c in found if c.local]
    explicit = [c for c in found if not c.local and c.explicit]
    plan += [(c, f"configured cloud provider: {c.source}") for c in explicit]
    keyed = [c for c in found if not c.local and not c.explicit]
    if len(keyed) == 1 and not explicit:
        only = keyed[0]
        plan.append((only, f"the only cloud provider with credentials ({only.source})"))
        keyed = []
    return plan, ([] if explicit else keyed)


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
        selection = Selection(chosen, model or await default_model(chosen, settings))
        log.info("%s", selection.describe())
        return selection
    plan, ambiguous = automatic_plan(settings)
    failures: list[str] = []
    for candidate, reason in plan:
        try:
            instance = create_provider(candidate.name, settings)
        except ProviderUnavailableError as exc:
            failures.append(f"{candidate.name}: {exc.message} ({exc.hint})")
            continue
        health = await instance.health()
        if health.ok:
            if failures and not candidate.local:
                reason += "; no local provider is reachable"
            selection = Selection(
                instance,
                model or await default_model(instance, settings),
                reason,
                skipped=failures,
            )
            log.info("%s", selection.describe())
            return selection
        failures.append(f"{candidate.name}: {health.detail}")
        await instance.aclose()
    hint = NO_PROVIDER_HINT + NO_PROVIDER_NEXT
    if ambiguous:
        keyed = ", ".join(f"{c.name} ({c.source})" for c in ambiguous)
        failures.append(f"not tried: keys for several cloud providers are set: {keyed}")
        hint = (
            "Coda does not pick a cloud service on its own when several have keys: choose "
            "one with --provider NAME or `coda config set provider NAME`. "
            + NO_PROVIDER_HINT
            + NO_PROVIDER_NEXT
        )
    raise ProviderUnavailableError(
        "no model provider is reachable (" + "; ".join(failures) + ")", hint
    )


async def default_model(provider: Provider, settings: Settings) -> str:
    """The model to use when none is configured: the provider's usual one, else the first
    one it lists."""
    if provider.name == "litellm" and settings.providers.litellm.models:
        return settings.providers.litellm.models[0]
    preferred = getattr(provider, "default_model", None)
    if callable(preferred) and isinstance(name := preferred(), str):
        return name
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
