"""What a repo map is told by the settings: its token budget, the largest file it reads,
and whether vendored files count.

`RepoMapSettings` (coda_ls.config, the `[repomap]` table) is the checked form; the map
takes anything with these three attributes, so a front that found the values without
loading the settings models (`plain_map_options`) builds a map from a `MapOptions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_TOKENS = 1024
MIN_TOKENS = 64
DEFAULT_MAX_FILE_BYTES = 1_000_000


class MapSettings(Protocol):
    @property
    def tokens(self) -> int: ...

    @property
    def max_file_bytes(self) -> int: ...

    @property
    def include_vendored(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class MapOptions:
    tokens: int = DEFAULT_TOKENS
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    include_vendored: bool = False


FIELDS = frozenset(MapOptions.__dataclass_fields__)


def options_dict(settings: MapSettings) -> dict[str, Any]:
    """The three values as a dict (sent to worker processes)."""
    return {
        "tokens": settings.tokens,
        "max_file_bytes": settings.max_file_bytes,
        "include_vendored": settings.include_vendored,
    }


def plain_map_options(table: object) -> MapOptions | None:
    """The `[repomap]` table's values when each is plainly what it must be (an int in
    range, a bool); None for anything that needs the full check's conversions or
    messages (a string from an environment variable, an unknown key)."""
    if table is None:
        return MapOptions()
    if not isinstance(table, dict) or not FIELDS.issuperset(table):
        return None
    tokens = table.get("tokens", DEFAULT_TOKENS)
    max_bytes = table.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES)
    vendored = table.get("include_vendored", False)
    if type(tokens) is not int or tokens < MIN_TOKENS:
        return None
    if type(max_bytes) is not int or max_bytes < 1:
        return None
    if type(vendored) is not bool:
        return None
    return MapOptions(tokens, max_bytes, vendored)
