"""Prices of OpenAI-compatible services, for cost tracking without importing LiteLLM.

Order: the user's `[providers.<name>.prices]`, then LiteLLM's local price map when the
package is installed (read as JSON data: finding the package does not import it, which
would cost seconds), then a small bundled table. A local server's models are free.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coda_ls.config import ModelPrice
from coda_ls.providers.base import Usage

log = logging.getLogger(__name__)

PRICE_MAP_FILE = "model_prices_and_context_window_backup.json"


@dataclass(frozen=True)
class Price:
    """US dollars per token."""

    input: float
    output: float
    cached_input: float | None = None

    def cost(self, usage: Usage) -> float:
        cached = min(usage.cached_tokens, usage.input_tokens)
        cached_rate = self.input if self.cached_input is None else self.cached_input
        return (
            (usage.input_tokens - cached) * self.input
            + cached * cached_rate
            + usage.output_tokens * self.output
        )


def _per_million(inp: float, out: float, cached: float | None = None) -> Price:
    return Price(inp / 1e6, out / 1e6, None if cached is None else cached / 1e6)


# Dollars per million tokens (list prices of late 2025), used when LiteLLM is absent.
BUNDLED: dict[str, Price] = {
    "gpt-4o-mini": _per_million(0.15, 0.60, 0.075),
    "gpt-4o": _per_million(2.50, 10.00, 1.25),
    "gpt-4.1": _per_million(2.00, 8.00, 0.50),
    "gpt-4.1-mini": _per_million(0.40, 1.60, 0.10),
    "gpt-4.1-nano": _per_million(0.10, 0.40, 0.025),
    "o3-mini": _per_million(1.10, 4.40, 0.55),
    "o4-mini": _per_million(1.10, 4.40, 0.275),
    "deepseek/deepseek-chat": _per_million(0.27, 1.10, 0.07),
    "deepseek/deepseek-reasoner": _per_million(0.55, 2.19, 0.14),
    "mistral/mistral-small-latest": _per_million(0.10, 0.30),
    "groq/llama-3.3-70b-versatile": _per_million(0.59, 0.79),
}


def price_map_path() -> Path | None:
    """LiteLLM's bundled price map, if the package is installed (found, not imported)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / PRICE_MAP_FILE
    return path if path.is_file() else None


@functools.cache
def litellm_prices() -> Mapping[str, Any]:
    """LiteLLM's price map as data ({} when absent or unreadable: prices are a nicety)."""
    path = price_map_path()
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read LiteLLM's price map %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _from_map(entry: Mapping[str, Any]) -> Price | None:
    try:
        inp = float(entry["input_cost_per_token"])
        out = float(entry["output_cost_per_token"])
    except (KeyError, TypeError, ValueError):
        return None
    cached = entry.get("cache_read_input_token_cost")
    return Price(inp, out, float(cached) if isinstance(cached, int | float) else None)


def find_price(
    model: str, prefix: str | None, configured: Mapping[str, ModelPrice]
) -> Price | None:
    """The price of `model` at a service whose LiteLLM prefix is `prefix`, if known."""
    if model in configured:
        p = configured[model]
        return _per_million(p.input, p.output, p.cached_input)
    names = [f"{prefix}/{model}", model] if prefix else [model]
    table = litellm_prices()
    for name in names:
        entry = table.get(name)
        if isinstance(entry, Mapping) and (found := _from_map(entry)) is not None:
            return found
    for name in names:
        if name in BUNDLED:
            return BUNDLED[name]
    return None
