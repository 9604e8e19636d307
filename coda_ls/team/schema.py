"""The team store's tables: the session store's schema (sessions, messages with their
usage columns) plus knowledge notes, shared prompts and share links, in PostgreSQL.

Full-text search: each searchable table has a generated `tsvector` column with a GIN
index, built with the `coda` text-search configuration (English Snowball stemming, no
stop words; see fts.py for why). Creating the schema is idempotent and serialised by an
advisory lock, so two clients meeting a new database at once do not race.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Computed,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Connection

SCHEMA_VERSION = 1
_LOCK_KEY = 0x636F6461  # "coda": the advisory lock taken while creating the schema

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", Text, primary_key=True),
    Column("title", Text),
    Column("project_root", Text),
    Column("vcs_revision", Text),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("parent_id", Text),
    Column("parent_message_id", BigInteger),
    Index("sessions_parent_id", "parent_id"),
    Index("sessions_updated_at", "updated_at"),
    Index("sessions_project_root_updated_at", "project_root", "updated_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("session_id", Text, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("role", Text, nullable=False),
    Column("content", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False, server_default="complete"),
    Column("mode", Text),
    Column("provider", Text),
    Column("model", Text),
    Column("input_tokens", BigInteger, server_default="0"),
    Column("output_tokens", BigInteger, server_default="0"),
    Column("cached_tokens", BigInteger, server_default="0"),
    Column("cost", Double),
    Column("latency_ms", Double),
    Column("ttft_ms", Double),
    Column("wall_ms", Double),
    Column("tool_calls", Text),
    Column("tool_call_id", Text),
    Column("finish_reason", Text),
    Column("error", Text),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column(
        "content_tsv",
        TSVECTOR,
        Computed("to_tsvector('coda'::regconfig, content)", persisted=True),
    ),
    Index("messages_session_id_id", "session_id", "id"),
    Index("messages_status", "status"),
    Index("messages_content_tsv", "content_tsv", postgresql_using="gin"),
)

knowledge_notes = Table(
    "knowledge_notes",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("author", Text),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
)

knowledge_passages = Table(
    "knowledge_passages",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column(
        "note_id", BigInteger, ForeignKey("knowledge_notes.id", ondelete="CASCADE"), nullable=False
    ),
    Column("ord", Integer, nullable=False),
    Column("heading", Text, nullable=False),
    Column("text", Text, nullable=False),
    # The heading weighs more (A) than the body (B), as in the local index's bm25 weights.
    Column(
        "tsv",
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('coda'::regconfig, heading), 'A') || "
            "setweight(to_tsvector('coda'::regconfig, text), 'B')",
            persisted=True,
        ),
    ),
    Index("knowledge_passages_note", "note_id"),
    Index("knowledge_passages_tsv", "tsv", postgresql_using="gin"),
)

shared_prompts = Table(
    "shared_prompts",
    metadata,
    Column("name", Text, primary_key=True),
    Column("description", Text),
    Column("mode", Text),
    Column("arguments", Text),  # JSON list of argument names/specs, as in the front matter
    Column("body", Text, nullable=False),
    Column("author", Text),
    Column("updated_at", Double, nullable=False),
)

# Share links as the local session database keeps them (coda_ls.share): only the token's
# SHA-256, and the redacted export as it was when shared (the session need not be pushed).
shares = Table(
    "shares",
    metadata,
    Column("token_sha256", Text, primary_key=True),
    Column("session_id", Text, nullable=False),
    Column("created_at", Double, nullable=False),
    Column("data", Text, nullable=False),
    Index("shares_session", "session_id"),
)

meta = Table(
    "coda_meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

_TEXT_SEARCH_SQL = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = 'coda_english_stem') THEN
    -- No StopWords: FTS5's porter tokenizer keeps every word, so must we.
    CREATE TEXT SEARCH DICTIONARY coda_english_stem (TEMPLATE = snowball, Language = english);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'coda') THEN
    CREATE TEXT SEARCH CONFIGURATION coda (COPY = english);
    ALTER TEXT SEARCH CONFIGURATION coda ALTER MAPPING
      FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
      WITH coda_english_stem;
  END IF;
END $$
"""


def ensure_schema(conn: Connection) -> int:
    """Create what is missing (inside the caller's transaction); returns the version
    found before (0 for a new database)."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    found = conn.execute(text("SELECT to_regclass('coda_meta')")).scalar()
    if found is not None:
        version = conn.execute(
            text("SELECT value FROM coda_meta WHERE key = 'schema_version'")
        ).scalar()
        if version is not None and int(version) >= SCHEMA_VERSION:
            return int(version)
    conn.execute(text(_TEXT_SEARCH_SQL))
    metadata.create_all(conn)
    conn.execute(
        text(
            "INSERT INTO coda_meta (key, value) VALUES ('schema_version', :v) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ),
        {"v": str(SCHEMA_VERSION)},
    )
    return 0
