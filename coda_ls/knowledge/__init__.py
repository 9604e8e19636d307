"""The knowledge base: Markdown notes (`.coda/knowledge/`, the user's, the team store's)
indexed with FTS5; the passages relevant to a question join its context under a budget.

kb = KnowledgeBase(root, settings)
chosen = kb.relevant("how do we roll back a deploy?", max_tokens=800)
chosen.text, chosen.sources       # the context block, and what it drew from
kb.add("Rollback", answer_text)   # .coda/knowledge/rollback.md
"""

from __future__ import annotations

from coda_ls.knowledge.base import KnowledgeBase, KnowledgeSelection, Passage
from coda_ls.knowledge.query import fts_query, question_terms

__all__ = ["KnowledgeBase", "KnowledgeSelection", "Passage", "fts_query", "question_terms"]
