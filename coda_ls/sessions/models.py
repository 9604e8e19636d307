"""The records the session store hands out: plain frozen dataclasses (no validation needed,
they come from our own database) that are cheap to build for a long history."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from coda_ls.wire import Message

Status = Literal["complete", "streaming", "interrupted", "error"]
STATUSES: tuple[Status, ...] = ("complete", "streaming", "interrupted", "error")

# Highlight markers in `SearchHit.snippet`: control characters that never occur in
# chat text, so a renderer can split on them without ambiguity.
MARK_START = "\x02"
MARK_END = "\x03"


@dataclass(frozen=True)
class Timing:
    """How long a reply took, in milliseconds: to the end of the model's answer
    (`latency_ms`), to its first token (`ttft_ms`) and on the wall clock (`wall_ms`)."""

    latency_ms: float | None = None
    ttft_ms: float | None = None
    wall_ms: float | None = None


@dataclass(frozen=True)
class Session:
    """One conversation. A branch has `parent_id` and the message it was forked at."""

    id: str
    title: str | None
    project_root: str | None
    vcs_revision: str | None
    created_at: float
    updated_at: float
    parent_id: str | None = None
    parent_message_id: int | None = None
    message_count: int = 0
    """Messages stored in this session itself (a branch's inherited ones not counted)."""

    @property
    def short_id(self) -> str:
        return self.id[:8]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MessageRecord:
    """One stored message with its accounting. Times in epoch seconds, durations in ms."""

    id: int
    session_id: str
    role: str
    content: str
    status: Status = "complete"
    mode: str | None = None
    provider: str | None = None
    model: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost: float | None = None
    latency_ms: float | None = None
    """API time: request sent to last chunk received."""
    ttft_ms: float | None = None
    """Time to first token."""
    wall_ms: float | None = None
    """Wall time of the reply as the writer saw it (start_reply to finish)."""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_call_id: str | None = None
    finish_reason: str | None = None
    error: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MessageRecord:
        data = dict(row)
        raw_calls = data.pop("tool_calls", None)
        calls = json.loads(raw_calls) if raw_calls else []
        return cls(**data, tool_calls=calls)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_message(self) -> Message:
        """The provider wire message for context assembly."""
        from coda_ls.wire import Message, ToolCall

        role = self.role if self.role in ("system", "user", "assistant", "tool") else "user"
        return Message(
            role=role,
            content=self.content,
            tool_calls=[ToolCall.model_validate(call) for call in self.tool_calls],
            tool_call_id=self.tool_call_id,
        )


@dataclass(frozen=True)
class SearchHit:
    """A message matching a search; `snippet` marks matches with MARK_START/MARK_END."""

    message_id: int
    session_id: str
    session_title: str | None
    role: str
    snippet: str
    created_at: float

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) pieces, for renderers."""
        pieces: list[tuple[str, bool]] = []
        for index, chunk in enumerate(self.snippet.split(MARK_START)):
            if index == 0:
                pieces.append((chunk, False))
                continue
            match, _, rest = chunk.partition(MARK_END)
            pieces.append((match, True))
            pieces.append((rest, False))
        return [(text, hit) for text, hit in pieces if text]

    def marked(self, start: str = "**", end: str = "**") -> str:
        """The snippet with the matches wrapped in `start`/`end` (markdown bold by default)."""
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["snippet"] = self.marked()
        return data


@dataclass
class TreeNode:
    """A session in its branch tree; `fork_message_id` is where it left its parent."""

    session: Session
    children: list[TreeNode] = field(default_factory=list)

    def walk(self, depth: int = 0) -> list[tuple[int, Session]]:
        """(depth, session) for this node and every descendant, depth first."""
        out = [(depth, self.session)]
        for child in self.children:
            out.extend(child.walk(depth + 1))
        return out


@dataclass(frozen=True)
class ModelStats:
    """Usage of one provider/model within a session."""

    provider: str | None
    model: str | None
    requests: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost: float | None = None
    api_time_ms: float = 0.0
    wall_time_ms: float = 0.0
    tool_calls: int = 0
    avg_ttft_ms: float | None = None

    @property
    def label(self) -> str:
        if self.provider and self.model:
            return f"{self.provider}/{self.model}"
        return self.model or self.provider or "(unknown)"


@dataclass(frozen=True)
class SessionStats:
    """Usage accounting of one session (its own messages; a branch's inherited prefix is
    accounted to the session it was written in)."""

    session_id: str
    user_messages: int
    requests: int
    errors: int
    interrupted: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost: float | None
    api_time_ms: float
    reply_wall_time_ms: float
    session_wall_time_s: float
    tool_calls: int
    avg_ttft_ms: float | None
    by_model: list[ModelStats]

    @property
    def cache_hit_rate(self) -> float | None:
        return self.cached_tokens / self.input_tokens if self.input_tokens else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cache_hit_rate"] = self.cache_hit_rate
        return data
