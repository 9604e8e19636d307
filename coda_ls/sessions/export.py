"""Export a session's history to Markdown or JSON, and read the JSON back.

The JSON format (`"format": "coda.session"`, version 1) carries the whole history a
session sees, so a branch exports as one self-contained conversation. Times are ISO 8601.
Imported files are untrusted: they are validated with pydantic and any problem becomes
a CodaError naming the field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from coda_ls.errors import CodaError
from coda_ls.sessions.models import MessageRecord, Session, Status

FORMAT = "coda.session"
VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ExportedMessage(_Model):
    id: int | None = None
    role: Literal["system", "user", "assistant", "tool"]
    content: str = ""
    status: Status = "complete"
    mode: str | None = None
    provider: str | None = None
    model: str | None = None
    input_tokens: int = Field(0, ge=0)
    output_tokens: int = Field(0, ge=0)
    cached_tokens: int = Field(0, ge=0)
    cost: float | None = None
    latency_ms: float | None = None
    ttft_ms: float | None = None
    wall_ms: float | None = None
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    tool_call_id: str | None = None
    finish_reason: str | None = None
    error: str | None = None
    created_at: datetime

    def to_row(self, session_id: str) -> dict[str, Any]:
        row = self.model_dump(exclude={"id"})
        row["session_id"] = session_id
        row["tool_calls"] = json.dumps(self.tool_calls) if self.tool_calls else None
        # A reply that was streaming when exported cannot resume after import.
        row["status"] = "interrupted" if self.status == "streaming" else self.status
        row["created_at"] = row["updated_at"] = self.created_at.timestamp()
        return row


class ExportedSession(_Model):
    id: str | None = None
    title: str | None = None
    project_root: str | None = None
    vcs_revision: str | None = None
    created_at: datetime
    updated_at: datetime
    parent_id: str | None = None
    parent_message_id: int | None = None


class Export(_Model):
    format: Literal["coda.session"]
    version: int = Field(ge=1, le=VERSION)
    session: ExportedSession
    messages: list[ExportedMessage]


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat()


def to_json(session: Session, history: list[MessageRecord]) -> dict[str, Any]:
    info = session.to_dict()
    info.pop("message_count", None)
    info["created_at"], info["updated_at"] = _iso(session.created_at), _iso(session.updated_at)
    messages = []
    for record in history:
        item = record.to_dict()
        item.pop("session_id")
        item.pop("updated_at")
        item["created_at"] = _iso(record.created_at)
        messages.append(item)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "session": info,
        "messages": messages,
    }


def parse_export(data: dict[str, Any] | str | bytes) -> Export:
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise CodaError(
                f"not JSON: {exc.msg} at line {exc.lineno}",
                "import a file written by `coda sessions export --format json`",
            ) from None
    try:
        return Export.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise CodaError(
            f"not a Coda session export: {where}: {first['msg']}",
            "import a file written by `coda sessions export --format json`",
        ) from None


def _fmt_time(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def to_markdown(session: Session, history: list[MessageRecord]) -> str:
    lines = [f"# {session.title or 'Untitled session'}", ""]
    lines.append(f"- Session: `{session.id}`")
    lines.append(f"- Created: {_fmt_time(session.created_at)}")
    if session.project_root:
        lines.append(f"- Project: `{session.project_root}`")
    if session.vcs_revision:
        lines.append(f"- Revision: `{session.vcs_revision}`")
    if session.parent_id:
        lines.append(
            f"- Branch of `{session.parent_id[:8]}` at message {session.parent_message_id}"
        )
    lines.append("")
    for record in history:
        heading = f"## {record.role.capitalize()}"
        details = [f"#{record.id}", _fmt_time(record.created_at)]
        if record.model:
            details.append(f"{record.provider}/{record.model}" if record.provider else record.model)
        if record.mode:
            details.append(f"mode {record.mode}")
        if record.status != "complete":
            details.append(f"**{record.status}**")
        lines += [f"{heading} <sub>{' · '.join(details)}</sub>", ""]
        fence = "````" if "```" in record.content else ""
        lines.append(f"{fence}\n{record.content}\n{fence}" if fence else record.content)
        if record.tool_calls:
            lines += ["", "Tool calls:", "", "```json", json.dumps(record.tool_calls, indent=2)]
            lines.append("```")
        if record.error:
            lines += ["", f"> {record.status}: {record.error}"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
