"""Full-text search over the FTS5 index of messages.

The query is FTS5 syntax first (phrases in quotes, AND/OR/NOT, prefix*), so power users
get it; when SQLite rejects it (an unbalanced quote, a stray `:` or `(`), the words are
searched again each quoted as a literal, so a user never sees a raw sqlite error.

Ranking: BM25 over the most recent `WINDOW` matches. Ranking every match costs ~50 ms for
a word found in most of 100k messages; the window walks the index newest first and stops,
so a search stays under ~10 ms however common the words, and for queries with fewer
matches than the window the order is plain BM25. Snippets are built only for the hits
returned.
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
WINDOW = 500
_RANK_SQL = """
SELECT rowid FROM (
    SELECT rowid, bm25(messages_fts) AS score FROM messages_fts
    WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?
) ORDER BY score, rowid DESC LIMIT ?
"""
# One pass over the window's rowid range; `snippet()` runs only for the ranked rows.
# (`rowid IN (...)` instead would re-run a prefix query once per listed rowid.)
_SNIPPETS_SQL = """
SELECT rowid, CASE WHEN rowid IN ({ids}) THEN snippet(messages_fts, 0, ?, ?, '…', ?) END
FROM messages_fts WHERE messages_fts MATCH ? AND rowid >= ? ORDER BY rowid DESC
"""
_META_SQL = """
SELECT m.id, m.session_id, s.title, m.role, m.created_at
FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.id IN ({ids})
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
    ranked = [row[0] for row in db.conn.execute(_RANK_SQL, (match, max(WINDOW, limit), limit))]
    if not ranked:
        return []
    marks = ", ".join("?" * len(ranked))
    snippets = {
        rowid: text
        for rowid, text in db.conn.execute(
            _SNIPPETS_SQL.format(ids=marks),
            (*ranked, MARK_START, MARK_END, SNIPPET_TOKENS, match, min(ranked)),
        )
        if text is not None
    }
    meta = {row[0]: row for row in db.conn.execute(_META_SQL.format(ids=marks), ranked)}
    return [
        SearchHit(
            message_id=rowid,
            session_id=meta[rowid][1],
            session_title=meta[rowid][2],
            role=meta[rowid][3],
            snippet=snippets.get(rowid, ""),
            created_at=meta[rowid][4],
        )
        for rowid in ranked
        if rowid in meta
    ]
