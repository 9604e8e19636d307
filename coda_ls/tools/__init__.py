"""Coda's tools: what the model may do in a workspace, under a permission policy.

The engine's tool loop needs two calls::

    from coda_ls.tools import Toolbox, PolicyOnlyAsker

    async with Toolbox(workspace, settings, asker) as toolbox:   # connects MCP servers
        request = ChatRequest(..., tools=toolbox.specs())         # list[ToolSpec]
        for call in response.message.tool_calls:                  # ToolCall(id, name, arguments)
            result = await toolbox.execute(call)                  # ToolResult(text, is_error)
            messages.append(result.to_message(call.id, call.name))   # role="tool"

`execute` never raises: unknown tools, invalid arguments (checked with pydantic), a path
outside the workspace, a refused permission, a timeout or a crash all come back as
`ToolResult(is_error=True)` whose text the model reads. Without MCP, `Toolbox(...)` works
without `async with`; `await toolbox.connect_mcp()` / `await toolbox.aclose()` do the
same explicitly. `Toolbox(..., categories={"read"})` offers only read-only tools (for
explain/review); tools of a category set to `deny` are never offered.

Core tools: read_file, list_files, search, write_file, edit_file, shell, vcs_status,
vcs_diff, vcs_log, web_fetch; plus `<server>__<tool>` for each tool of the configured
MCP servers (permission category `mcp`).

Permissions (`[permissions]` in config: read/write/shell/web/mcp = allow | ask | deny;
`shell_deny` = glob patterns): a shell command matching `shell_deny` is refused first;
`deny` refuses; `allow` runs; `ask` calls `asker.ask(PermissionRequest)` — the request
has a one-line `summary` and, for write_file/edit_file, a unified `diff` — and runs on
`Decision.YES`, or on `Decision.ALWAYS` which also stops asking for that tool for the
Toolbox's lifetime. Front ends implement `Asker` (CLI prompt, LSP showMessageRequest);
`PolicyOnlyAsker` answers NO for non-interactive use.

`Toolbox(..., buffers=...)` gives the file tools an editor's open documents (`Buffers`):
read_file, write_file and edit_file then read an open file's buffer (unsaved changes
included) and change it through the editor (`Buffers.apply`; a refusal is an error
result and nothing is written); files that are not open stay on disk.

Every path is resolved (symlinks followed) and must lie inside the workspace; `..` or a
symlink that escapes is refused, and VCS metadata (.git/.hg/... at any depth, any case) is
neither read nor written. A shell command is parsed and judged before it runs
(`tools.shell_policy`: refused, asked even under "allow", or run; `shell_allow` prefixes);
it runs in the workspace with stdin closed, in its own process group (killed when the call
returns or times out), output cut in the middle past 30,000 characters, and an environment
without secrets by name or by value (`tools.shell.clean_env`). web_fetch reaches public
addresses only, unless `web.allow_hosts` names the host (`tools.netguard`).
"""

from __future__ import annotations

from coda_ls.tools.base import Buffers, Category, Tool, ToolArgs, ToolContext, ToolResult
from coda_ls.tools.permissions import Asker, Decision, PermissionRequest, PolicyOnlyAsker
from coda_ls.tools.toolbox import Toolbox, ToolObserver, builtin_tools

__all__ = [
    "Asker",
    "Buffers",
    "Category",
    "Decision",
    "PermissionRequest",
    "PolicyOnlyAsker",
    "Tool",
    "ToolArgs",
    "ToolContext",
    "ToolObserver",
    "ToolResult",
    "Toolbox",
    "builtin_tools",
]
