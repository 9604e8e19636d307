"""Full-text search over the FTS5 index of messages.

The query is FTS5 syntax first (phrases in quotes, AND/OR/NOT, prefix*), so power users
get it; when SQLite rejects it (an unbalanced quote, a stray `:` or `(`), the words are
searched again each quoted as a literal, so a user never sees a raw sqlite error.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING

from coda_ls.errors import CodaError
from coda_ls.sessions.models import MARK_END, MARK_START, SearchHit

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

SNIPPET_TOKENS = 16
_SQL = """
SELECT m.id AS message_id, m.session_id, s.title AS session_title, m.role,
       snippet(messages_fts, 0, ?, ?, '…', ?) AS snippet, m.created_at
FROM messages_fts
JOIN messages m ON m.id = messages_fts.rowid
JOIN sessions s ON s.id = m.session_id
WHERE messages_fts MATCH ?
ORDER BY rank
LIMIT ?
"""


def quote_terms(query: str) -> str:
    """Every whitespace-separated word as an FTS5 string literal (implicit AND)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


def run_search(db: sqlite_utils.Database, query: str, limit: int) -> list[SearchHit]:
    if not query.strip() or limit <= 0:
        return []
    try:
        return _run(db, query, limit)
    except sqlite3.OperationalError as exc:
        log.debug("FTS query %r rejected (%s); searching its words literally", query, exc)
    literal = quote_terms(query)
    if not literal.strip('" '):
        return []
    try:
        return _run(db, literal, limit)
    except sqlite3.OperationalError as exc:  # should not happen with quoted terms
        raise CodaError(f"cannot search for {query!r}: {exc}", "try simpler words") from None


def _run(db: sqlite_utils.Database, match: str, limit: int) -> list[SearchHit]:
    params = (MARK_START, MARK_END, SNIPPET_TOKENS, match, limit)
    return [SearchHit(**row) for row in db.query(_SQL, params)]
