"""Usage accounting of a session: totals and one row per provider/model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coda_ls.sessions.models import ModelStats, Session, SessionStats

if TYPE_CHECKING:
    import sqlite_utils

# A "request" is one model call, whatever its outcome: an assistant message, or the
# summary a compaction asked the model for (a call the user pays for too).
_BY_MODEL_SQL = """
SELECT provider, model,
       count(*) AS requests,
       sum(status = 'error') AS errors,
       sum(status = 'interrupted') AS interrupted,
       sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens,
       sum(cached_tokens) AS cached_tokens,
       sum(cost) AS cost,
       coalesce(sum(latency_ms), 0) AS api_time_ms,
       coalesce(sum(wall_ms), 0) AS wall_time_ms,
       coalesce(sum(json_array_length(tool_calls)), 0) AS tool_calls,
       avg(ttft_ms) AS avg_ttft_ms,
       sum(ttft_ms) AS ttft_sum, count(ttft_ms) AS ttft_count
FROM messages
WHERE session_id = ? AND (role = 'assistant' OR mode = 'compact')
GROUP BY provider, model
ORDER BY requests DESC
"""


def session_stats(db: sqlite_utils.Database, session: Session) -> SessionStats:
    rows: list[dict[str, Any]] = list(db.query(_BY_MODEL_SQL, [session.id]))
    (user_messages,) = db.conn.execute(
        "SELECT count(*) FROM messages WHERE session_id = ? AND role = 'user'", (session.id,)
    ).fetchone()
    by_model = [
        ModelStats(
            provider=row["provider"],
            model=row["model"],
            requests=row["requests"],
            errors=row["errors"],
            input_tokens=row["input_tokens"],
            output_tokens=row["output_tokens"],
            cached_tokens=row["cached_tokens"],
            cost=row["cost"],
            api_time_ms=row["api_time_ms"],
            wall_time_ms=row["wall_time_ms"],
            tool_calls=row["tool_calls"],
            avg_ttft_ms=row["avg_ttft_ms"],
        )
        for row in rows
    ]
    costs = [row["cost"] for row in rows if row["cost"] is not None]
    ttft_count = sum(row["ttft_count"] for row in rows)
    return SessionStats(
        session_id=session.id,
        user_messages=user_messages,
        requests=sum(m.requests for m in by_model),
        errors=sum(m.errors for m in by_model),
        interrupted=sum(row["interrupted"] for row in rows),
        input_tokens=sum(m.input_tokens for m in by_model),
        output_tokens=sum(m.output_tokens for m in by_model),
        cached_tokens=sum(m.cached_tokens for m in by_model),
        cost=sum(costs) if costs else None,
        api_time_ms=sum(m.api_time_ms for m in by_model),
        reply_wall_time_ms=sum(m.wall_time_ms for m in by_model),
        session_wall_time_s=max(session.updated_at - session.created_at, 0.0),
        tool_calls=sum(m.tool_calls for m in by_model),
        avg_ttft_ms=(
            sum(row["ttft_sum"] or 0 for row in rows) / ttft_count if ttft_count else None
        ),
        by_model=by_model,
    )
