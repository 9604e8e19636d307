"""Chat sessions: history, branches, search, export and usage accounting in SQLite.

store = SessionStore()                       # <XDG data>/coda/sessions.db
session = store.create_session(project_root=root)
store.add_message(session.id, "user", "Explain foo()")
with store.start_reply(session.id, provider="ollama", model="llama3.2") as reply:
    async for chunk in provider.stream(request):
        reply.append(chunk.delta)
    reply.finish(usage=chunk.usage, finish_reason=chunk.finish_reason)
messages = [m.to_message() for m in store.history(session.id)]
"""

from __future__ import annotations

from coda_ls.errors import SessionNotFound, SessionStoreError
from coda_ls.sessions.models import (
    MARK_END,
    MARK_START,
    MessageRecord,
    ModelStats,
    SearchHit,
    Session,
    SessionStats,
    Timing,
    TreeNode,
)
from coda_ls.sessions.store import SessionStore, default_db_path
from coda_ls.sessions.writer import ReplyWriter

__all__ = [
    "MARK_END",
    "MARK_START",
    "MessageRecord",
    "ModelStats",
    "ReplyWriter",
    "SearchHit",
    "Session",
    "SessionNotFound",
    "SessionStats",
    "SessionStore",
    "SessionStoreError",
    "Timing",
    "TreeNode",
    "default_db_path",
]
