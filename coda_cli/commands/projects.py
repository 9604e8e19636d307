"""`coda projects`: the other projects whose maps join this one's (list, add, remove)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state


@click.group(invoke_without_command=True)
@click.pass_context
def projects(ctx: click.Context) -> None:
    """The projects of this workspace: this one first, then the others.

    \b
    Others come from `coda projects add PATH` (kept in .coda/config.toml as
    `projects = [...]`), from `coda --project PATH` for one run, and in an editor from
    its other workspace folders. Their maps join this project's map (labelled
    `[name] path`); the tools may read their files, never write them.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_projects)


@projects.command("list")
@json_option("JSON for scripts.")
@pass_state
def list_projects(state: AppState, as_json: bool = False) -> None:
    """List the projects with their VCS state."""
    from rich.markup import escape
    from rich.table import Table

    from coda_ls.workspace import Workspace, describe_vcs

    workspace = Workspace.open()
    try:
        if state.projects:
            workspace.add_projects(state.projects)
        rows = []
        for ref in workspace.projects:
            info = describe_vcs(ref.root)
            rows.append(
                {
                    **ref.to_dict(),
                    "vcs": info.system,
                    "branch": info.branch,
                    "revision": info.revision,
                    "changed": sum(len(v) for v in info.status.to_dict().values()),
                }
            )
    finally:
        workspace.close()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(show_edge=False)
    for column in ("", "name", "root", "vcs", "branch", "revision", "changes"):
        table.add_column(column)
    for row in rows:
        revision = str(row["revision"] or "-")[:12]
        table.add_row(
            "*" if row["current"] else "",
            escape(str(row["name"])),
            escape(str(row["root"])),
            str(row["vcs"]),
            escape(str(row["branch"] or "-")),
            revision,
            str(row["changed"]),
        )
    state.console.print(table)


@projects.command("add")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@pass_state
def add(state: AppState, path: Path) -> None:
    """Add PATH (a library's checkout, a sibling service) as a project, persisted."""
    from coda_ls.workspace import add_project, project_root

    entry, where = add_project(project_root(), path)
    state.console.print(f"added [cyan]{entry}[/] to {where}")


@projects.command("remove")
@click.argument("project")
@pass_state
def remove(state: AppState, project: str) -> None:
    """Forget a persisted project, by name or path."""
    from coda_ls.workspace import project_root, remove_project

    entry, where = remove_project(project_root(), project)
    state.console.print(f"removed [cyan]{entry}[/] from {where}")
