"""Coda as an agent over the Agent Client Protocol (Zed, JetBrains, CodeCompanion, avante).

A front beside the language server and the MCP server: it translates ACP into calls on
a `Workspace` per session and back, and passes in what only it has — permission prompts
(`session/request_permission`), the editor's files (`fs/*`), its terminal
(`terminal/*`) and the live tool-call reports.

    agent.py     the protocol methods (initialize, session/new|load|list|prompt|cancel|set_mode)
    session.py   one ACP session = one Coda session and its Workspace
    tools.py     tool_call reports, the permission Asker, the terminal shell
    buffers.py   Coda's `Buffers` over fs/read_text_file and fs/write_text_file
    convert.py   prompts, modes, slash commands, history replay, usage
    render.py    review/refactor answers as Markdown
    server.py    stdio with every malformed line answered (`coda acp`)

The SDK (`agent-client-protocol`, import `acp`) is an optional extra: import
`coda_ls.acp.server` only after `require_sdk()`.
"""

from __future__ import annotations

from coda_ls.errors import CodaError

EXTRA = "acp"
SDK = "agent-client-protocol"


def require_sdk() -> None:
    """Raise a CodaError naming the extra to install when the ACP SDK is missing."""
    try:
        import acp  # noqa: F401  # the agent imports it next anyway
    except ImportError:
        raise CodaError(
            f"`coda acp` needs the {SDK} package, which is not installed",
            f"install Coda's ACP extra: pip install 'coda-assistant[{EXTRA}]'",
        ) from None
