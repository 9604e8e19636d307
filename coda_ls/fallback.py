"""Provider/model fallback: which errors move a request to the next configured model, and
what the user is told when it happens.

Only failures that another provider can fix fall back: a quota or rate limit that outlasted
the retries, refused credentials, or a provider that cannot be reached. A bad request, a
timeout mid-answer or a model that does not exist are the user's to see, not to paper over.
A switch is never silent: the engine announces it through `on_notice` and records it in
the session.
"""

from __future__ import annotations

from coda_ls.errors import (
    AuthError,
    CodaError,
    ConfigError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
)

FALLBACK_ERRORS: tuple[type[ProviderError], ...] = (
    RateLimitError,
    AuthError,
    ProviderUnavailableError,
)
# The session row that records a switch (kept out of the model's history).
FALLBACK_MODE = "fallback"


def parse_entry(entry: str) -> tuple[str, str | None]:
    """`"openai/gpt-4o-mini"` → ("openai", "gpt-4o-mini"); `"ollama"` → ("ollama", None).
    Only the first slash separates: OpenRouter's models are `vendor/model` themselves."""
    provider, _, model = entry.strip().partition("/")
    if not provider:
        raise ConfigError(
            f"fallback entry {entry!r} names no provider",
            'write entries as "provider/model", e.g. "openai/gpt-4o-mini"',
        )
    return provider, model or None


def should_fall_back(exc: BaseException) -> bool:
    return isinstance(exc, FALLBACK_ERRORS)


def reason(exc: CodaError) -> str:
    """A few words for why a provider was left."""
    if isinstance(exc, RateLimitError):
        return "hit its quota or rate limit (429 after retries)"
    if isinstance(exc, AuthError):
        return "refused the credentials"
    if isinstance(exc, ProviderUnavailableError):
        return "could not be reached"
    return "failed"


ANNOUNCEMENT = "Falling back to "


def announcement(failed: str, exc: CodaError, target: str) -> str:
    return f"{ANNOUNCEMENT}{target}: {failed} {reason(exc)} ({exc.message})."


def is_announcement(text: str) -> bool:
    """A notice that says the provider changed (fronts that can, show it prominently)."""
    return text.startswith(ANNOUNCEMENT)


def exhausted_hint(tried: list[str]) -> str:
    return (
        f"tried in order: {', '.join(tried)}; fix one of them or add another "
        '"provider/model" to `fallback` in the settings'
    )
