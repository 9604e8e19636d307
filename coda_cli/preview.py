"""The CLI's side of the cost preview: the status line's token/cost text, and the
confirmation asked before a prompt estimated above `preview.confirm_above` is sent
(refused, with what to do, when nobody can answer)."""

from __future__ import annotations

from collections.abc import Callable

from coda_ls.errors import CostNotConfirmed
from coda_ls.workspace import describe_cost as describe
from coda_ls.workspace import needs_confirmation

__all__ = ["CostNotConfirmed", "confirm_cost", "status"]


def status(provider: str, model: str, tokens: int, cost: float | None) -> str:
    return f"{provider}/{model} is thinking… ({describe(tokens, cost)})"


def confirm_cost(
    cost: float | None,
    threshold: float | None,
    tokens: int,
    *,
    interactive: bool,
    ask: Callable[[str], bool],
) -> None:
    """Return when the request may go; raise CostNotConfirmed otherwise."""
    if not needs_confirmation(cost, threshold):
        return
    assert cost is not None and threshold is not None
    what = f"This request is estimated at ${cost:.4f} ({tokens:,} tokens in)"
    raise_hint = (
        "raise `[preview] confirm_above` in config.toml (or CODA_PREVIEW__CONFIRM_ABOVE=…), "
        "or ask with less context"
    )
    if not interactive:
        raise CostNotConfirmed(
            f"{what}, above the ${threshold:.2f} confirmation threshold, and there is no "
            "terminal to confirm it on; nothing was sent.",
            raise_hint,
        )
    if not ask(f"{what}, above ${threshold:.2f}. Send it?"):
        raise CostNotConfirmed(f"{what}; not confirmed, nothing was sent.", raise_hint)
