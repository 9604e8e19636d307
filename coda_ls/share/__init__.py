"""Sharing a session: a redacted, self-contained HTML page (and the JSON inside it, to
import elsewhere), and share links that `coda web` serves by token.

The pieces a team store plugs into:
- `render_page(data) -> str`: the page for a session's (redacted) export;
- `ShareStore`: publish / lookup by token / revoke / links; `open_share_store` picks the
  implementation (the session database's `SqliteShareStore` by default).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from coda_ls.share.page import CSP, read_shared, render_page
from coda_ls.share.redaction import Redactor, shareable
from coda_ls.share.server_url import running_base_url
from coda_ls.share.store import ShareInfo, ShareStore, SqliteShareStore, new_share_token

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.sessions import SessionStore

__all__ = [
    "CSP",
    "Redactor",
    "ShareInfo",
    "ShareStore",
    "SharedSession",
    "SqliteShareStore",
    "new_share_token",
    "open_share_store",
    "read_shared",
    "render_page",
    "running_base_url",
    "share_session",
    "shareable",
]


def open_share_store(sessions: SessionStore, settings: Settings | None = None) -> ShareStore:
    """Where share links live: the team store (PostgreSQL) when `[team] database_url` is
    set, else the session database's `shares` table."""
    if settings is not None and settings.team.database_url is not None:
        from coda_ls.team import share_store

        team = share_store(settings)  # links published here resolve on every machine
        if team is not None:
            return team
    return SqliteShareStore(sessions.path)


class SharedSession:
    """What `share_session` made: the redacted export, its page, and the link's token."""

    def __init__(self, session_id: str, data: dict[str, Any], token: str | None) -> None:
        self.session_id = session_id
        self.data = data
        self.token = token

    @property
    def html(self) -> str:
        return render_page(self.data)

    def path(self) -> str:
        """The link's path on a `coda web` server (None without a token)."""
        return f"/share/{self.token}" if self.token else ""


def share_session(
    sessions: SessionStore,
    session_id: str,
    links: ShareStore | None = None,
    *,
    home: str | Path | None = None,
) -> SharedSession:
    """The session's redacted export, published under a new token when `links` is given."""
    sid = sessions.resolve_id(session_id)
    data = shareable(sessions.export_json(sid), home=str(home) if home is not None else None)
    token = links.publish(sid, data) if links is not None else None
    return SharedSession(sid, data, token)
