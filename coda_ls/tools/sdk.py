"""The public API for third-party tools: what a `coda.tools` plugin package imports.

A plugin is a class (or an instance) with a name, a description, its parameters (a
pydantic model, or a JSON schema as a dict), a permission category, and an async `run`::

    from pydantic import BaseModel, Field
    from coda_ls.tools.sdk import PluginContext, PluginTool

    class CountArgs(BaseModel):
        path: str = Field(description="File to count, relative to the workspace")

    class WordCount(PluginTool):
        name = "word_count"
        description = "Count the words of a text file in the workspace."
        category = "read"
        parameters = CountArgs

        async def run(self, args: CountArgs, context: PluginContext) -> str:
            return f"{len((await context.read_text(args.path)).split())} words"

and is registered in the package's metadata (`pyproject.toml`)::

    [project.entry-points."coda.tools"]
    word_count = "coda_wordcount:WordCount"

The entry point may name a `PluginTool` subclass, an instance, or a list of either.

What Coda guarantees, and what a plugin cannot change: before `run` is called, the call is
validated against `parameters` and put to the user under the tool's category
(`[permissions] read/write/shell/web`, "network" being `web`), exactly like a built-in
tool. The context's file helpers resolve every path inside the workspace (no `..`, no
symlink out, no VCS metadata); `write_text` exists only for `write` tools, and `run_shell`
only for `shell` tools, which must say in `command(args)` the command line they will run
so the shell policy (`shell_deny`, the built-in rules) judges it before anyone is asked.
A plugin is Python code you installed: these checks hold for what it does through the
context, they are not a sandbox against code that opens files itself.

This module imports only pydantic and Coda's small core types, so a plugin loads fast.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel

from coda_ls.errors import ToolError
from coda_ls.tools.base import ToolResult

if TYPE_CHECKING:
    from coda_ls.tools.base import ToolContext

__all__ = ["PluginCategory", "PluginContext", "PluginTool", "ToolError", "ToolResult", "tool"]

PluginCategory = Literal["read", "write", "shell", "web", "network"]
"""The permission a call needs; "network" is another name for "web"."""

Parameters = type[BaseModel] | dict[str, Any]


@dataclass
class PluginContext:
    """What a running plugin tool gets: the workspace root and safe ways to touch it."""

    workspace: Path
    category: str
    _tool_ctx: ToolContext
    _approved_command: str | None = None

    def resolve(self, path: str, *, for_write: bool = False) -> Path:
        """`path` (relative to the workspace, or absolute) resolved and checked to lie
        inside it; raises `WorkspaceError` (the model reads why) otherwise."""
        from coda_ls.tools.workspace import resolve

        return resolve(self.workspace, path, for_write=for_write)

    def relative(self, path: Path) -> str:
        """A resolved path as the workspace-relative POSIX string users see."""
        from coda_ls.tools.workspace import relative

        return relative(self.workspace, path)

    async def read_text(self, path: str) -> str:
        """The text of a workspace file (the editor's buffer when it is open there)."""
        import asyncio

        from coda_ls.tools.textfile import read_text

        resolved = self.resolve(path)
        buffers = self._tool_ctx.buffers
        text = buffers.text(resolved) if buffers is not None else None
        if text is not None:
            return text
        return await asyncio.to_thread(read_text, resolved, self.relative(resolved))

    async def write_text(self, path: str, text: str) -> None:
        """Write a workspace file atomically; only tools of the `write` category may."""
        import asyncio

        from coda_ls.tools.textfile import write_atomic

        if self.category != "write":
            raise ToolError(
                f"this tool's category is {self.category!r}; only 'write' tools may write files",
                "declare category = 'write' so the user is asked under permissions.write",
            )
        resolved = self.resolve(path, for_write=True)
        buffers = self._tool_ctx.buffers
        if buffers is not None and buffers.text(resolved) is not None:
            if not await buffers.apply(resolved, text):
                raise ToolError(f"the editor refused the edit to {self.relative(resolved)}")
            return
        await asyncio.to_thread(write_atomic, resolved, text)

    async def run_shell(self, timeout: float = 120.0) -> ToolResult:
        """Run the command line this call was approved for (`PluginTool.command`), in the
        workspace, with the built-in shell tool's environment scrubbing and time limit."""
        from coda_ls.tools.shell import Shell, ShellArgs

        if self.category != "shell" or self._approved_command is None:
            raise ToolError(
                "only 'shell' tools may run commands, and only the one they declared",
                "declare category = 'shell' and return the command line from command(args)",
            )
        args = ShellArgs(command=self._approved_command, timeout=timeout)
        return await Shell().run(args, self._tool_ctx)


class PluginTool(abc.ABC):
    """Base of a third-party tool. Set the four class attributes; implement `run`."""

    name: ClassVar[str]
    description: ClassVar[str]
    category: ClassVar[PluginCategory]
    parameters: ClassVar[Parameters] = {"type": "object", "properties": {}}

    def summary(self, args: Any) -> str:
        """The one line the user approves ("Count words in src/app.py"). Default: the
        tool's name and its arguments."""
        shown = args.model_dump(exclude_defaults=True) if isinstance(args, BaseModel) else args
        return f"{self.name} {shown}"

    def command(self, args: Any) -> str | None:
        """For `shell` tools: the command line `context.run_shell()` will run. It is judged
        by the shell policy and shown to the user before `run` is called."""
        return None

    @abc.abstractmethod
    async def run(self, args: Any, context: PluginContext) -> str | ToolResult:
        """Do the work: `args` is an instance of `parameters` (or a dict for a JSON schema).
        Return the text the model reads, or `ToolResult(text, is_error=True)`; raise
        `ToolError` for a failure the model should read."""


RunFunction = Callable[[Any, PluginContext], Awaitable["str | ToolResult"]]


def tool(
    *,
    name: str,
    description: str,
    category: PluginCategory,
    parameters: Parameters | None = None,
) -> Callable[[RunFunction], PluginTool]:
    """A tool from one async function: `@tool(name=..., description=..., category=...)`
    above `async def run(args, context)`; the decorated name is the tool instance."""

    def wrap(function: RunFunction) -> PluginTool:
        attributes: dict[str, Any] = {
            "name": name,
            "description": description,
            "category": category,
            "parameters": parameters if parameters is not None else PluginTool.parameters,
            "run": staticmethod(function),
            "__module__": getattr(function, "__module__", __name__),
        }
        cls = type(f"FunctionTool_{name}", (_FunctionTool,), attributes)
        instance: PluginTool = cls()
        return instance

    return wrap


class _FunctionTool(PluginTool):
    async def run(self, args: Any, context: PluginContext) -> str | ToolResult:
        raise NotImplementedError  # replaced by the decorated function
