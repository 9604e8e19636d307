"""Configurations that passed the full settings check, remembered across processes.

A warm `coda map` takes about 0.2 s of fixed start-up, and loading pydantic and the
settings models to check a configuration that has not changed since it was last checked
was half of it (issue 16). So a configuration that passed is remembered by a digest of
its layers (each is checked alone too) and of the code that checked them; while both
are the same, fronts that need only a few plain values may take them without loading
the models. Anything new (an edited file, another variable, an upgraded Coda) is
checked in full again, so a broken configuration is always reported.

The digest covers values that may be secrets (API keys); it is one-way, kept in the
user's cache directory (mode 0600), and never the values themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from coda_ls import paths

log = logging.getLogger(__name__)

MEMO_FILE = "settings-checked"
KEEP = 16  # digests remembered: a few projects' configurations, flags, environments

_HERE = Path(__file__).resolve().parent
# The code whose answer is remembered: the models and checks, and what they depend on.
_CHECKER = ("config.py", "config_layers.py", "modes.py", "config_memo.py")


def _code_stamp() -> str:
    parts = []
    for name in _CHECKER:
        try:
            st = (_HERE / name).stat()
        except OSError:
            return ""  # cannot tell which code: remember nothing
        parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
    return ";".join(parts)


Layers = list[tuple[str, dict[str, Any]]]  # (label, values) of each layer, in order


def digest(layers: Layers) -> str | None:
    """The digest of a configuration's layers and the checking code, or None."""
    stamp = _code_stamp()
    if not stamp:
        return None
    text = json.dumps(layers, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{stamp}\n{text}".encode()).hexdigest()


def _memo_path() -> Path:
    return paths.cache_dir() / MEMO_FILE


def _remembered() -> list[str]:
    try:
        return _memo_path().read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError):
        return []


def checked_before(layers: Layers) -> bool:
    """Whether exactly this configuration passed the full check with this code."""
    key = digest(layers)
    return key is not None and key in _remembered()


def remember_checked(layers: Layers) -> None:
    """Note that this configuration passed; best effort (a read-only cache just means
    the next run checks again)."""
    key = digest(layers)
    if key is None:
        return
    known = _remembered()
    if key in known:
        return
    kept = [*known[-(KEEP - 1) :], key]
    target = _memo_path()
    temporary = target.with_name(f"{MEMO_FILE}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write("\n".join(kept) + "\n")
        os.replace(temporary, target)  # two processes at once: one list wins, both valid
    except OSError as exc:
        log.debug("could not remember the checked settings (%s)", exc)
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
