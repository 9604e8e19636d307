"""What a tool is: a name, a description, pydantic arguments (→ JSON schema), a permission
category, a `describe` step that tells the user what is about to happen, and `run`.

Tools raise `CodaError` subclasses (`ToolError`, `WorkspaceError`) for every failure the
model should read; the `Toolbox` turns them into `ToolResult(is_error=True)`.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from coda_ls.wire import Message, ToolSpec

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.tools.permissions import PermissionRequest

Category = Literal["read", "write", "shell", "web", "mcp"]
CATEGORIES: tuple[Category, ...] = ("read", "write", "shell", "web", "mcp")


class ToolArgs(BaseModel):
    """Base of every tool's arguments: unknown keys are an error the model can fix."""

    model_config = ConfigDict(extra="forbid")


ArgsT = TypeVar("ArgsT", bound=BaseModel)


@dataclass(frozen=True)
class ToolResult:
    """What the model reads back. `is_error` marks a failure (refusal, bad input, exit != 0)."""

    text: str
    is_error: bool = False

    def to_message(self, call_id: str, name: str | None = None) -> Message:
        """The `tool` message that answers the model's call `call_id`."""
        return Message(role="tool", content=self.text, tool_call_id=call_id, name=name)


class Buffers(Protocol):
    """The editor's open documents, for a front end that has them (the language server).

    File tools read what the user sees, unsaved changes included, and change an open file
    through the editor (undoable, buffer and disk stay consistent) instead of writing the
    disk behind its back. Paths are resolved and already checked to be in the workspace.
    """

    def text(self, path: Path) -> str | None:
        """The open document's current text, or None when `path` is not open."""
        ...

    def paths(self) -> list[Path]:
        """The files open in the editor (resolved), for tools that scan many files."""
        ...

    async def apply(self, path: Path, new_text: str) -> bool:
        """Ask the editor to make the open document's text `new_text`; False if refused."""
        ...


@dataclass
class ToolContext:
    """What a running tool may use: the workspace root (resolved), the settings, and the
    editor's open documents when there is an editor."""

    workspace: Path
    settings: Settings
    extra: dict[str, Any] = field(default_factory=dict)
    buffers: Buffers | None = None


class Tool(abc.ABC, Generic[ArgsT]):
    """One tool. Subclasses set the class attributes and implement `run`."""

    name: str
    description: str
    category: Category
    Args: type[ArgsT]

    def spec(self) -> ToolSpec:
        """The ToolSpec offered to the model."""
        schema = self.Args.model_json_schema()
        schema.pop("title", None)
        return ToolSpec(name=self.name, description=self.description, parameters=schema)

    def parse(self, arguments: dict[str, Any]) -> ArgsT:
        """Validated arguments (raises pydantic.ValidationError)."""
        return self.Args.model_validate(arguments)

    async def describe(self, args: ArgsT, ctx: ToolContext) -> PermissionRequest:
        """What the user is asked to approve. Writes override this to add a diff; it may
        raise (e.g. an edit whose search text is missing) so nothing is asked in vain."""
        from coda_ls.tools.permissions import PermissionRequest

        shown = args.model_dump(exclude_defaults=True)
        return PermissionRequest(
            tool=self.name, category=self.category, summary=f"{self.name} {shown}"
        )

    @abc.abstractmethod
    async def run(self, args: ArgsT, ctx: ToolContext) -> ToolResult:
        """Do the work. Raise CodaError subclasses for failures the model should see."""
