"""Spending limits: `[budget] workspace` (all time, this workspace) and `[budget] daily`
(since midnight UTC, every workspace), checked against the cost the session store recorded
before a request is sent. The store is the ledger: what was paid is what the providers'
usage said, priced when it was answered, so a limit holds across the CLI, the shell and
the editors alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coda_ls.errors import CodaError

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.sessions import SessionStore


class BudgetExceeded(CodaError):
    """A spending limit in the settings is reached; nothing was sent."""

    exit_code = 2


@dataclass(frozen=True)
class Usage:
    """Spent so far toward each limit (None: no such limit set)."""

    workspace_spent: float
    workspace_limit: float | None
    daily_spent: float
    daily_limit: float | None

    def lines(self) -> list[str]:
        out = []
        if self.workspace_limit is not None:
            out.append(
                f"workspace budget: ${self.workspace_spent:.4f} of ${self.workspace_limit:.2f}"
            )
        if self.daily_limit is not None:
            out.append(f"daily budget: ${self.daily_spent:.4f} of ${self.daily_limit:.2f} today")
        return out


def start_of_day(now: dt.datetime | None = None) -> float:
    now = now or dt.datetime.now(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def spent(
    store: SessionStore, *, workspace: Path | None = None, since: float | None = None
) -> float:
    """Recorded cost of every message, optionally of one workspace's sessions and since a
    time (epoch seconds)."""
    sql = "SELECT coalesce(sum(m.cost), 0) FROM messages m"
    where: list[str] = []
    args: list[object] = []
    if workspace is not None:
        sql += " JOIN sessions s ON s.id = m.session_id"
        where.append("s.project_root = ?")
        args.append(str(workspace))
    if since is not None:
        where.append("m.created_at >= ?")
        args.append(since)
    if where:
        sql += " WHERE " + " AND ".join(where)
    value = store.scalar(sql, args)
    return float(value) if isinstance(value, (int, float)) else 0.0


def usage(settings: Settings, store: SessionStore, workspace: Path) -> Usage:
    limits = settings.budget
    return Usage(
        workspace_spent=spent(store, workspace=workspace) if limits.workspace is not None else 0.0,
        workspace_limit=limits.workspace,
        daily_spent=spent(store, since=start_of_day()) if limits.daily is not None else 0.0,
        daily_limit=limits.daily,
    )


def check(settings: Settings, store: SessionStore | None, workspace: Path) -> None:
    """Raise BudgetExceeded when a limit is reached. Without a store nothing is recorded,
    so nothing can be checked (the limits are about recorded spending)."""
    limits = settings.budget
    if store is None or (limits.workspace is None and limits.daily is None):
        return
    now = usage(settings, store, workspace)
    if now.workspace_limit is not None and now.workspace_spent >= now.workspace_limit:
        raise BudgetExceeded(
            f"Spending limit reached: ${now.workspace_spent:.4f} spent in {workspace} "
            f"of the ${now.workspace_limit:.2f} `budget.workspace` limit; nothing was sent.",
            "raise it with `[budget] workspace = …` in config.toml (or "
            "CODA_BUDGET__WORKSPACE=…), or remove the limit",
        )
    if now.daily_limit is not None and now.daily_spent >= now.daily_limit:
        raise BudgetExceeded(
            f"Spending limit reached: ${now.daily_spent:.4f} spent today (UTC) of the "
            f"${now.daily_limit:.2f} `budget.daily` limit; nothing was sent.",
            "raise it with `[budget] daily = …` in config.toml (or CODA_BUDGET__DAILY=…), "
            "remove it, or wait until midnight UTC",
        )
