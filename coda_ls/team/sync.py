"""Copying sessions between the local SQLite store and the team store, both ways.

One algorithm for push and pull, over the row interface both stores offer
(session_row, put_session_row, message_rows, add_message_rows, update_message):

- a session is copied with its ancestors (a branch's history runs through them), root
  first, so a fork point always exists before the branch's own messages — the branch
  model needs a branch's messages to have larger ids than its fork point;
- sessions are append-only logs: the first n messages on the target are the source's
  first n (their columns refreshed when they differ, e.g. a reply that was still
  streaming), the rest are appended with the target's new ids;
- `parent_message_id` is translated through the message ids mapped on the way.

Copying again is therefore idempotent, and continuing a pulled session then pushing it
appends only the new turns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from coda_ls.errors import CodaError, SessionNotFound

if TYPE_CHECKING:
    from collections.abc import Sequence

    from coda_ls.config import Settings
    from coda_ls.sessions import SessionStore

log = logging.getLogger(__name__)


class RowStore(Protocol):
    def resolve_id(self, session_id: str) -> str: ...

    def session_row(self, session_id: str) -> dict[str, Any] | None: ...

    def put_session_row(self, row: dict[str, Any]) -> None: ...

    def message_rows(self, session_id: str) -> list[dict[str, Any]]: ...

    def add_message_rows(self, session_id: str, rows: Sequence[dict[str, Any]]) -> list[int]: ...

    def update_message(self, message_id: int, **columns: Any) -> None: ...


@dataclass
class CopyResult:
    session_id: str
    sessions: int = 0  # sessions written (the session and its ancestors)
    added: int = 0  # messages appended
    updated: int = 0  # messages whose columns were refreshed


SESSION_COLUMNS = (  # a session row, as both stores keep it
    "id",
    "title",
    "project_root",
    "vcs_revision",
    "created_at",
    "updated_at",
    "parent_id",
    "parent_message_id",
)


def copy_session(source: RowStore, target: RowStore, session_id: str) -> CopyResult:
    """Copy `session_id` (an id or unique prefix in `source`) and its ancestors."""
    sid = source.resolve_id(session_id)
    chain: list[dict[str, Any]] = []
    current: str | None = sid
    while current is not None and current not in {row["id"] for row in chain}:
        row = source.session_row(current)
        if row is None:
            if not chain:
                raise SessionNotFound(f"no session {session_id!r}")
            break  # a parent deleted locally: the branch goes as a root
        chain.append(row)
        current = row["parent_id"]
    result = CopyResult(sid)
    mapped: dict[int, int] = {}  # source message id -> target message id
    for row in reversed(chain):
        values = {key: row[key] for key in SESSION_COLUMNS}
        fork = values["parent_message_id"]
        if values["parent_id"] is not None and fork is not None:
            if fork not in mapped:  # its parent was not copied (deleted): cut loose
                values["parent_id"] = values["parent_message_id"] = None
            else:
                values["parent_message_id"] = mapped[fork]
        existing = target.session_row(values["id"])
        if existing is None or any(existing[k] != values[k] for k in SESSION_COLUMNS):
            target.put_session_row(values)
        result.sessions += 1
        mapped.update(_copy_messages(source, target, values["id"], result))
    return result


def _copy_messages(
    source: RowStore, target: RowStore, session_id: str, result: CopyResult
) -> dict[int, int]:
    theirs = target.message_rows(session_id)
    ours = source.message_rows(session_id)
    mapped: dict[int, int] = {}
    for mine, their in zip(ours, theirs, strict=False):
        mapped[mine["id"]] = their["id"]
        changed = {
            k: v for k, v in mine.items() if k not in ("id", "session_id") and their.get(k) != v
        }
        if changed:
            target.update_message(their["id"], **changed)
            result.updated += 1
    fresh = ours[len(theirs) :]
    if fresh:
        new_ids = target.add_message_rows(session_id, fresh)
        mapped.update(zip((row["id"] for row in fresh), new_ids, strict=True))
        result.added += len(fresh)
    return mapped


def push(settings: Settings, store: SessionStore, session_id: str) -> CopyResult:
    """Copy a local session (with its ancestors) to the team store."""
    from coda_ls.team import open_team

    with open_team(settings) as team:
        return copy_session(store, team, session_id)


def pull(settings: Settings, store: SessionStore, session_id: str) -> CopyResult:
    """Copy a team session (with its ancestors) into the local store."""
    from coda_ls.team import open_team

    with open_team(settings) as team:
        return copy_session(team, store, session_id)


def push_quietly(settings: Settings, store: SessionStore, session_id: str) -> None:
    """`push` for `[team] auto_push`: a failure is logged, never the answer's problem."""
    try:
        push(settings, store, session_id)
    except CodaError as exc:
        log.warning("auto-push of session %s failed: %s", session_id[:8], exc.message)
