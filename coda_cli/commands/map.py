"""`coda map`: the ranked map of a project's code, as a tree or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from rich.tree import Tree

    from coda_ls.workspace import RenderedMap, Workspace


@click.command("map")
@click.argument(
    "path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--tokens", type=click.IntRange(min=16), help="Token budget (default: settings).")
@click.option(
    "--focus",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A file you are working on; what it uses ranks first. Repeatable.",
)
@click.option("--ident", "idents", multiple=True, help="An identifier to favour. Repeatable.")
@json_option("JSON for scripts.")
@pass_state
def map_command(
    state: AppState,
    path: Path | None,
    tokens: int | None,
    focus: tuple[Path, ...],
    idents: tuple[str, ...],
    as_json: bool,
) -> None:
    """Print the ranked map of PATH (default: the current project)."""
    from coda_ls.workspace import Workspace

    root = (path or Path.cwd()).resolve()
    workspace = Workspace.open(root, as_root=True)
    try:
        if state.projects:
            workspace.add_projects(state.projects)
        _build(state, workspace)
        focus_files = [f if f.is_absolute() else Path.cwd() / f for f in focus]
        if as_json:
            click.echo(workspace.map_json(tokens, focus_files, idents))
            return
        rendered = workspace.render_map(tokens, focus_files, idents)
        state.console.print(_tree(root, rendered))
        assert workspace.repo_map is not None
        stats = workspace.repo_map.last_build
        note = "" if rendered.exact_tokens else " (estimated)"
        state.err_console.print(
            f"[dim]{len(rendered.tags)} symbols from {len(rendered.files)} of "
            f"{stats.get('files', 0)} files, {rendered.tokens}/{rendered.budget} tokens{note}; "
            f"built in {float(stats.get('seconds', 0)):.2f}s "
            f"({stats.get('parsed', 0)} parsed, {stats.get('cached', 0)} cached)[/]"
        )
    finally:
        workspace.close()


def _build(state: AppState, workspace: Workspace) -> None:
    """Build with a progress bar on stderr, shown only when files need parsing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(
        TextColumn("mapping"),
        BarColumn(),
        MofNCompleteColumn(),
        console=state.err_console,
        transient=True,
    )
    task = progress.add_task("map", total=None)
    started = False

    def report(done: int, total: int) -> None:
        nonlocal started
        if total == 0:
            return
        if not started:
            progress.start()
            started = True
        progress.update(task, completed=done, total=total)

    try:
        workspace.build_map(report)
    finally:
        if started:
            progress.stop()


def _tree(root: Path, rendered: RenderedMap) -> Tree:
    from rich.markup import escape
    from rich.tree import Tree

    tree = Tree(f"[bold]{escape(str(root))}[/]")
    if not rendered.text:
        tree.add("[dim]no source files found[/]")
        return tree
    for block in rendered.text.rstrip("\n").split("\n"):
        if not block.startswith(" "):
            branch = tree.add(f"[cyan]{escape(block)}[/]")
            stack = [(0, branch)]
            continue
        depth = (len(block) - len(block.lstrip(" "))) // 2
        while len(stack) > 1 and stack[-1][0] >= depth:
            stack.pop()
        text = block.strip()
        sig, sep, doc = text.partition("  # ")
        label = escape(sig) + (f"  [dim]{escape(doc)}[/]" if sep else "")
        stack.append((depth, stack[-1][1].add(label)))
    return tree
