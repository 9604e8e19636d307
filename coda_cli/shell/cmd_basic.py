"""Slash commands about the shell itself: help, mode, files in context, tools, theme,
map, cost, clear, exit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coda_cli.shell.slash import Outcome, command, lookup, registry, usage_error

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState


@command(
    "help",
    "/help [COMMAND]",
    "what you can do now, or one command in detail",
    aliases=("?",),
)
async def help_(shell: ShellState, args: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = shell.console
    if args:
        found = lookup(args.lstrip("/").split()[0].lower())
        if found is None:
            raise usage_error("/help [COMMAND]", f"no command /{args.lstrip('/')}")
        console.print(f"[coda.prompt]{escape(found.usage)}[/]  {escape(found.summary)}")
        if found.details:
            console.print(escape(found.details))
        if found.aliases:
            console.print(f"[coda.dim]also: {', '.join('/' + a for a in found.aliases)}[/]")
        return
    files = ", ".join(_rel(shell, p) for p in shell.files) or "none"
    console.print(
        f"[coda.accent]mode[/] {shell.mode} · [coda.accent]model[/] {escape(shell.model_label())}"
        f" · [coda.accent]files[/] {escape(files)}"
        + (f" · [coda.accent]session[/] {shell.session_id[:8]}" if shell.session_id else "")
    )
    table = Table.grid(padding=(0, 2))
    table.add_column(style="coda.prompt", no_wrap=True)
    table.add_column()
    for spec in sorted(registry().values(), key=lambda c: c.name):
        table.add_row(escape(spec.usage), escape(spec.summary))
    console.print(table)
    for tip in _tips(shell):
        console.print(f"[coda.dim]• {escape(tip)}[/]")


def _tips(shell: ShellState) -> list[str]:
    """Hints that fit the current state (the context-aware part of /help)."""
    tips = []
    if shell.mode == "review":
        tips.append("review mode: add files (/add or @path) and ask; findings show as a table")
    elif shell.mode == "refactor":
        tips.append("refactor mode: /add the file, say what to change; edits show as diffs")
    elif shell.mode == "test":
        tips.append("test mode: name the code (@path) or /add it; tests are written and run")
    elif shell.mode == "chat":
        tips.append("/mode code, debug, explain, review or refactor changes how Coda answers")
    if not shell.files:
        tips.append("@path/to/file in a question (Tab completes) adds that file for one turn")
    if shell.session_id is None:
        tips.append("/session list and /session load ID continue an earlier conversation")
    else:
        tips.append("/session branch forks this conversation; /compact summarizes a long one")
    if shell.interactive:
        tips.append("Esc-Enter: new line · Ctrl-R: search history · Ctrl-C: stop · Ctrl-D: exit")
    return tips


@command("mode", "/mode [NAME]", "switch mode: chat, code, debug, explain, review, refactor, test")
async def mode(shell: ShellState, args: str) -> None:
    from coda_ls.workspace import MODES

    if not args:
        for mode in MODES.values():
            mark = "[coda.ok]●[/]" if mode.name == shell.mode else " "
            shell.console.print(f"{mark} [coda.prompt]{mode.name:9}[/] {mode.description}")
        return
    name = args.split()[0].lower()
    if name not in MODES:
        raise usage_error("/mode " + "|".join(MODES), f"unknown mode {name!r}")
    shell.mode = name
    shell.console.print(f"mode: [coda.accent]{name}[/] — {MODES[name].description}")


def _rel(shell: ShellState, path: Path) -> str:
    try:
        return str(path.relative_to(shell.workspace))
    except ValueError:
        return str(path)


def _resolve(shell: ShellState, raw: str) -> list[Path]:
    """A path or glob, relative to the workspace (or the current directory)."""
    from coda_ls.errors import CodaError

    base = Path.cwd()
    candidate = Path(raw).expanduser()
    if any(ch in raw for ch in "*?["):
        found = sorted(p for p in base.glob(raw) if p.is_file())
    else:
        path = candidate if candidate.is_absolute() else base / candidate
        if not path.exists() and not candidate.is_absolute():
            path = shell.workspace / candidate
        found = [path] if path.is_file() else []
    if not found:
        raise CodaError(f"no file matches {raw!r}")
    return [p.resolve() for p in found]


@command(
    "add",
    "/add PATH…",
    "put files (or globs) in the context of every question",
    details="The files stay in context until /drop. For one question, write @path instead.",
)
async def add(shell: ShellState, args: str) -> None:
    if not args:
        raise usage_error("/add PATH…", "name at least one file")
    added = []
    for raw in args.split():
        for path in _resolve(shell, raw):
            if path not in shell.files:
                shell.files.append(path)
                added.append(_rel(shell, path))
    shell.console.print(f"added: {', '.join(added) or '(already there)'}")


@command("drop", "/drop [PATH…|all]", "take files out of the context (all without arguments)")
async def drop(shell: ShellState, args: str) -> None:
    if not args or args == "all":
        count = len(shell.files)
        shell.files.clear()
        shell.console.print(f"dropped {count} file(s)")
        return
    for raw in args.split():
        gone = [p for p in shell.files if raw in (_rel(shell, p), str(p), p.name)]
        if not gone:
            raise usage_error("/drop [PATH…|all]", f"{raw!r} is not in the context")
        for path in gone:
            shell.files.remove(path)
            shell.console.print(f"dropped {_rel(shell, path)}")


@command("files", "/files", "list the files in the context")
async def files(shell: ShellState, args: str) -> None:
    if not shell.files:
        shell.console.print("[coda.dim]no files in the context (/add PATH)[/]")
    for path in shell.files:
        shell.console.print(f"  {_rel(shell, path)}")


@command(
    "tools",
    "/tools [on|off NAME…]",
    "list the model's tools, or switch some on or off",
    subcommands=("on", "off"),
)
async def tools(shell: ShellState, args: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    if shell.tools is None:
        shell.console.print("[coda.dim]no tools available yet[/]")
        return
    words = args.split()
    if words:
        if words[0] not in ("on", "off") or len(words) < 2:
            raise usage_error("/tools [on|off NAME…]", "say on or off and which tools")
        names = shell.tools.names() if words[1:] == ["all"] else words[1:]
        for name in names:
            shell.tools.set_enabled(name, words[0] == "on")
        shell.console.print(f"tools {words[0]}: {', '.join(names)}")
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("", "tool", "kind", "permission", "what it does"):
        table.add_column(column, no_wrap=True)
    room = max(20, shell.console.width - 48)
    permissions = shell.engine.settings.permissions
    for name, category, description, enabled in shell.tools.rows():
        table.add_row(
            "[coda.ok]on[/]" if enabled else "[coda.dim]off[/]",
            name,
            category,
            str(getattr(permissions, category, "?")),
            escape(_first_sentence(description, room)),
        )
    shell.console.print(table)


def _first_sentence(text: str, width: int) -> str:
    line = text.split(". ")[0].splitlines()[0] if text.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


@command("theme", "/theme [NAME]", "list colour themes, or switch (saved in your config)")
async def theme(shell: ShellState, args: str) -> None:
    from coda_cli.shell.themes import THEMES, get_theme, rich_theme

    if not args:
        for name, spec in THEMES.items():
            mark = "[coda.ok]●[/]" if name == shell.theme else " "
            shell.console.print(f"{mark} [coda.prompt]{name:10}[/] {spec.description}")
        return
    name = args.split()[0].lower()
    if name not in THEMES:
        raise usage_error("/theme " + "|".join(THEMES), f"unknown theme {name!r}")
    shell.theme = name
    shell.console.push_theme(rich_theme(get_theme(name)))  # type: ignore[arg-type]
    where = save_setting("ui.theme", name)
    shell.console.print(f"theme: [coda.accent]{name}[/] [coda.dim](saved in {where})[/]")


def save_setting(key: str, value: str) -> Path:
    """Write `key = value` to the user config file with the `coda config set` logic."""
    from coda_cli.commands.config import _set_line, _toml_value
    from coda_ls.config import user_config_file

    target = user_config_file()
    text = target.read_text(encoding="utf-8") if target.is_file() else ""
    *table, leaf = key.split(".")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_set_line(text, table, leaf, f"{leaf} = {_toml_value(value)}"), "utf-8")
    return target


@command("map", "/map [TOKENS]", "the repo map the model sees (focused on your files)")
async def map_(shell: ShellState, args: str) -> None:
    import asyncio

    from coda_cli.commands.map import _tree

    if shell.core.repo_map is None:
        shell.console.print("[coda.dim]no repo map in this shell[/]")
        return
    tokens = int(args) if args.isdigit() else None
    rendered = await asyncio.to_thread(shell.core.render_map, tokens, shell.files)
    shell.console.print(_tree(shell.workspace, rendered))
    shell.console.print(
        f"[coda.dim]{len(rendered.tags)} symbols from {len(rendered.files)} files, "
        f"{rendered.tokens}/{rendered.budget} tokens[/]"
    )


@command("context", "/context", "the project rules files in the prompt: tokens, what was cut")
async def context(shell: ShellState, args: str) -> None:
    import asyncio

    from rich.markup import escape

    near = shell.files[0] if shell.files else None
    rules = await asyncio.to_thread(shell.core.rules, near)
    for line in rules.lines():
        shell.console.print(escape(line))


@command(
    "cost",
    "/cost [preview QUESTION]",
    "tokens, cost and time so far (per model); `preview`: what a question would cost",
    aliases=("stats",),
)
async def cost(shell: ShellState, args: str) -> None:
    from coda_cli.shell.stats import summary

    word, _, question = args.strip().partition(" ")
    if word == "preview":
        from coda_cli.shell.cost_preview import show_preview

        await show_preview(shell, question)
        return
    for part in summary(shell):
        shell.console.print(part)
    for line in shell.core.budget_lines():
        shell.console.print(f"[coda.dim]{line}[/]")


@command("clear", "/clear", "clear the screen (the conversation goes on)")
async def clear(shell: ShellState, args: str) -> None:
    shell.console.clear()


@command(
    "exit",
    "/exit",
    "leave the shell (Ctrl-D too); prints the session summary",
    aliases=("quit", "q"),
)
async def exit_(shell: ShellState, args: str) -> Outcome:
    return Outcome.EXIT
