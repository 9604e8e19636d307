"""What every configured provider offers: the models of those that answer, and why the
others do not. Shared by `coda models`, the chat shell and the server's `coda.models`."""

from __future__ import annotations

import asyncio

from coda_ls.config import Settings
from coda_ls.errors import CodaError
from coda_ls.providers.base import Health, ModelInfo
from coda_ls.providers.registry import create_provider
from coda_ls.providers.select import configured_providers


async def gather_models(
    settings: Settings, only: str | None = None
) -> tuple[list[ModelInfo], list[Health]]:
    """(models, health reports of the unreachable providers), providers asked at once.
    Models come in the order automatic selection uses: providers by preference, each
    provider's models as it lists them (its first is the one picked by default)."""
    names = [only] if only else configured_providers(settings)
    by_provider: dict[str, list[ModelInfo]] = {}
    down: list[Health] = []

    async def one(name: str) -> None:
        try:
            provider = create_provider(name, settings)
        except CodaError as exc:
            down.append(Health(provider=name, ok=False, detail=exc.message, hint=exc.hint))
            return
        try:
            health = await provider.health()
            if not health.ok:
                down.append(health)
                return
            listed = await provider.list_models()
            if name == "ollama":  # context window and tools come from /api/show
                detailed = await asyncio.gather(
                    *(provider.model_info(m.name) for m in listed), return_exceptions=True
                )
                listed = [
                    d if isinstance(d, ModelInfo) else m
                    for m, d in zip(listed, detailed, strict=True)
                ]
            by_provider[name] = listed
        except CodaError as exc:
            down.append(Health(provider=name, ok=False, detail=exc.message, hint=exc.hint))
        finally:
            await provider.aclose()

    await asyncio.gather(*(one(name) for name in names))
    found = [info for name in names for info in by_provider.get(name, [])]
    return found, down
