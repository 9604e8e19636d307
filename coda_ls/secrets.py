"""Recognise secrets by their shape, whatever the variable or field holding them is called.

Names lie (`GITHUB_PAT`, `DATABASE_URL`, `MY_CREDS`); token formats do not. Each pattern
is a published token format or a structure that always carries a credential, anchored on
a word boundary so that ordinary words and paths that merely contain `sk-` do not match.
"""

from __future__ import annotations

import re

# (what it is, pattern). Lengths are the documented minimums, a little relaxed.
TOKEN_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}")),
    ("GitHub fine-grained token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}")),
    ("GitLab token", re.compile(r"\bgl(?:pat|dt|ptt|rt|cbt|oas)-[A-Za-z0-9_-]{16,}")),
    ("OpenAI/Anthropic-style key", re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}")),
    ("Stripe key", re.compile(r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}")),
    ("PyPI token", re.compile(r"\bpypi-AgE[A-Za-z0-9_-]{20,}")),
    ("JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")),
    ("private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")),
    # scheme://user:password@host — a password in a URL, whatever the scheme.
    ("URL with a password", re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@")),
)


def secret_kind(value: str) -> str | None:
    """What kind of secret `value` contains (first match), or None."""
    for kind, pattern in TOKEN_SHAPES:
        if pattern.search(value):
            return kind
    return None


def looks_secret(value: str) -> bool:
    """True when `value` contains something shaped like a credential."""
    return secret_kind(value) is not None
