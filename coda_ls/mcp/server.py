"""Coda's own MCP server (`coda mcp`): the repo map, symbol search, project summary,
session search and the VCS status/diff of one workspace, for other agents.

Every tool is read-only. Failures are raised as the SDK's `ToolError`, so the calling
agent reads Coda's message (with its hint) instead of a generic "Error executing tool".
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from coda_ls.errors import CodaError
from coda_ls.tools.base import ToolContext
from coda_ls.tools.vcs import VCSDiff, VCSDiffArgs, VCSStatus, VCSStatusArgs

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from coda_ls.workspace import Workspace

log = logging.getLogger(__name__)

# An agent calls several tools in a row; re-checking every file for each call cost 1.3 s
# on a 10k-file repository, so the map is refreshed at most this often.
REFRESH_SECONDS = 10.0

INSTRUCTIONS = (
    "Coda's index of one code workspace. Start with repo_map for an outline of the most "
    "referenced symbols, then find_symbol for where a name is defined; project_summary "
    "gives languages, build system and dependencies; vcs_diff shows uncommitted work."
)


class CodaIndex:
    """What the MCP tools read: one Workspace, its map refreshed at most every
    REFRESH_SECONDS (an MCP client does not tell us about file changes)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.root = workspace.root
        self.ctx = ToolContext(workspace=self.root, settings=workspace.settings)
        self._lock = threading.Lock()

    def _fresh(self) -> None:
        with self._lock:
            self.workspace.refresh_map(REFRESH_SECONDS)

    def close(self) -> None:
        with self._lock:
            if self.workspace.repo_map is not None:
                self.workspace.repo_map.close()

    def render_map(self, tokens: int | None, focus: list[str] | None) -> str:
        self._fresh()
        rendered = self.workspace.render_map(tokens, focus or ())
        return rendered.text or "(the map is empty: no source files found)"

    def find_symbol(self, name: str, limit: int) -> str:
        self._fresh()
        tags = self.workspace.find_symbol(name)
        if not tags:
            return f"no definition named {name!r}"
        rows = [
            {k: v for k, v in t.to_dict().items() if v not in ("", None) and k != "role"}
            for t in tags[:limit]
        ]
        return json.dumps(rows, indent=1, ensure_ascii=False)

    def project_summary(self, full: bool) -> str:
        info = self.workspace.project_info()
        if full:
            return json.dumps(info.to_dict(), indent=1, ensure_ascii=False)
        return str(info.summary())

    def search_sessions(self, query: str, limit: int) -> str:
        hits = self.workspace.store.search(query, limit=limit)
        if not hits:
            return f"no saved message matches {query!r}"
        rows = [
            {
                "session": h.session_id,
                "title": h.session_title,
                "role": h.role,
                "message": h.message_id,
                "snippet": "".join(text for text, _ in h.parts()),
            }
            for h in hits
        ]
        return json.dumps(rows, indent=1, ensure_ascii=False)


def build_server(workspace: Workspace) -> MCPServer[Any]:
    """The MCP server for `workspace` (run it with `.run()` or in-process)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from coda_ls import __version__

    index = CodaIndex(workspace)
    server: MCPServer[Any] = MCPServer(
        "coda", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )

    async def guarded(fn: Any, *args: Any) -> str:
        try:
            result = await asyncio.to_thread(fn, *args)
        except CodaError as exc:
            raise ToolError(str(exc)) from None
        except OSError as exc:
            raise ToolError(f"{exc.strerror or exc}: {exc.filename or ''}") from None
        return str(result)

    def tool(fn: Any) -> Any:
        # The SDK sends the docstring verbatim; other agents read it better on one line.
        server.add_tool(fn, description=" ".join((fn.__doc__ or "").split()))
        return fn

    @tool
    async def repo_map(tokens: int | None = None, focus_files: list[str] | None = None) -> str:
        """The workspace's most referenced classes and functions, as an outline per file,
        fitted to `tokens` (default from Coda's settings). `focus_files` rank higher."""
        return await guarded(index.render_map, tokens, focus_files)

    @tool
    async def find_symbol(name: str, limit: int = 50) -> str:
        """Where a class/function/method named `name` (or `Class.method`) is defined:
        JSON list of path, line, kind, signature and doc."""
        return await guarded(index.find_symbol, name, limit)

    @tool
    async def project_summary(full: bool = False) -> str:
        """Languages, build system, test framework and dependencies of the workspace
        (a few lines; `full` gives every detail as JSON)."""
        return await guarded(index.project_summary, full)

    @tool
    async def search_sessions(query: str, limit: int = 20) -> str:
        """Full-text search of Coda's saved chat sessions (FTS5 syntax or plain words)."""
        return await guarded(index.search_sessions, query, limit)

    @tool
    async def vcs_diff(paths: list[str] | None = None, staged: bool = False) -> str:
        """Unified diff of uncommitted changes (git, hg, svn, fossil, bzr, darcs, ...)."""
        try:
            result = await VCSDiff().run(VCSDiffArgs(paths=paths, staged=staged), index.ctx)
        except CodaError as exc:
            raise ToolError(str(exc)) from None
        return result.text

    @tool
    async def vcs_status() -> str:
        """Branch, revision and changed/added/removed/untracked files of the workspace."""
        try:
            result = await VCSStatus().run(VCSStatusArgs(), index.ctx)
        except CodaError as exc:
            raise ToolError(str(exc)) from None
        return result.text

    return server
