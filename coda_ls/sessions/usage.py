"""Usage over time for dashboards: tokens, cost, time to first token and errors, summed
per day, model, provider and mode straight in SQL (a dashboard over 100k messages must
not build 100k records in Python)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class UsageRow:
    """One group's totals; `key` is the day (YYYY-MM-DD), model, provider or mode."""

    key: str
    replies: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost: float
    ttft_ms: float | None
    errors: int

    @property
    def error_rate(self) -> float:
        return self.errors / self.replies if self.replies else 0.0


@dataclass
class UsageReport:
    days: list[UsageRow] = field(default_factory=list)
    models: list[UsageRow] = field(default_factory=list)
    providers: list[UsageRow] = field(default_factory=list)
    modes: list[UsageRow] = field(default_factory=list)


_GROUPS = {
    "days": "date(created_at, 'unixepoch', 'localtime')",
    "models": "coalesce(model, '?')",
    "providers": "coalesce(provider, '?')",
    "modes": "coalesce(mode, 'chat')",
}


def usage_report(db_path: Path, days: int = 30) -> UsageReport:
    """Assistant replies of the last `days` days, grouped four ways. Reads through its
    own read-only connection so it never waits on the store's lock."""
    report = UsageReport()
    if not db_path.exists():
        return report
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        for name, expr in _GROUPS.items():
            rows = conn.execute(
                f"SELECT {expr} AS k, count(*), sum(input_tokens), sum(output_tokens), "
                "sum(cached_tokens), sum(coalesce(cost, 0)), avg(ttft_ms), "
                "sum(status IN ('error', 'interrupted')) FROM messages "
                "WHERE role = 'assistant' AND created_at >= strftime('%s', 'now') - ? "
                "GROUP BY k ORDER BY k",
                (days * 86400,),
            ).fetchall()
            getattr(report, name).extend(
                UsageRow(
                    str(r[0]), r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0.0, r[6], r[7] or 0
                )
                for r in rows
            )
    finally:
        conn.close()
    return report
