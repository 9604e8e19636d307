"""`coda context`: what Coda adds to every prompt here besides the question (the project
rules files with their token counts and what was cut, the project summary)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path), required=False)
@json_option("Machine-readable output.")
@pass_state
def context(state: AppState, path: Path | None, as_json: bool) -> None:
    """Show the project rules files and summary the model gets, for PATH (a file or folder:
    the AGENTS.md nearest to it counts) or the current directory.

    \b
      coda context
      coda context src/app/models.py
    """
    from rich.markup import escape

    from coda_ls.workspace import Workspace

    near = (path or Path.cwd()).resolve()
    workspace = Workspace.open()  # the project of the current directory, as for questions
    try:
        rules = workspace.rules(near)
        summary = workspace.summary() or ""
    finally:
        workspace.close()
    if as_json:
        data = {
            "root": str(workspace.root),
            "rules": {
                "enabled": rules.enabled,
                "max_tokens": rules.max_tokens,
                "tokens": rules.tokens,
                "files": [
                    {
                        "path": f.path,
                        "status": f.status,
                        "tokens": f.tokens,
                        "full_tokens": f.full_tokens,
                        "note": f.note,
                    }
                    for f in rules.files
                ],
            },
            "project_summary": summary,
        }
        click.echo(json.dumps(data, indent=2))
        return
    console = state.console
    console.print(f"[bold]rules files[/] (in prompt order, {escape(str(workspace.root))})")
    for line in rules.lines():
        console.print(f"  {escape(line)}")
    console.print("[bold]project summary[/]")
    for line in summary.splitlines() or ["(none)"]:
        console.print(f"  {escape(line)}")
