"""Session slash commands: /session (new, list, load, branch, rename), /search, /export,
/compact."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coda_cli.shell.slash import command, usage_error

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState

SESSION_USAGE = "/session [new|list|load ID|branch [MSG_ID]|rename TITLE]"


@command(
    "session",
    SESSION_USAGE,
    "this conversation: start a new one, list, load, branch or rename",
    details="Without arguments: the current session. `branch` forks at the last message (or "
    "MSG_ID) and continues in the branch; the original stays as it was.",
    subcommands=("new", "list", "load", "branch", "rename"),
)
async def session(shell: ShellState, args: str) -> None:
    from rich.markup import escape

    verb, _, rest = args.partition(" ")
    rest = rest.strip()
    store = shell.store
    console = shell.console
    if not verb:
        if shell.session_id is None:
            console.print("[coda.dim]no session yet: the first question starts one[/]")
            return
        current = store.get_session(shell.session_id)
        console.print(
            f"session [coda.accent]{current.short_id}[/] {escape(current.title or '(untitled)')}"
            f" · {current.message_count} messages"
        )
    elif verb == "new":
        shell.session_id = None
        console.print("new session: the next question starts it")
    elif verb == "list":
        from coda_cli.commands.sessions import _when

        found = store.list_sessions(limit=int(rest) if rest.isdigit() else 15)
        if not found:
            console.print("[coda.dim]no sessions yet[/]")
        for item in found:
            mark = "[coda.ok]●[/]" if item.id == shell.session_id else " "
            console.print(
                f"{mark} [coda.warn]{item.short_id}[/] {escape(item.title or '(untitled)')} "
                f"[coda.dim]{item.message_count} msgs · {_when(item.updated_at)}[/]"
            )
    elif verb == "load":
        if not rest:
            raise usage_error(SESSION_USAGE, "which session? (/session list)")
        loaded = store.get_session(rest)
        shell.use_session(loaded.id)
        console.print(
            f"loaded [coda.accent]{loaded.short_id}[/] {escape(loaded.title or '(untitled)')} "
            f"({loaded.message_count} messages)"
        )
        _show_last_turn(shell, loaded.id)
    elif verb == "branch":
        if shell.session_id is None:
            raise usage_error(SESSION_USAGE, "nothing to branch yet: ask something first")
        at = int(rest) if rest.isdigit() else None
        new = store.fork(shell.session_id, at)
        shell.use_session(new.id)
        console.print(
            f"branched: now in [coda.accent]{new.short_id}[/] (from "
            f"{(new.parent_id or '')[:8]} at message #{new.parent_message_id})"
        )
    elif verb == "rename":
        if shell.session_id is None or not rest:
            raise usage_error(SESSION_USAGE, "rename needs a current session and a title")
        renamed = store.rename(shell.session_id, rest)
        console.print(f"renamed to {escape(renamed.title or '')}")
    else:
        raise usage_error(SESSION_USAGE, f"unknown /session action {verb!r}")


def _show_last_turn(shell: ShellState, session_id: str) -> None:
    from rich.markdown import Markdown

    history = [r for r in shell.store.history(session_id) if r.role in ("user", "assistant")]
    for record in history[-2:]:
        who = "[coda.prompt]you[/]" if record.role == "user" else "[coda.accent]coda[/]"
        shell.console.print(who)
        shell.console.print(Markdown(record.content or ""))


@command("search", "/search QUERY", "full-text search across every session")
async def search(shell: ShellState, args: str) -> None:
    from coda_cli.commands.sessions import _hit_view

    if not args:
        raise usage_error("/search QUERY", "search for what?")
    hits = shell.store.search(args, limit=15)
    if not hits:
        shell.console.print("[coda.dim]no matches[/]")
    for hit in hits:
        shell.console.print(_hit_view(hit))
    if hits:
        shell.console.print("[coda.dim]/session load ID continues one[/]")


@command(
    "export",
    "/export [FILE]",
    "write this session as Markdown (or JSON when FILE ends in .json)",
)
async def export(shell: ShellState, args: str) -> None:
    import json

    if shell.session_id is None:
        raise usage_error("/export [FILE]", "nothing to export yet")
    sid = shell.session_id
    target = Path(args).expanduser() if args else Path.cwd() / f"coda-session-{sid[:8]}.md"
    if target.suffix == ".json":
        text = json.dumps(shell.store.export_json(sid), indent=2, ensure_ascii=False) + "\n"
    else:
        text = shell.store.export_markdown(sid)
    target.write_text(text, encoding="utf-8")
    shell.console.print(f"exported to {target}")


@command(
    "compact",
    "/compact",
    "summarize the conversation so far to free the context window",
    details="Nothing is deleted: later questions see the summary plus the last turns.",
)
async def compact(shell: ShellState, args: str) -> None:
    if shell.session_id is None:
        raise usage_error("/compact", "nothing to compact yet")
    with shell.console.status("compacting…"):
        summary = await shell.engine.compact(shell.session_id)
    if not summary:
        shell.console.print("[coda.dim]too short to compact[/]")
        return
    shell.console.print(f"[coda.ok]compacted[/] ({len(summary.split())} words of summary)")
