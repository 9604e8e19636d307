"""`coda sessions ...`: list, show, search, branch, export/import, prune and usage stats
of the saved chat sessions (the store lives in coda_ls.sessions)."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from rich.console import RenderableType

    from coda_ls.workspace import (
        MessageRecord,
        SearchHit,
        Session,
        SessionStats,
        SessionStore,
    )

NO_SESSIONS = 'No sessions yet. Start one with [bold]coda chat[/] or [bold]coda ask "..."[/].'
_ROLE_STYLES = {"user": "bold cyan", "assistant": "bold green", "system": "bold magenta"}


def _store(state: AppState) -> SessionStore:
    from coda_ls.workspace import SessionStore

    return SessionStore.from_settings(state.settings().settings)


def _when(stamp: float) -> str:
    ago = time.time() - stamp
    if ago < 60:
        return "just now"
    if ago < 3600:
        return f"{int(ago // 60)} min ago"
    if ago < 86400:
        return f"{int(ago // 3600)} h ago"
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d")


def _duration(ms: float) -> str:
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes}m {seconds}s" if hours else f"{minutes}m {seconds}s"


def _cost(value: float | None) -> str:
    return "—" if value is None else f"${value:.4f}"


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(invoke_without_command=True)
@click.pass_context
def sessions(ctx: click.Context) -> None:
    """Saved chat sessions: history, search, branches, export and usage."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_sessions)


@sessions.command("list")
@click.option("--limit", "-n", default=30, show_default=True, help="How many to show.")
@click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    help="Only sessions of this project root.",
)
@click.option("--team", is_flag=True, help="The team store's sessions ([team] database_url).")
@json_option("Machine-readable output.")
@pass_state
def list_sessions(
    state: AppState, limit: int, project: Path | None, as_json: bool, team: bool = False
) -> None:
    """The most recently active sessions."""
    if team:
        from coda_ls.workspace import open_team

        with open_team(state.settings().settings) as shared:
            found = shared.list_sessions(limit=limit)
    else:
        with _store(state) as store:
            found = store.list_sessions(limit=limit, project_root=project)
    if as_json:
        _echo_json([session.to_dict() for session in found])
        return
    if not found:
        state.console.print(NO_SESSIONS)
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("ID", "Title", "Msgs", "Updated", "Project", "Branch of"):
        table.add_column(column, no_wrap=column != "Title")
    for session in found:
        table.add_row(
            f"[yellow]{session.short_id}[/]",
            session.title or "[dim](untitled)[/]",
            str(session.message_count),
            _when(session.updated_at),
            Path(session.project_root).name if session.project_root else "",
            f"{session.parent_id[:8]}@{session.parent_message_id}" if session.parent_id else "",
            style=None,
        )
    state.console.print(table)


def _message_view(record: MessageRecord) -> RenderableType:
    from rich.markup import escape
    from rich.text import Text

    head = Text()
    head.append(f"{record.role}", style=_ROLE_STYLES.get(record.role, "bold"))
    head.append(f"  #{record.id}  {_when(record.created_at)}", style="dim")
    if record.model:
        head.append(f"  {record.provider + '/' if record.provider else ''}{record.model}", "dim")
    if record.output_tokens or record.input_tokens:
        head.append(f"  {record.input_tokens}→{record.output_tokens} tok", style="dim")
    if record.status != "complete":
        head.append(f"  [{record.status}]", style="bold red")
    from rich.console import Group

    parts: list[RenderableType] = [head, Text(record.content or "")]
    if record.tool_calls:
        names = ", ".join(str(call.get("name", "?")) for call in record.tool_calls)
        parts.append(Text(f"tool calls: {names}", style="dim"))
    if record.error:
        parts.append(Text.from_markup(f"[red]{escape(record.error)}[/]"))
    return Group(*parts, Text(""))


@sessions.command()
@click.argument("session_id")
@json_option("The JSON export instead.")
@pass_state
def show(state: AppState, session_id: str, as_json: bool) -> None:
    """A session's conversation (a branch includes its parent's messages up to the fork)."""
    with _store(state) as store:
        if as_json:
            _echo_json(store.export_json(session_id))
            return
        session = store.get_session(session_id)
        history = store.history(session.id)
        tree = store.tree(session.id)
    console = state.console
    console.print(_session_header(session))
    if not history:
        console.print("[dim](no messages)[/]")
    for record in history:
        console.print(_message_view(record))
    if len(tree.walk()) > 1:
        console.print(_tree_view(tree, session.id))


def _session_header(session: Session) -> RenderableType:
    from rich.markup import escape

    lines = [f"[bold]{escape(session.title or '(untitled)')}[/]  [yellow]{session.id}[/]"]
    meta = [f"created {_when(session.created_at)}", f"updated {_when(session.updated_at)}"]
    if session.project_root:
        meta.append(f"project {escape(session.project_root)}")
    if session.vcs_revision:
        meta.append(f"rev {escape(session.vcs_revision[:12])}")
    lines.append("[dim]" + " · ".join(meta) + "[/]")
    if session.parent_id:
        lines.append(
            f"[dim]branch of {session.parent_id[:8]} at message #{session.parent_message_id}[/]"
        )
    return "\n".join(lines) + "\n"


def _tree_view(root: Any, current: str | None = None) -> RenderableType:
    from rich.markup import escape
    from rich.tree import Tree

    def label(session: Session) -> str:
        mark = " [bold green]◀ this[/]" if session.id == current else ""
        fork = f" [dim]@#{session.parent_message_id}[/]" if session.parent_id else ""
        title = escape(session.title or "(untitled)")
        return (
            f"[yellow]{session.short_id}[/] {title}{fork} [dim]({session.message_count})[/]{mark}"
        )

    def grow(node: Any, branch: Tree) -> None:
        for child in node.children:
            grow(child, branch.add(label(child.session)))

    tree = Tree(label(root.session), guide_style="dim")
    grow(root, tree)
    return tree


@sessions.command()
@click.argument("session_id")
@json_option()
@pass_state
def tree(state: AppState, session_id: str, as_json: bool) -> None:
    """The branch tree a session belongs to."""
    with _store(state) as store:
        root = store.tree(session_id)
        current = store.resolve_id(session_id)
    if as_json:
        _echo_json([{"depth": d, **s.to_dict()} for d, s in root.walk()])
        return
    state.console.print(_tree_view(root, current))


def _hit_view(hit: SearchHit) -> RenderableType:
    from rich.text import Text

    head = Text()
    head.append(hit.session_id[:8], style="yellow")
    head.append(f" {hit.session_title or '(untitled)'}", style="bold")
    head.append(f"  {hit.role} #{hit.message_id} · {_when(hit.created_at)}", style="dim")
    body = Text("  ")
    for text, is_match in hit.parts():
        # One line per hit: newlines and runs of spaces in the snippet become one space.
        body.append(re.sub(r"\s+", " ", text), style="bold black on yellow" if is_match else None)
    from rich.console import Group

    return Group(head, body)


@sessions.command()
@click.argument("query")
@click.option("--limit", "-n", default=20, show_default=True)
@click.option("--team", is_flag=True, help="Search the team store instead (same syntax).")
@json_option("Snippets with **bold** matches.")
@pass_state
def search(state: AppState, query: str, limit: int, as_json: bool, team: bool = False) -> None:
    """Full-text search across every session.

    \b
    QUERY is words (all must match), "a phrase", prefix*, or OR / NOT.
    """
    if team:
        from coda_ls.workspace import open_team

        with open_team(state.settings().settings) as shared:
            hits = shared.search(query, limit=limit)
            empty = not hits and not shared.list_sessions(limit=1)
    else:
        with _store(state) as store:
            hits = store.search(query, limit=limit)
            empty = not hits and not store.list_sessions(limit=1)
    if as_json:
        _echo_json([hit.to_dict() for hit in hits])
        return
    if empty:
        state.console.print(NO_SESSIONS)
        return
    if not hits:
        from rich.markup import escape

        state.console.print(f"No messages match [bold]{escape(query)}[/].")
        return
    for hit in hits:
        state.console.print(_hit_view(hit))


@sessions.command()
@click.argument("session_id")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@pass_state
def export(state: AppState, session_id: str, fmt: str, output: Path | None) -> None:
    """Export a session (or branch, with its inherited history) as Markdown or JSON."""
    with _store(state) as store:
        if fmt == "json":
            text = json.dumps(store.export_json(session_id), indent=2, ensure_ascii=False) + "\n"
        else:
            text = store.export_markdown(session_id)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    state.err_console.print(f"wrote {output}")


@sessions.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--project",
    "-p",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Project the session belongs to when the file names none (a shared session "
    "never does): default, the project holding the current directory.",
)
@pass_state
def import_(state: AppState, file: Any, project: Path | None) -> None:
    """Import a JSON export or a shared HTML page (FILE, or - for stdin) as a new session."""
    from coda_ls.workspace import project_root, read_shared

    data = read_shared(file.read())  # a page from `coda sessions share` carries its JSON
    with _store(state) as store:
        session = store.import_json(data, project_root=project or project_root())
    state.console.print(
        f"imported [yellow]{session.short_id}[/] {session.title or ''} "
        f"({session.message_count} messages)"
    )


@sessions.command()
@click.argument("session_id")
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the page (default: coda-session-ID.html here).",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the redacted JSON (for `coda sessions import`) here.",
)
@click.option("--no-link", is_flag=True, help="Only write the file; make no share link.")
@pass_state
def share(
    state: AppState, session_id: str, out: Path | None, json_out: Path | None, no_link: bool
) -> None:
    """Write a read-only HTML page of a session (secrets and absolute paths redacted)
    and make a share link that `coda web` serves to anyone holding it.

    \b
    The link shows the session as it is now; `coda sessions unshare ID` revokes it.
    The page embeds the session's JSON: `coda sessions import PAGE.html` continues it.
    """
    from coda_ls.workspace import open_share_store, running_base_url, share_session

    with _store(state) as store:
        links = None if no_link else open_share_store(store, state.settings().settings)
        try:
            shared = share_session(store, session_id, links)
        finally:
            if links is not None:
                links.close()
        base = running_base_url(store.path)
    target = out or Path(f"coda-session-{shared.session_id[:8]}.html")
    target.write_text(shared.html, encoding="utf-8")
    if json_out is not None:
        json_out.write_text(json.dumps(shared.data, indent=2, ensure_ascii=False) + "\n")
    state.console.print(f"wrote [bold]{target}[/]" + (f" and {json_out}" if json_out else ""))
    if shared.token:
        where = base or "<coda web URL>"
        state.console.print(
            f"share link: [bold]{where}{shared.path()}[/]\n"
            + ("" if base else "[dim]start `coda web` to serve it; [/]")
            + "[dim]served read-only by `coda web` to whoever has the link (no login); "
            f"revoke it with: coda sessions unshare {shared.session_id[:8]}[/]"
        )


@sessions.command()
@click.argument("session_id")
@pass_state
def unshare(state: AppState, session_id: str) -> None:
    """Revoke every share link of a session (written pages stay where they are)."""
    from coda_ls.workspace import open_share_store

    with _store(state) as store:
        sid = store.resolve_id(session_id)
        links = open_share_store(store, state.settings().settings)
        try:
            count = links.revoke(sid)
        finally:
            links.close()
    state.console.print(f"revoked {count} share link(s) of {sid[:8]}")


@sessions.command()
@click.argument("session_id")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def delete(state: AppState, session_id: str, yes: bool) -> None:
    """Delete a session and its branches."""
    with _store(state) as store:
        root = store.tree(session_id)
        sid = store.resolve_id(session_id)
        node = next(n for n in _nodes(root) if n.session.id == sid)
        count = len(node.walk())
        title = node.session.title or "(untitled)"
        if not yes:
            extra = f" and its {count - 1} branch(es)" if count > 1 else ""
            click.confirm(f"Delete session {sid[:8]} {title!r}{extra}?", abort=True, err=True)
        deleted = store.delete_session(sid)
    state.console.print(f"deleted {deleted} session(s)")


def _nodes(root: Any) -> list[Any]:
    out = [root]
    for child in root.children:
        out.extend(_nodes(child))
    return out


@sessions.command()
@click.argument("session_id")
@click.option("--at", "at_message", type=int, help="Message id to fork at (default: the last).")
@click.option("--title", "-t", help="Title of the new branch.")
@pass_state
def branch(state: AppState, session_id: str, at_message: int | None, title: str | None) -> None:
    """Fork a session at a message; both can then be continued."""
    with _store(state) as store:
        new = store.fork(session_id, at_message, title=title)
    state.console.print(
        f"branch [yellow]{new.short_id}[/] created from {new.parent_id and new.parent_id[:8]} "
        f"at message #{new.parent_message_id}\n"
        f"[dim]continue it with: coda chat --session {new.short_id}[/]"
    )


@sessions.command()
@click.option(
    "--days",
    "-d",
    type=click.FloatRange(min=0),
    required=True,
    help="Delete sessions not active for this many days.",
)
@click.option("--dry-run", is_flag=True, help="Only say how many would go.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def prune(state: AppState, days: float, dry_run: bool, yes: bool) -> None:
    """Delete old sessions (a session with a recently active branch is kept)."""
    with _store(state) as store:
        count = store.prune(days, dry_run=True)
        if count == 0:
            state.console.print(f"nothing older than {days:g} days")
            return
        if dry_run:
            state.console.print(f"{count} session(s) would be deleted")
            return
        if not yes:
            click.confirm(
                f"Delete {count} session(s) older than {days:g} days?", abort=True, err=True
            )
        deleted = store.prune(days)
    state.console.print(f"deleted {deleted} session(s)")


@sessions.command()
@click.argument("session_id")
@json_option()
@pass_state
def stats(state: AppState, session_id: str, as_json: bool) -> None:
    """Usage of a session: requests, tokens, cost, API vs wall time, per model."""
    with _store(state) as store:
        session = store.get_session(session_id)
        usage = store.stats(session.id)
    if as_json:
        _echo_json(usage.to_dict())
        return
    state.console.print(stats_panel(session, usage))


def stats_panel(session: Session, usage: SessionStats) -> RenderableType:
    """A gemini-cli-style stats panel (also used by the chat shell's /stats)."""
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    def section(title: str, rows: list[tuple[str, str]]) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", min_width=24)
        table.add_column()
        table.add_row(f"[bold]{title}[/]", "")
        for key, value in rows:
            table.add_row(f"  {key}", value)
        return table

    ok = usage.requests - usage.errors - usage.interrupted
    rate = f"{100 * ok / usage.requests:.1f}%" if usage.requests else "—"
    wall_ms = usage.session_wall_time_s * 1000
    # API time can only exceed the session's lifetime for imported or hand-made records.
    share = 100 * usage.api_time_ms / wall_ms if wall_ms else None
    api_share = f" ({share:.1f}%)" if share is not None and share <= 100 else ""
    parts: list[RenderableType] = [
        section(
            "Interaction summary",
            [
                ("Session ID", session.id),
                ("User messages", str(usage.user_messages)),
                ("Model requests", str(usage.requests)),
                (
                    "Success rate",
                    f"[green]{ok} ✓[/] [red]{usage.errors} ✗[/] "
                    f"[yellow]{usage.interrupted} interrupted[/] ({rate})",
                ),
                ("Tool calls", str(usage.tool_calls)),
            ],
        ),
        section(
            "Performance",
            [
                ("Wall time", _duration(wall_ms)),
                ("API time", f"{_duration(usage.api_time_ms)}{api_share}"),
                ("Reply wall time", _duration(usage.reply_wall_time_ms)),
                (
                    "Avg time to first token",
                    "—" if usage.avg_ttft_ms is None else f"{usage.avg_ttft_ms:.0f} ms",
                ),
            ],
        ),
    ]
    if usage.by_model:
        models = Table(header_style="bold", box=None, pad_edge=False)
        for name in (
            "Model",
            "Reqs",
            "Input",
            "Output",
            "Cached",
            "Cost",
            "API time",
            "Wall time",
            "Tools",
        ):
            if name == "Model":
                models.add_column(name, overflow="fold", min_width=12)
            else:
                models.add_column(name, justify="right", no_wrap=True)
        for row in usage.by_model:
            models.add_row(
                escape(row.label),
                str(row.requests) + (f" [red]({row.errors} err)[/]" if row.errors else ""),
                f"{row.input_tokens:,}",
                f"{row.output_tokens:,}",
                f"{row.cached_tokens:,}",
                _cost(row.cost),
                _duration(row.api_time_ms),
                _duration(row.wall_time_ms),
                str(row.tool_calls),
            )
        parts += [models]
    totals = (
        f"[bold]Total[/]  {usage.input_tokens:,} in · {usage.output_tokens:,} out · "
        f"{usage.cached_tokens:,} cached · cost {_cost(usage.cost)}"
    )
    if usage.cache_hit_rate:
        totals += f"\n[green]Savings highlight:[/] {usage.cached_tokens:,} " + (
            f"({100 * usage.cache_hit_rate:.1f}%) of input tokens were served from the cache"
        )
    parts.append(totals)
    title = escape(session.title or "(untitled)")
    return Panel(
        Group(*_spaced(parts)),
        title=f"Session stats · {title}",
        title_align="left",
        border_style="cyan",
        padding=(1, 2),
        expand=False,
    )


def _spaced(parts: list[RenderableType]) -> list[RenderableType]:
    from rich.text import Text

    out: list[RenderableType] = []
    for index, part in enumerate(parts):
        if index:
            out.append(Text(""))
        out.append(part)
    return out


@sessions.command()
@click.argument("session_id")
@click.option("--title", "-t", help="The note's title (default: the question answered).")
@click.option("--user", is_flag=True, help="In your own knowledge dir, not the project's.")
@click.option("--team", is_flag=True, help="Also in the team store ([team] database_url).")
@pass_state
def note(state: AppState, session_id: str, title: str | None, user: bool, team: bool) -> None:
    """Save the session's last answer as a knowledge note (.coda/knowledge/)."""
    from coda_cli.commands.knowledge import add_note

    add_note(state, session_id=session_id, title=title, user=user, team=team)


@sessions.command()
@click.argument("session_id")
@pass_state
def push(state: AppState, session_id: str) -> None:
    """Copy a session (with the sessions it branched from) to the team store."""
    from coda_ls.workspace import push_session

    with _store(state) as store:
        done = push_session(state.settings().settings, store, session_id)
    state.console.print(
        f"pushed [yellow]{done.session_id[:8]}[/]: {done.added} new message(s), "
        f"{done.updated} updated, {done.sessions} session(s)"
    )


@sessions.command()
@click.argument("session_id")
@pass_state
def pull(state: AppState, session_id: str) -> None:
    """Copy a team-store session (with its ancestors) here; continue it with
    `coda chat --session ID`."""
    from coda_ls.workspace import pull_session

    with _store(state) as store:
        done = pull_session(state.settings().settings, store, session_id)
    state.console.print(
        f"pulled [yellow]{done.session_id[:8]}[/]: {done.added} new message(s), "
        f"{done.updated} updated\n[dim]continue it with: coda chat --session "
        f"{done.session_id[:8]}[/]"
    )
