"""`coda project`: what kind of project this is (languages, build, tests, dependencies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from coda_ls.workspace import ProjectInfo


@click.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@json_option("Machine-readable output.")
@click.option("--deps/--no-deps", "show_deps", default=True, help="List declared dependencies.")
@click.option("--summary", "only_summary", is_flag=True, help="Only the lines the model sees.")
@pass_state
def project(
    state: AppState, path: Path, as_json: bool, show_deps: bool, only_summary: bool
) -> None:
    """Show the project's languages, build systems, test frameworks and dependencies."""
    from coda_ls.workspace import analyze_project

    info = analyze_project(path)
    if as_json:
        click.echo(json.dumps(info.to_dict(), indent=2))
    elif only_summary:
        click.echo(info.summary())
    else:
        render(state, info, show_deps)


def render(state: AppState, info: ProjectInfo, show_deps: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = state.console
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("root", escape(str(info.root)))
    head.add_row("files", f"{info.file_count} ({info.vcs})")
    head.add_row("build", escape(", ".join(info.build_systems) or "-"))
    head.add_row("packages", escape(", ".join(info.package_managers) or "-"))
    head.add_row("tests", escape(", ".join(info.test_frameworks) or "-"))
    head.add_row("manifests", escape(", ".join(info.manifests) or "-"))
    console.print(head)
    if info.languages:
        languages = Table(title="languages", title_justify="left", show_edge=False)
        languages.add_column("language")
        languages.add_column("bytes", justify="right")
        languages.add_column("share", justify="right")
        for (name, size), (_, share) in zip(info.languages, info.language_shares(), strict=True):
            languages.add_row(escape(name), f"{size:,}", f"{share:.1%}")
        console.print(languages)
    if show_deps and info.dependencies:
        deps = Table(title="dependencies", title_justify="left", show_edge=False)
        for column in ("name", "constraint", "group", "manifest"):
            deps.add_column(column, overflow="fold")
        for dep in info.dependencies:
            deps.add_row(*(escape(x) for x in (dep.name, dep.constraint, dep.group, dep.manifest)))
        console.print(deps)
