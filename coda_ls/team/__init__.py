"""The team store: sessions, knowledge notes, shared prompts and share links in
PostgreSQL (`[team] database_url`), for a team beyond one machine. SQLite stays the store
of one person; nothing here imports SQLAlchemy until a team store is configured and used.

team = open_team(settings)               # TeamStore (raises TeamStoreError)
push(settings, store, session_id)        # coda_ls.team.sync
find_shared(token, settings)             # a share link's export, for `coda web`
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coda_ls.errors import TeamStoreError

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.team.store import TeamStore

_INSTALL_HINT = "install the team extra: pip install 'coda-assistant[team]'"


def configured(settings: Settings) -> bool:
    return settings.team.database_url is not None


def open_team(settings: Settings) -> TeamStore:
    """The team store of these settings (its schema created on first use)."""
    url = settings.team.database_url
    if url is None:
        raise TeamStoreError(
            "no team store is configured",
            'set [team] database_url = "postgresql://user:password@host/db" in the config',
        )
    try:
        from coda_ls.team.store import TeamStore
    except ImportError as exc:
        raise TeamStoreError(f"the team store needs {exc.name}", _INSTALL_HINT) from None
    return TeamStore(url.get_secret_value())


def describe(settings: Settings) -> str:
    """One line for `coda doctor`: the server and what the team store holds."""
    with open_team(settings) as team:
        return team.describe()


def find_shared(token: str, settings: Settings) -> dict[str, Any] | None:
    """The export a share token names, from the team store; None when no team store is
    configured or the token is unknown/revoked. For `coda web`'s share route: a link
    published on one machine resolves on every other."""
    if not configured(settings):
        return None
    with open_team(settings) as team:
        return team.lookup(token)


def share_store(settings: Settings) -> TeamStore | None:
    """The team store as coda_ls.share's ShareStore (publish, lookup, revoke, links,
    close) when one is configured, else None (links stay in the session database)."""
    return open_team(settings) if configured(settings) else None


__all__ = ["TeamStoreError", "configured", "find_shared", "open_team", "share_store"]
