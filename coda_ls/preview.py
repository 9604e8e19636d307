"""Cost preview: the assembled context's token count (the real tokenizer, as the context
builder counts it) and the estimated input cost for the chosen model, before a request is
sent. The estimate prices the prompt only: the answer's length is not known yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coda_ls.wire import Usage


@dataclass(frozen=True)
class Preview:
    provider: str
    model: str
    mode: str
    context_tokens: int
    window: int
    estimated_cost: float | None  # None: no price known for this model

    def describe(self) -> str:
        return f"{self.provider}/{self.model}: {describe(self.context_tokens, self.estimated_cost)}"

    def as_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "model": self.model,
            "mode": self.mode,
            "contextTokens": self.context_tokens,
            "window": self.window,
            "estimatedCost": self.estimated_cost,
        }


def describe(tokens: int, cost: float | None) -> str:
    """`1,234 tokens in · ~$0.0031` (or `· cost unknown`)."""
    price = "cost unknown" if cost is None else f"~${cost:.4f}"
    return f"{tokens:,} tokens in · {price}"


def estimate_cost(provider: object, model: str, input_tokens: int) -> float | None:
    """The prompt's price at `provider`, when it can say (`estimate_cost`); a local Ollama
    costs nothing; otherwise unknown."""
    estimate = getattr(provider, "estimate_cost", None)
    if callable(estimate):
        value = estimate(model, Usage(input_tokens=input_tokens))
        return float(value) if isinstance(value, (int, float)) else None
    if getattr(provider, "name", None) == "ollama":
        return 0.0
    return None


def needs_confirmation(cost: float | None, threshold: float | None) -> bool:
    return threshold is not None and cost is not None and cost > threshold
