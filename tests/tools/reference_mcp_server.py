"""A reference MCP server built with the `mcp` SDK alone (no Coda code), for round trips.

python reference_mcp_server.py            # stdio
python reference_mcp_server.py http PORT  # streamable HTTP on 127.0.0.1:PORT/mcp
"""

from __future__ import annotations

import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server: MCPServer[object] = MCPServer("reference", log_level="ERROR")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def write_note(path: str, text: str) -> str:
    """Write text to a file (a side effect the permission tests can observe)."""
    Path(path).write_text(text)
    return f"wrote {len(text)} characters"


@server.tool()
def refuse(reason: str) -> str:
    """Always fails with the given reason."""
    raise ToolError(reason)


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
