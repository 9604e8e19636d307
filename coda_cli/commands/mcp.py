"""`coda mcp`: Coda's MCP server over stdio (repo map, symbols, project, sessions, VCS),
and `coda mcp tools` to check the MCP servers configured in `mcp_servers`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from coda_cli.state import AppState, pass_state

_ROOT = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Workspace to serve (default: the repository holding the current directory).",
)


@click.group(invoke_without_command=True)
@_ROOT
@click.pass_context
def mcp(ctx: click.Context, root: Path | None) -> None:
    """Run Coda's MCP server over stdio, so other agents can use Coda's index.

    \b
    Tools: repo_map, find_symbol, project_summary, search_sessions, vcs_diff, vcs_status.
    Example client config:  {"command": "coda", "args": ["mcp", "--root", "/path/to/repo"]}
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, root=root)


@mcp.command()
@_ROOT
@pass_state
def serve(state: AppState, root: Path | None) -> None:
    """Run the MCP server over stdio (what `coda mcp` alone does)."""
    from coda_ls.mcp.server import build_server
    from coda_ls.workspace import Workspace

    workspace = Workspace.open(root)
    # stdout carries the protocol: every log line must go to stderr.
    logging.basicConfig(level=logging.DEBUG if state.debug else logging.WARNING)
    build_server(workspace).run("stdio")


@mcp.command("tools")
@_ROOT
@pass_state
def tools(state: AppState, root: Path | None) -> None:
    """Connect to every server in `mcp_servers` and list the tools it offers."""
    from rich.markup import escape
    from rich.table import Table

    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace

    workspace = Workspace.open(root, tools_only_mcp=True)
    settings = workspace.settings
    if not settings.mcp_servers:
        example = (
            '[mcp_servers.coda]\ncommand = ["coda", "mcp"]\n# or: url = "http://127.0.0.1:8000/mcp"'
        )
        state.console.print("No MCP servers configured. Add one to .coda/config.toml:")
        state.console.print(example, markup=False)
        return

    async def collect() -> tuple[list[tuple[str, str]], list[str]]:
        try:
            errors = await workspace.connect_tools()
            return workspace.mcp_tools(), errors
        finally:
            await workspace.aclose()

    found, errors = run(collect())
    for line in errors:
        state.err_console.print(f"[red]error:[/] {escape(line)}")
    table = Table(show_edge=False)
    table.add_column("tool (as the model sees it)")
    table.add_column("description", overflow="fold")
    for name, description in found:
        table.add_row(escape(name), escape(description))
    state.console.print(table)
    state.console.print(f"permission for MCP tools: permissions.mcp = {settings.permissions.mcp}")
    if errors and not found:
        raise SystemExit(1)
