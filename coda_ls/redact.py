"""Remove secrets from text before it is logged or stored."""

from __future__ import annotations

import re

_PATTERNS = [
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)([^'\"\n,}]+)"),
    re.compile(
        r"(?i)((?:api[_-]?key|x-api-key|token|secret|password)['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)"
    ),
    re.compile(r"()(sk-[A-Za-z0-9_-]{8,})"),
]


def redact(text: str) -> str:
    """`text` with API keys, bearer tokens and signatures replaced by ********."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: f"{match.group(1)}********", text)
    return text
