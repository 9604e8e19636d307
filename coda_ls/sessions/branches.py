"""How a branch's conversation is assembled: the walk up its parents, shared by the local
SQLite store and the team store so both read a branch the same way."""

from __future__ import annotations

from collections.abc import Callable

Parent = tuple[str | None, int | None]
"""A session's (parent session id, message id it forked after), both None for a root."""


def branch_segments(
    session_id: str, parent_of: Callable[[str], Parent | None]
) -> list[tuple[str, int | None]]:
    """(session id, last message id it contributes or None for all), leaf first.

    `parent_of` returns None for an unknown session, which ends the walk; a cycle (a
    damaged store) ends it too rather than looping."""
    segments: list[tuple[str, int | None]] = []
    cut: int | None = None
    current: str | None = session_id
    seen: set[str] = set()
    while current is not None and current not in seen:
        seen.add(current)
        segments.append((current, cut))
        parent = parent_of(current)
        if parent is None:
            break
        current, fork_at = parent
        if fork_at is not None:
            cut = fork_at if cut is None else min(cut, fork_at)
    return segments
