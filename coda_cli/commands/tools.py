"""`coda tools`: every tool the model may be offered here, where it comes from (built-in,
a plugin's package, an MCP server) and the permission it runs under."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state


@click.command()
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Workspace (default: the repository holding the current directory).",
)
@click.option("--mcp/--no-mcp", default=True, help="Connect the configured MCP servers too.")
@json_option()
@pass_state
def tools(state: AppState, root: Path | None, mcp: bool, as_json: bool) -> None:
    """List the tools: built-in, from tool plugins (`coda.tools` packages), and MCP.

    \b
    A plugin that cannot be used (import error, bad spec, a name already taken) is
    reported below the table; `[plugins] disabled = ["name"]` turns one off.
    """
    from rich.markup import escape
    from rich.table import Table

    from coda_cli.runtime import run
    from coda_ls.workspace import ToolRow, Workspace

    workspace = Workspace.open(root, tools_only_mcp=True)

    async def collect() -> tuple[list[ToolRow], list[str]]:
        try:
            errors = await workspace.connect_tools() if mcp else []
            return workspace.tool_rows(), [*workspace.plugin_problems, *errors]
        finally:
            await workspace.aclose()

    rows, problems = run(collect())
    if as_json:
        report = {"tools": [asdict(row) for row in rows], "problems": problems}
        click.echo(json.dumps(report, indent=2))
        return
    table = Table(show_edge=False)
    for column in ("tool", "category", "permission", "source"):
        table.add_column(column)
    table.add_column("description", overflow="fold")
    for row in rows:
        table.add_row(
            escape(row.name),
            row.category,
            row.permission,
            escape(row.source),
            escape(row.description),
        )
    state.console.print(table)
    for line in problems:
        state.err_console.print(f"[red]problem:[/] {escape(line)}")
