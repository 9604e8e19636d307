"""Import LiteLLM in the background when the settings say it will be used, so that a
long-lived process (the language server) does not make the first question wait the
seconds its import takes. A one-shot CLI command imports it only when asked to use it."""

from __future__ import annotations

import logging
import threading

from coda_ls.config import Settings
from coda_ls.providers.registry import missing_requirement

log = logging.getLogger(__name__)


def uses_litellm(settings: Settings) -> bool:
    """Whether requests will go through LiteLLM: it is the chosen provider (by default or
    for a mode), or nothing is chosen and LiteLLM is configured explicitly."""
    chosen = {settings.provider, *(mode.provider for mode in settings.modes.values())}
    if "litellm" in chosen:
        return True
    litellm = settings.providers.litellm
    return settings.provider is None and bool(litellm.models or litellm.api_base)


def _import() -> None:
    from coda_ls.providers.litellm_provider import load_litellm

    try:
        load_litellm()
    except Exception as exc:  # a broken install is reported when the provider is used
        log.warning("background import of litellm failed: %s", exc)
    else:
        log.info("litellm imported in the background")


def warm_up(settings: Settings) -> threading.Thread | None:
    """Start importing LiteLLM in a daemon thread if it will be used and is installed."""
    if not uses_litellm(settings) or missing_requirement("litellm") is not None:
        return None
    thread = threading.Thread(target=_import, name="coda-litellm-import", daemon=True)
    thread.start()
    return thread
