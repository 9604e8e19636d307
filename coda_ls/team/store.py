"""TeamStore: sessions, knowledge notes, shared prompts and share links in PostgreSQL,
through SQLAlchemy Core (the `team` extra: SQLAlchemy + psycopg 3).

Sessions keep the local store's schema and branch model (a branch shares its parent's
rows up to the fork point), so a session copied here and back is the same session: same
id, same messages in the same order; message ids are the team database's own. Every
database error becomes a TeamStoreError saying what to check; the URL's password never
appears in one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from coda_ls.errors import SessionNotFound, TeamStoreError
from coda_ls.knowledge.base import Passage
from coda_ls.knowledge.passages import split_note
from coda_ls.sessions.branches import Parent, branch_segments
from coda_ls.sessions.models import MARK_END, MARK_START, MessageRecord, SearchHit, Session
from coda_ls.sessions.search import WINDOW
from coda_ls.team import fts, schema
from coda_ls.team.sync import SESSION_COLUMNS

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

MESSAGE_COLUMNS = tuple(c.name for c in schema.messages.columns if c.name != "content_tsv")
SNIPPET_WORDS = 16
TOKEN_BYTES = 32  # as coda_ls.share: 256 bits
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=4, "
    "ShortWord=1, MaxFragments=1, FragmentDelimiter=…"
)


def engine_url(url: str) -> str:
    """`postgresql://…` means psycopg 3 here (SQLAlchemy's default would be psycopg2)."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def redact_url(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class TeamStore:
    """The team's PostgreSQL database. Thread-safe (SQLAlchemy's pool)."""

    def __init__(self, url: str, *, connect_timeout: float = 5.0) -> None:
        self.url = url
        if not url.startswith(("postgresql", "postgres://")):
            raise TeamStoreError(
                f"team.database_url {redact_url(url)!r} is not a PostgreSQL URL",
                "use postgresql://user:password@host:5432/dbname",
            )
        self._engine: Engine = sa.create_engine(
            engine_url(url),
            pool_pre_ping=True,
            connect_args={"connect_timeout": max(1, int(connect_timeout))},
        )
        with self._begin() as conn:
            schema.ensure_schema(conn)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> TeamStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A transaction; database errors become TeamStoreError."""
        try:
            with self._engine.begin() as conn:
                yield conn
        except sa_exc.OperationalError as exc:
            raise TeamStoreError(
                f"cannot reach the team store {redact_url(self.url)}: {_first_line(exc)}",
                "check [team] database_url, that PostgreSQL runs and accepts this user",
            ) from None
        except sa_exc.DBAPIError as exc:
            raise TeamStoreError(
                f"the team store refused a request: {_first_line(exc)}",
                "check the database user's privileges (it creates Coda's tables on first use)",
            ) from None

    def describe(self) -> str:
        """Server version and counts, for `coda doctor`."""
        with self._begin() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar()
            counts = conn.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM messages), "
                    "(SELECT count(*) FROM knowledge_notes), (SELECT count(*) FROM shared_prompts)"
                )
            ).one()
        return (
            f"PostgreSQL {version} at {redact_url(self.url)}: {counts[0]} sessions, "
            f"{counts[1]} messages, {counts[2]} notes, {counts[3]} prompts"
        )

    # -- sessions: the row interface shared with SessionStore (see sync.py) -------------

    def resolve_id(self, session_id: str) -> str:
        prefix = session_id.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{1,32}", prefix):
            raise SessionNotFound(f"no session {session_id!r} in the team store")
        with self._begin() as conn:
            rows = conn.execute(
                sa.text("SELECT id FROM sessions WHERE id >= :lo AND id < :hi ORDER BY id LIMIT 6"),
                {"lo": prefix, "hi": prefix + "g"},
            ).all()
        if not rows:
            raise SessionNotFound(
                f"no session {session_id!r} in the team store", "see `coda sessions list --team`"
            )
        if len(rows) > 1 and rows[0][0] != prefix:
            raise SessionNotFound(
                f"session id {session_id!r} is ambiguous in the team store", "type more characters"
            )
        return str(rows[0][0])

    def session_row(self, session_id: str) -> dict[str, Any] | None:
        with self._begin() as conn:
            row = conn.execute(
                sa.select(schema.sessions).where(schema.sessions.c.id == session_id)
            ).first()
        return dict(row._mapping) if row is not None else None

    def put_session_row(self, row: dict[str, Any]) -> None:
        from sqlalchemy.dialects.postgresql import insert

        values = {k: row[k] for k in SESSION_COLUMNS}
        statement = insert(schema.sessions).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={k: statement.excluded[k] for k in SESSION_COLUMNS if k != "id"},
        )
        with self._begin() as conn:
            conn.execute(statement)

    def message_rows(self, session_id: str) -> list[dict[str, Any]]:
        columns = [schema.messages.c[name] for name in MESSAGE_COLUMNS]
        with self._begin() as conn:
            rows = conn.execute(
                sa.select(*columns)
                .where(schema.messages.c.session_id == session_id)
                .order_by(schema.messages.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def add_message_rows(self, session_id: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Append messages (new ids, in order: ids only grow, as the branch model needs)."""
        if not rows:
            return []
        values = [
            {k: v for k, v in row.items() if k in MESSAGE_COLUMNS and k != "id"}
            | {"session_id": session_id}
            for row in rows
        ]
        # One batched INSERT … RETURNING; ids come back in the rows' order.
        statement = schema.messages.insert().returning(
            schema.messages.c.id, sort_by_parameter_order=True
        )
        with self._begin() as conn:
            return [int(new_id) for new_id in conn.execute(statement, values).scalars()]

    def update_message(self, message_id: int, **columns: Any) -> None:
        values = {k: v for k, v in columns.items() if k in MESSAGE_COLUMNS and k != "id"}
        with self._begin() as conn:
            conn.execute(
                schema.messages.update().where(schema.messages.c.id == message_id).values(values)
            )

    # -- sessions: reading --------------------------------------------------------------

    def list_sessions(self, limit: int = 50) -> list[Session]:
        with self._begin() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT s.*, (SELECT count(*) FROM messages m WHERE m.session_id = s.id) "
                    "AS message_count FROM sessions s ORDER BY s.updated_at DESC LIMIT :n"
                ),
                {"n": limit},
            ).all()
        return [Session(**dict(row._mapping)) for row in rows]

    def get_session(self, session_id: str) -> Session:
        sid = self.resolve_id(session_id)
        row = self.session_row(sid)
        assert row is not None
        return Session(**row, message_count=len(self.message_rows(sid)))

    def history(self, session_id: str) -> list[MessageRecord]:
        """Every message of the conversation, a branch's parents' up to its fork point
        (the same walk as SessionStore.history)."""
        sid = self.resolve_id(session_id)

        def parent_of(current: str) -> Parent | None:
            row = self.session_row(current)
            return None if row is None else (row["parent_id"], row["parent_message_id"])

        records: list[MessageRecord] = []
        for seg_id, seg_cut in reversed(branch_segments(sid, parent_of)):
            for row in self.message_rows(seg_id):
                if seg_cut is None or row["id"] <= seg_cut:
                    records.append(MessageRecord.from_row(row))
        return records

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search of every message, with the SQLite store's query semantics
        (fts.py) and ranking window: the newest WINDOW matches ranked by ts_rank (newest
        first among equals), so a common word costs the same as a rare one."""
        compiled = fts.to_sql(query)
        if compiled is None or limit <= 0:
            return []
        expression, params = compiled
        sql = f"""
            WITH q AS (SELECT {expression} AS query),
            newest AS (
                SELECT m.id, m.content_tsv FROM messages m, q
                WHERE m.content_tsv @@ q.query ORDER BY m.id DESC LIMIT :window
            ),
            ranked AS (
                SELECT w.id, ts_rank(w.content_tsv, q.query) AS score
                FROM newest w, q ORDER BY score DESC, w.id DESC LIMIT :limit
            )
            SELECT m.id, m.session_id, s.title, m.role, m.created_at,
                   ts_headline('{fts.TS_CONFIG}', m.content, q.query, :headline) AS snippet
            FROM ranked r JOIN messages m ON m.id = r.id JOIN sessions s ON s.id = m.session_id,
                 q
            ORDER BY r.score DESC, m.id DESC
        """
        with self._begin() as conn:
            rows = conn.execute(
                sa.text(sql),
                {**params, "limit": limit, "window": max(WINDOW, limit), "headline": _HEADLINE},
            ).all()
        return [
            SearchHit(
                message_id=row.id,
                session_id=row.session_id,
                session_title=row.title,
                role=row.role,
                snippet=row.snippet or "",
                created_at=row.created_at,
            )
            for row in rows
        ]

    # -- knowledge -------------------------------------------------------------------

    def put_note(self, slug: str, title: str, body: str, author: str | None = None) -> int:
        """Add or replace the note `slug`, with its passages re-split; returns its id."""
        from sqlalchemy.dialects.postgresql import insert

        now = time.time()
        notes = schema.knowledge_notes
        statement = insert(notes).values(
            slug=slug, title=title, body=body, author=author, created_at=now, updated_at=now
        )
        upsert = statement.on_conflict_do_update(
            index_elements=["slug"],
            set_={
                "title": statement.excluded.title,
                "body": statement.excluded.body,
                "author": statement.excluded.author,
                "updated_at": statement.excluded.updated_at,
            },
        ).returning(notes.c.id)
        chunks = split_note(body, title)
        with self._begin() as conn:
            note_id = int(conn.execute(upsert).scalar_one())
            passages = schema.knowledge_passages
            conn.execute(passages.delete().where(passages.c.note_id == note_id))
            if chunks:
                conn.execute(
                    passages.insert(),
                    [
                        {"note_id": note_id, "ord": n, "heading": c.heading, "text": c.text}
                        for n, c in enumerate(chunks)
                    ],
                )
        return note_id

    def notes(self) -> list[tuple[str, str, int]]:
        """(slug, title, passages) of every team note."""
        with self._begin() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT n.slug, n.title, count(p.id) FROM knowledge_notes n "
                    "LEFT JOIN knowledge_passages p ON p.note_id = n.id "
                    "GROUP BY n.slug, n.title ORDER BY n.slug"
                )
            ).all()
        return [(row[0], row[1], int(row[2])) for row in rows]

    def knowledge_passages(self, terms: Sequence[str], limit: int) -> list[Passage]:
        """Team-note passages with any of `terms` (a question's content words), best
        first — the team store's side of KnowledgeBase.search."""
        if not terms:
            return []
        params = {f"t{i}": term for i, term in enumerate(terms)}
        query = " || ".join(f"plainto_tsquery('{fts.TS_CONFIG}', :t{i})" for i in range(len(terms)))
        sql = f"""
            WITH q AS (SELECT {query} AS query)
            SELECT n.slug, p.heading, p.text, ts_rank(p.tsv, q.query) AS score
            FROM knowledge_passages p JOIN knowledge_notes n ON n.id = p.note_id, q
            WHERE p.tsv @@ q.query
            ORDER BY score DESC, n.slug, p.ord LIMIT :limit
        """
        with self._begin() as conn:
            rows = conn.execute(sa.text(sql), {**params, "limit": limit}).all()
        return [
            Passage(f"team:{row.slug}", row.heading, row.text, rank)
            for rank, row in enumerate(rows)
        ]

    # -- shared prompts ----------------------------------------------------------------

    def put_prompt(
        self,
        name: str,
        body: str,
        *,
        description: str | None = None,
        mode: str | None = None,
        arguments: Sequence[Any] = (),
        author: str | None = None,
    ) -> None:
        from sqlalchemy.dialects.postgresql import insert

        values = {
            "name": name,
            "description": description,
            "mode": mode,
            "arguments": json.dumps(list(arguments)),
            "body": body,
            "author": author,
            "updated_at": time.time(),
        }
        statement = insert(schema.shared_prompts).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["name"],
            set_={k: statement.excluded[k] for k in values if k != "name"},
        )
        with self._begin() as conn:
            conn.execute(statement)

    def prompts(self) -> list[dict[str, Any]]:
        """Every shared prompt (arguments decoded), by name."""
        with self._begin() as conn:
            rows = conn.execute(
                sa.select(schema.shared_prompts).order_by(schema.shared_prompts.c.name)
            ).all()
        out = []
        for row in rows:
            data = dict(row._mapping)
            data["arguments"] = json.loads(data["arguments"] or "[]")
            out.append(data)
        return out

    # -- share links: the ShareStore interface of coda_ls.share -------------------------

    def publish(self, session_id: str, data: dict[str, Any]) -> str:
        """Store `data` (a redacted export) under a new unguessable token; return it."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._begin() as conn:
            conn.execute(
                schema.shares.insert().values(
                    token_sha256=token_digest(token),
                    session_id=session_id,
                    created_at=time.time(),
                    data=json.dumps(data),
                )
            )
        return token

    def lookup(self, token: str) -> dict[str, Any] | None:
        """The export shared under `token`, or None (unknown or revoked)."""
        if not token:
            return None
        with self._begin() as conn:
            raw = conn.execute(
                sa.select(schema.shares.c.data).where(
                    schema.shares.c.token_sha256 == token_digest(token)
                )
            ).scalar()
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        return data

    def revoke(self, session_id: str) -> int:
        with self._begin() as conn:
            result = conn.execute(
                schema.shares.delete().where(schema.shares.c.session_id == session_id)
            )
        return int(result.rowcount)

    def links(self, session_id: str | None = None) -> list[ShareLink]:
        statement = sa.select(
            schema.shares.c.session_id, schema.shares.c.created_at, schema.shares.c.token_sha256
        ).order_by(schema.shares.c.created_at)
        if session_id is not None:
            statement = statement.where(schema.shares.c.session_id == session_id)
        with self._begin() as conn:
            rows = conn.execute(statement).all()
        return [ShareLink(sid, created, digest[:8]) for sid, created, digest in rows]


@dataclass(frozen=True)
class ShareLink:
    """A live share link (fields as coda_ls.share's ShareInfo)."""

    session_id: str
    created_at: float
    token_hint: str


def token_digest(token: str) -> str:
    """SHA-256 of a share token, as coda_ls.share stores it: a copied database opens no link."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
