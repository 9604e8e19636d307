"""`/tools`: the engine's toolbox behind an on/off switch per tool."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coda_ls.wire import ToolCall, ToolSpec
    from coda_ls.workspace import Toolbox, ToolResultLike


class ToolSwitch:
    """Wraps a Toolbox for the engine (same `specs`/`execute`), leaving out the tools the
    user switched off. The Toolbox's own policy (allow/ask/deny) still applies."""

    def __init__(self, toolbox: Toolbox) -> None:
        self.toolbox = toolbox
        self.disabled: set[str] = set()

    def names(self) -> list[str]:
        return [tool.name for tool in self.toolbox.tools()]

    def rows(self) -> list[tuple[str, str, str, bool]]:
        """(name, category, description, enabled) of every tool on offer."""
        return [
            (tool.name, tool.category, tool.description, tool.name not in self.disabled)
            for tool in self.toolbox.tools()
        ]

    def set_enabled(self, name: str, enabled: bool) -> None:
        if name not in self.names():
            from coda_ls.errors import CodaError

            raise CodaError(f"no tool named {name!r}", "`/tools` lists them")
        (self.disabled.discard if enabled else self.disabled.add)(name)

    def specs(self) -> list[ToolSpec]:
        return [spec for spec in self.toolbox.specs() if spec.name not in self.disabled]

    async def execute(self, call: ToolCall) -> ToolResultLike:
        if call.name in self.disabled:
            from coda_ls.workspace import ToolResult

            return ToolResult(f"the user switched the tool {call.name!r} off", is_error=True)
        return await self.toolbox.execute(call)
