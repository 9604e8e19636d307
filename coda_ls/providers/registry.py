"""Find providers by name: the built-ins (Ollama, OCI, LiteLLM, and the OpenAI-compatible
services of `presets`) plus any registered under the `coda.providers` entry-point group
(value: a factory `(Settings) -> Provider`)."""

from __future__ import annotations

import difflib
import importlib
import logging
from collections.abc import Callable
from importlib.metadata import entry_points

from coda_ls.config import Settings
from coda_ls.errors import ConfigError, ProviderUnavailableError
from coda_ls.providers.base import Provider
from coda_ls.providers.presets import PRESETS

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "coda.providers"
ProviderFactory = Callable[[Settings], Provider]

# name -> "module:factory"; imported only when the provider is first used, so heavy SDKs
# (oci, litellm) never load at start-up.
BUILTIN: dict[str, str] = {
    "ollama": "coda_ls.providers.ollama:create",
    # Every OpenAI-compatible service is one provider class; `create(settings, name)`.
    **{name: "coda_ls.providers.openai_compat:create" for name in PRESETS},
    "oci": "coda_ls.providers.oci.provider:create",
    "litellm": "coda_ls.providers.litellm_provider:create",
}


# Built-ins whose SDK is an optional extra: provider -> (module, extra).
REQUIRES: dict[str, tuple[str, str]] = {"oci": ("oci", "oci"), "litellm": ("litellm", "litellm")}


def missing_requirement(name: str) -> str | None:
    """The package a built-in provider needs and that is not installed, if any."""
    import importlib.util

    module, _ = REQUIRES.get(name, (None, None))
    if module is None or importlib.util.find_spec(module) is not None:
        return None
    return module


def _plugin_factories() -> dict[str, Callable[[], ProviderFactory]]:
    found: dict[str, Callable[[], ProviderFactory]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTIN:
            log.warning("provider plugin %r ignored: the name is built in", ep.name)
            continue
        found[ep.name] = ep.load
    return found


def provider_names() -> list[str]:
    """Every provider name that can be created: built-ins first, then plugins."""
    return [*BUILTIN, *sorted(_plugin_factories())]


def _load_factory(name: str) -> ProviderFactory:
    if name in BUILTIN:
        module_name, _, attr = BUILTIN[name].partition(":")
        create = getattr(importlib.import_module(module_name), attr)
        if name in PRESETS:
            return lambda settings: create(settings, name)
        factory: ProviderFactory = create
        return factory
    plugins = _plugin_factories()
    if name in plugins:
        try:
            return plugins[name]()
        except Exception as exc:  # a broken third-party plugin must not take Coda down
            raise ConfigError(
                f"provider plugin {name!r} failed to load: {exc}",
                "reinstall or uninstall the package that provides it",
            ) from exc
    close = difflib.get_close_matches(name, provider_names(), n=3, cutoff=0.5)
    raise ConfigError(
        f"unknown provider {name!r}",
        f"did you mean {', '.join(close)}?"
        if close
        else f"choose one of: {', '.join(provider_names())}",
    )


def create_provider(name: str, settings: Settings) -> Provider:
    """Create the provider called `name` (raises ConfigError for unknown names, and
    ProviderUnavailableError when its optional SDK is not installed)."""
    package = missing_requirement(name)
    if package is not None:
        extra = REQUIRES[name][1]
        raise ProviderUnavailableError(
            f"the {name} provider needs the Python package `{package}`, which is not installed",
            f"pip install 'coda-assistant[{extra}]' (or: pip install {package})",
            provider=name,
        )
    return _load_factory(name)(settings)
