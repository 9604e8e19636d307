"""`coda vcs` (also `coda status`): which version control Coda detected, and what changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from coda_ls.workspace import VCSInfo

MAX_LISTED = 50


@click.command()
@click.argument("path", type=click.Path(exists=True, file_okay=True, path_type=Path), default=".")
@json_option("Machine-readable output.")
@pass_state
def vcs(state: AppState, path: Path, as_json: bool) -> None:
    """Show the version control system, root, branch, revision and changed files."""
    from coda_ls.workspace import describe_vcs

    info = describe_vcs(path)
    if as_json:
        click.echo(json.dumps(info.to_dict(), indent=2))
        return
    render(state, info)


status = copy.copy(vcs)
status.short_help = "The same as `coda vcs`."


def render(state: AppState, info: VCSInfo) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = state.console
    for warning in info.warnings:
        state.err_console.print(f"[yellow]warning:[/] {escape(warning)}")
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("system", escape(info.label) + (f" ({info.system})" if info.label else ""))
    head.add_row("root", escape(str(info.root)))
    head.add_row("branch", escape(info.branch or "-"))
    head.add_row("revision", escape(info.revision or "-"))
    head.add_row("tracked files", str(info.tracked))
    console.print(head)
    status = info.status
    if status.clean:
        console.print("[green]no uncommitted changes[/]")
        return
    table = Table(title="changes", title_justify="left", show_edge=False)
    table.add_column("state")
    table.add_column("path", overflow="fold")
    styles = {"changed": "yellow", "added": "green", "removed": "red", "untracked": "dim"}
    shown = 0
    for kind, paths in status.to_dict().items():
        for rel in paths:
            if shown == MAX_LISTED:
                break
            table.add_row(f"[{styles[kind]}]{kind}[/]", escape(rel))
            shown += 1
    console.print(table)
    total = sum(len(paths) for paths in status.to_dict().values())
    if total > shown:
        console.print(f"[dim]… and {total - shown} more (use --json for all)[/]")
