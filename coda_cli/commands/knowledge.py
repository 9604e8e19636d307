"""`coda knowledge ...`: the notes in .coda/knowledge/ (and the user's and team's) that
answers draw on — list, search, add (from stdin or a session's last answer), push."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from coda_ls.workspace import Workspace

NO_NOTES = (
    "No knowledge notes yet. Write Markdown in [bold].coda/knowledge/[/], or save an answer "
    "with [bold]coda sessions note ID[/]."
)


def _workspace(state: AppState) -> Workspace:
    from coda_ls.workspace import Workspace

    return Workspace.open()


@click.group(invoke_without_command=True)
@click.pass_context
def knowledge(ctx: click.Context) -> None:
    """Team knowledge notes: Markdown in .coda/knowledge/, added to questions they match."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_notes)


@knowledge.command("list")
@json_option()
@pass_state
def list_notes(state: AppState, as_json: bool) -> None:
    """Every note (project, user and team store) with its number of passages."""
    from coda_ls.workspace import open_team, team_configured

    workspace = _workspace(state)
    try:
        rows = [(source, count) for source, count in workspace.knowledge.notes()]
    finally:
        workspace.close()
    if team_configured(workspace.settings):
        with open_team(workspace.settings) as team:
            rows += [(f"team:{slug}", count) for slug, _title, count in team.notes()]
    if as_json:
        click.echo(json.dumps([{"note": s, "passages": n} for s, n in rows], indent=2))
        return
    if not rows:
        state.console.print(NO_NOTES)
        return
    from rich.markup import escape

    for source, count in rows:
        state.console.print(f"{escape(source)}  [dim]{count} passage(s)[/]")


@knowledge.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", "-n", default=8, show_default=True, help="How many passages.")
@click.option(
    "--budget",
    type=click.IntRange(min=0),
    help="Show what a question gets within this many tokens (default: all matches).",
)
@json_option()
@pass_state
def search(
    state: AppState, query: tuple[str, ...], limit: int, budget: int | None, as_json: bool
) -> None:
    """The passages a question with these words would draw on, best first (local notes
    by BM25 and the team store's, taken alternately)."""
    text = " ".join(query)
    workspace = _workspace(state)
    try:
        if budget is not None:
            passages = workspace.knowledge.relevant(text, budget).passages
        else:
            passages = workspace.knowledge.search(text, limit)
    finally:
        workspace.close()
    passages = passages[:limit]
    if as_json:
        click.echo(
            json.dumps(
                [{"source": p.source, "heading": p.heading, "text": p.text} for p in passages],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not passages:
        state.console.print("No note matches those words.")
        return
    from rich.markup import escape

    for passage in passages:
        state.console.print(f"[bold yellow]{escape(passage.label)}[/]")
        state.console.print(escape(passage.text), highlight=False)
        state.console.print()


def add_note(
    state: AppState,
    *,
    session_id: str | None,
    title: str | None,
    user: bool,
    team: bool,
) -> None:
    """Save stdin's text, or a session's last answer, as a note (shared by
    `coda knowledge add` and `coda sessions note`)."""
    body: str | None = None
    if session_id is None:
        if sys.stdin.isatty():
            raise click.UsageError("pipe the note's text in, or give --session ID")
        body = sys.stdin.read()
    workspace = _workspace(state)
    try:
        saved = workspace.save_note(body, session_id=session_id, title=title, user=user, team=team)
    finally:
        workspace.close()
    where = str(saved.path) if saved.path else ""
    state.console.print(f"saved note [bold]{saved.title}[/] to {where}", highlight=False)
    if saved.team_slug:
        state.console.print(f"and to the team store as team:{saved.team_slug}")


@knowledge.command()
@click.option("--session", "-s", "session_id", help="Save this session's last answer.")
@click.option("--title", "-t", help="The note's title (default: the question, or first line).")
@click.option("--user", is_flag=True, help="In your own knowledge dir, not the project's.")
@click.option("--team", is_flag=True, help="Also in the team store ([team] database_url).")
@pass_state
def add(state: AppState, session_id: str | None, title: str | None, user: bool, team: bool) -> None:
    """Save a note: the text on stdin, or a session's last answer (--session ID)."""
    add_note(state, session_id=session_id, title=title, user=user, team=team)


@knowledge.command()
@pass_state
def push(state: AppState) -> None:
    """Copy the project's notes (.coda/knowledge/) to the team store."""
    from coda_ls.workspace import open_team

    workspace = _workspace(state)
    try:
        notes = workspace.knowledge.note_paths(user=False)
        with open_team(workspace.settings) as team:
            for path in notes:
                slug = workspace.knowledge.source_of(path).removeprefix(".coda/knowledge/")
                slug = slug.removesuffix(".md").removesuffix(".markdown")
                text = path.read_text(encoding="utf-8", errors="replace")
                team.put_note(slug, path.stem.replace("-", " "), text)
    finally:
        workspace.close()
    state.console.print(f"pushed {len(notes)} note(s) to the team store")
