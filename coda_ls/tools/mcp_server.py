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
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coda_ls.errors import CodaError
from coda_ls.tools.base import ToolContext
from coda_ls.tools.vcs import VCSDiff, VCSDiffArgs, VCSStatus, VCSStatusArgs

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from coda_ls.config import Settings
    from coda_ls.repomap.repomap import RepoMap

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
    """The state behind the server: one workspace, its settings and a lazily built map."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.ctx = ToolContext(workspace=self.root, settings=settings)
        self._map: RepoMap | None = None
        self._lock = threading.Lock()
        self._built_at = -REFRESH_SECONDS

    def repo_map(self) -> RepoMap:
        """The map, (re)built: cached files load from disk, changed files are re-parsed."""
        from coda_ls.repomap.repomap import RepoMap

        with self._lock:
            if self._map is None:
                self._map = RepoMap(self.root, self.settings.repomap)
            now = time.monotonic()
            if now - self._built_at > REFRESH_SECONDS:
                self._map.build()
                self._built_at = time.monotonic()
            return self._map

    def close(self) -> None:
        with self._lock:
            if self._map is not None:
                self._map.close()
                self._map = None

    def render_map(self, tokens: int | None, focus: list[str] | None) -> str:
        rendered = self.repo_map().render(tokens, focus_files=focus or ())
        return rendered.text or "(the map is empty: no source files found)"

    def find_symbol(self, name: str, limit: int) -> str:
        tags = self.repo_map().find_symbol(name)
        if not tags:
            return f"no definition named {name!r}"
        rows = [
            {k: v for k, v in t.to_dict().items() if v not in ("", None) and k != "role"}
            for t in tags[:limit]
        ]
        return json.dumps(rows, indent=1, ensure_ascii=False)

    def project_summary(self, full: bool) -> str:
        from coda_ls.project import analyze_sync

        info = analyze_sync(self.root)
        if full:
            return json.dumps(info.to_dict(), indent=1, ensure_ascii=False)
        return info.summary()

    def search_sessions(self, query: str, limit: int) -> str:
        from coda_ls.sessions import SessionStore

        with SessionStore.from_settings(self.settings) as store:
            hits = store.search(query, limit=limit)
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


def build_server(root: Path, settings: Settings) -> MCPServer[Any]:
    """The MCP server for the workspace at `root` (run it with `.run()` or in-process)."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from coda_ls import __version__

    index = CodaIndex(root, settings)
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
