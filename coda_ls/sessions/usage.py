"""Usage over time for dashboards: tokens, cost, time to first token and errors, summed
per day, model, provider and mode. One grouped scan in SQL (a dashboard over 100k
messages must not build 100k records in Python), then the few groups are folded four
ways here."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class UsageRow:
    """One group's totals; `key` is the day (YYYY-MM-DD), model, provider or mode."""

    key: str
    replies: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost: float = 0.0
    errors: int = 0
    ttft_sum: float = 0.0
    ttft_count: int = 0

    @property
    def ttft_ms(self) -> float | None:
        """Mean time to first token of the replies that recorded one."""
        return self.ttft_sum / self.ttft_count if self.ttft_count else None

    @property
    def error_rate(self) -> float:
        return self.errors / self.replies if self.replies else 0.0

    def add(self, other: UsageRow) -> None:
        self.replies += other.replies
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cached_tokens += other.cached_tokens
        self.cost += other.cost
        self.errors += other.errors
        self.ttft_sum += other.ttft_sum
        self.ttft_count += other.ttft_count


@dataclass
class UsageReport:
    days: list[UsageRow] = field(default_factory=list)
    models: list[UsageRow] = field(default_factory=list)
    providers: list[UsageRow] = field(default_factory=list)
    modes: list[UsageRow] = field(default_factory=list)


_QUERY = """
SELECT date(created_at, 'unixepoch', 'localtime'), coalesce(model, '?'),
       coalesce(provider, '?'), coalesce(mode, 'chat'),
       count(*), sum(input_tokens), sum(output_tokens), sum(cached_tokens),
       sum(coalesce(cost, 0)), sum(status IN ('error', 'interrupted')),
       sum(coalesce(ttft_ms, 0)), count(ttft_ms)
FROM messages
WHERE role = 'assistant' AND created_at >= strftime('%s', 'now') - ?
GROUP BY 1, 2, 3, 4
"""


def usage_report(db_path: Path, days: int = 30) -> UsageReport:
    """Assistant replies of the last `days` days, grouped four ways. Reads through its
    own read-only connection so it never waits on the store's lock."""
    if not db_path.exists():
        return UsageReport()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = conn.execute(_QUERY, (days * 86400,)).fetchall()
    finally:
        conn.close()
    groups: list[dict[str, UsageRow]] = [{}, {}, {}, {}]
    for row in rows:
        part = UsageRow(
            "",
            row[4],
            row[5] or 0,
            row[6] or 0,
            row[7] or 0,
            row[8] or 0.0,
            row[9] or 0,
            row[10] or 0.0,
            row[11] or 0,
        )
        for index, group in enumerate(groups):
            key = str(row[index])
            group.setdefault(key, UsageRow(key)).add(part)
    days_, models, providers, modes = ([g[k] for k in sorted(g)] for g in groups)
    return UsageReport(days_, models, providers, modes)
