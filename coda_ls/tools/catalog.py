"""Which tools a Toolbox offers and where each comes from: plugins are added here (one
problem line per plugin that cannot be used) and listed with built-ins and MCP tools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coda_ls.tools.permissions import policy_for
from coda_ls.tools.plugins import load_plugins, tool_source

if TYPE_CHECKING:
    from coda_ls.config import Settings
    from coda_ls.tools.toolbox import Toolbox


@dataclass(frozen=True)
class ToolRow:
    """One tool as `coda tools` shows it."""

    name: str
    category: str
    permission: str  # allow / ask / deny under the current settings
    source: str  # "built-in", "plugin <dist> <version>", "MCP server <name>"
    description: str


def add_plugins(toolbox: Toolbox, settings: Settings) -> list[str]:
    """Offer every enabled plugin's tools in `toolbox`; one line per plugin left out
    because it is broken (disabled ones are not problems)."""
    taken = {tool.name for tool in toolbox.all_tools()}
    loaded = load_plugins(settings, taken=taken)
    for tool in loaded.tools:
        toolbox.add(tool)
    return [str(problem) for problem in loaded.problems]


def tool_rows(toolbox: Toolbox) -> list[ToolRow]:
    rows = []
    for tool in toolbox.all_tools():
        permission: str = policy_for(toolbox.settings.permissions, tool.category)
        if toolbox.categories is not None and tool.category not in toolbox.categories:
            permission = "not offered in this mode"
        first_line = tool.description.strip().splitlines()[0] if tool.description else ""
        rows.append(ToolRow(tool.name, tool.category, permission, tool_source(tool), first_line))
    return rows
