"""Saving an answer as a note: the last answer of a session, titled by its question."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coda_ls.errors import KnowledgeError
from coda_ls.knowledge.notes import slugify, title_from

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.knowledge.base import KnowledgeBase
    from coda_ls.sessions import SessionStore


@dataclass(frozen=True)
class SavedNote:
    title: str
    path: Path | None  # the local file, unless saved to the team store only
    team_slug: str | None = None


def last_answer(store: SessionStore, session_id: str) -> tuple[str, str]:
    """(the question, the answer) of a session's last complete assistant reply."""
    session = store.get_session(session_id)
    asked = ""
    question = answer = ""
    for record in store.history(session.id):
        if not record.content.strip():
            continue
        if record.role == "user":
            asked = record.content
        elif record.role == "assistant" and record.status == "complete":
            question, answer = asked, record.content
    if not answer:
        raise KnowledgeError(
            f"session {session.short_id} has no answer to save",
            "ask something first, or pipe the note's text to `coda knowledge add`",
        )
    return question or session.title or "", answer


def save_note(
    knowledge: KnowledgeBase,
    body: str,
    *,
    title: str | None = None,
    origin: str | None = None,
    user: bool = False,
    team: bool = False,
    settings: Settings | None = None,
) -> SavedNote:
    """Write a note to the project's (or user's) knowledge dir and, with `team`, to the
    team store as well."""
    if team and (settings or knowledge.settings).team.database_url is None:
        from coda_ls.team import open_team

        open_team(settings or knowledge.settings)  # raises: says how to configure one
    name = (title or title_from(body)).strip() or "Note"
    path = knowledge.add(name, body, user=user, origin=origin)
    slug = None
    if team:
        from coda_ls.team import open_team

        with open_team(settings or knowledge.settings) as store:
            slug = slugify(name)
            store.put_note(slug, name, path.read_text(encoding="utf-8"))
    return SavedNote(name, path, slug)
