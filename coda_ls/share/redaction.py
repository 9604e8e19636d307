"""What a shared session must not reveal: secrets (by their shape and by the key they are
assigned to) and absolute paths of the sharer's machine (the project root becomes
relative, the home directory `~`, the temp dir `$TMPDIR`).

Applied to every string of a session export, so the HTML page and the JSON a recipient
imports are redacted alike.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coda_ls.redact import redact as redact_assignments
from coda_ls.secrets import TOKEN_SHAPES

# A path prefix ends where a path segment ends: `/home/ann` must not eat `/home/anna`.
_SEGMENT_END = r"(?![\w.-])"


def _variants(path: str | Path | None) -> list[str]:
    """The path as written and as resolved (`/tmp` may be a link to `/private/tmp`)."""
    if not path:
        return []
    text = str(path).rstrip("/") or "/"
    out = {text}
    with contextlib.suppress(OSError):
        out.add(str(Path(text).resolve()))
    return [v for v in out if v not in ("/", "")]


@dataclass
class Redactor:
    """Rewrites text for sharing. Longer prefixes are replaced first, so the project root
    inside the home directory becomes relative, not `~/…`."""

    root: str | None = None
    home: str | None = field(default_factory=lambda: os.path.expanduser("~"))
    temp: str | None = field(default_factory=tempfile.gettempdir)
    _rules: list[tuple[re.Pattern[str], str]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        prefixes: list[tuple[str, str]] = []
        for value in _variants(self.root):
            prefixes.append((value, "."))
        for value in _variants(self.home):
            prefixes.append((value, "~"))
        for value in _variants(self.temp):
            prefixes.append((value, "$TMPDIR"))
        prefixes.sort(key=lambda item: len(item[0]), reverse=True)
        for prefix, replacement in prefixes:
            # root/x -> x, root alone -> . ; home/x -> ~/x ; tmp/x -> $TMPDIR/x
            pattern = re.compile(re.escape(prefix) + r"(?:(/)|" + _SEGMENT_END + ")")
            self._rules.append((pattern, replacement))

    def text(self, value: str) -> str:
        # Assignments first (`API_KEY=…` -> `API_KEY=********`), then bare tokens by shape.
        value = redact_assignments(value)
        for kind, pattern in TOKEN_SHAPES:
            value = pattern.sub(f"[redacted {kind}]", value)
        for pattern, replacement in self._rules:
            value = pattern.sub(functools.partial(_join, replacement), value)
        return value

    def value(self, data: Any) -> Any:
        """`data` (JSON-like) with every string redacted; keys are kept as they are."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, list):
            return [self.value(item) for item in data]
        if isinstance(data, dict):
            return {key: self.value(item) for key, item in data.items()}
        return data


def _join(replacement: str, match: re.Match[str]) -> str:
    slash = match.group(1)
    if replacement == ".":
        return "" if slash else "."  # inside the project: a relative path
    return replacement + (slash or "")


def shareable(export: dict[str, Any], home: str | None = None) -> dict[str, Any]:
    """A session export (`export.to_json`) made safe to hand to someone else: strings
    redacted, the project's absolute root replaced by its name (`project`)."""
    session = dict(export.get("session") or {})
    root = session.get("project_root")
    redactor = Redactor(root=root, **({"home": home} if home is not None else {}))
    data: dict[str, Any] = redactor.value(export)
    data["session"]["project_root"] = None
    data["session"]["project"] = Path(root).name if root else None
    data["shared"] = True
    return data
