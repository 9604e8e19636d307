"""The JSON argument of each `coda.*` command, validated with pydantic.

Every command takes one object (LSP `arguments[0]`); camelCase keys as is usual in LSP
(snake_case is accepted too). Positions are LSP positions: 0-based line and UTF-16
character.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from coda_ls import attachments
from coda_ls.attachments import Attachment


class _Args(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class PositionArg(_Args):
    line: int = Field(ge=0)
    character: int = Field(0, ge=0)


class RangeArg(_Args):
    start: PositionArg
    end: PositionArg


class LLMArgs(_Args):
    """What every model command accepts."""

    request_id: str | None = Field(None, validation_alias=AliasChoices("requestId", "request_id"))
    session_id: str | None = Field(None, validation_alias=AliasChoices("sessionId", "session_id"))
    model: str | None = None
    provider: str | None = None


class AttachmentArg(_Args):
    """A file sent with the question: a path on the server's machine, base64 `data`, or a
    `dataUrl`. Images need a model that reads them; PDFs are sent as their text."""

    name: str | None = None
    path: str | None = None
    data: str | None = None
    data_url: str | None = Field(None, validation_alias=AliasChoices("dataUrl", "data_url"))

    @model_validator(mode="after")
    def _one_source(self) -> AttachmentArg:
        given = [x for x in (self.path, self.data, self.data_url) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of path, data (base64) or dataUrl")
        if self.path is None and not self.name:
            raise ValueError("name the attached data (name)")
        return self

    def load(self, root: Path) -> Attachment:
        """The attachment, read and checked (kind, size); a relative path is taken from
        the workspace root. Raises AttachmentError (a CodaError) when unusable."""
        if self.path is not None:
            path = Path(self.path).expanduser()
            path = path if path.is_absolute() else root / path
            return attachments.from_path(path, name=self.name)
        name = self.name or "attachment"
        if self.data_url is not None:
            return attachments.from_data_url(name, self.data_url)
        return attachments.from_bytes(name, attachments.decode_base64(name, self.data or ""))


class _TextArgs(LLMArgs):
    attachments: list[AttachmentArg] = Field(default_factory=list, max_length=16)
    # The answer is also written to a markdown file and shown with window/showDocument,
    # so any client can display it; Coda's own plugins render the stream and turn it off.
    show_document: bool = Field(
        True, validation_alias=AliasChoices("showDocument", "show_document")
    )


class AskArgs(_TextArgs):
    question: str = Field(min_length=1)
    uri: str | None = None
    range: RangeArg | None = None
    mode: str | None = None


class ChatArgs(_TextArgs):
    question: str = Field(min_length=1)


class ExplainArgs(_TextArgs):
    uri: str
    range: RangeArg | None = None
    question: str | None = None
    # "call" or "class": ask for a Mermaid diagram, starting from one computed from the tags
    diagram: Literal["call", "class"] | None = None


class ReviewArgs(LLMArgs):
    uri: str
    range: RangeArg | None = None


class RefactorArgs(LLMArgs):
    uri: str
    range: RangeArg
    instruction: str = Field(min_length=1)


class SetModelArgs(_Args):
    model: str = Field(min_length=1)
    provider: str | None = None


class NewSessionArgs(_Args):
    title: str | None = None


class SessionsArgs(_Args):
    limit: int = Field(50, ge=1, le=1000)
    query: str | None = None


class RepoMapArgs(_Args):
    tokens: int | None = Field(None, ge=64, le=100_000)
    focus: list[str] = Field(default_factory=list)
    uri: str | None = None


class CancelArgs(_Args):
    request_id: str = Field(validation_alias=AliasChoices("requestId", "request_id"))


class ApplySuggestionArgs(_Args):
    uri: str
    finding_id: str = Field(validation_alias=AliasChoices("findingId", "finding_id"))


class EmptyArgs(_Args):
    pass


def first_argument(args: tuple[Any, ...]) -> Any:
    """pygls spreads `arguments` as positional args; Coda commands take one object."""
    if not args:
        return {}
    if len(args) == 1:
        return args[0] if args[0] is not None else {}
    return args  # more than one: validation reports it
