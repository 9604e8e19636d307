"""Start the shell: build its state, then run it interactively (a terminal) or over
piped input (each line a question or a slash command)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coda_cli.shell.slash import Outcome
from coda_cli.shell.state import ShellState
from coda_cli.shell.themes import get_theme, rich_theme

if TYPE_CHECKING:
    from prompt_toolkit.formatted_text import FormattedText

    from coda_cli.state import AppState


def build_shell(
    app: AppState,
    *,
    model: str | None = None,
    provider: str | None = None,
    mode: str | None = None,
    session_id: str | None = None,
    interactive: bool = False,
    tools: bool = True,
    with_map: bool = True,
) -> ShellState:
    """The workspace (sessions, repo map, tools) and the shell state around it."""
    from coda_cli.asker import ConsoleAsker
    from coda_cli.runtime import open_workspace
    from coda_cli.shell.tools import ToolSwitch

    holder: list[ShellState] = []

    @contextlib.contextmanager
    def suspend() -> Iterator[None]:
        """Stop the live answer and turn echo back on while the asker prompts."""
        shell = holder[0] if holder else None
        printer = shell.printer if shell is not None else None
        with contextlib.ExitStack() as stack:
            if printer is not None:
                stack.enter_context(printer.suspend())
            if shell is not None:
                stack.enter_context(shell.echo.on())
            yield

    asker = ConsoleAsker(app.console, interactive=interactive, suspend=suspend)
    core = open_workspace(
        app,
        {"provider": provider, "model": model},
        asker=asker if tools else None,
        with_map=with_map,
    )
    core.engine.store = core.store
    engine = core.engine
    settings = core.settings
    theme = get_theme(settings.ui.theme)
    for console in (app.console, app.err_console):
        console.push_theme(rich_theme(theme))  # type: ignore[arg-type]
    shell = ShellState(
        app=app,
        core=core,
        console=app.console,
        mode=mode or settings.mode,
        provider=provider,
        model=model,
        theme=theme.name,
        interactive=interactive,
    )
    holder.append(shell)
    if engine.toolbox is not None:
        switch = ToolSwitch(engine.toolbox)  # type: ignore[arg-type]  # a Toolbox
        engine.toolbox = switch
        shell.tools = switch
    if session_id:
        shell.use_session(shell.store.get_session(session_id).id)
    from rich.markup import escape

    from coda_cli.shell.cmd_prompts import register_prompts

    for warning in register_prompts(shell):  # the prompt library as /NAME commands
        app.err_console.print(f"[coda.warn]{escape(warning)}[/]")
    return shell


def print_summary(shell: ShellState, *, to_stderr: bool = False) -> None:
    from coda_cli.shell.stats import summary

    console = shell.app.err_console if to_stderr else shell.console
    for part in summary(shell):
        console.print(part)


async def run_piped(shell: ShellState, lines: Iterable[str]) -> int:
    """Each non-blank line is a question or a slash command, in order; answers go to
    stdout, the summary to stderr. Exit status 1 when any question failed."""
    from coda_cli.shell.turn import run_line

    try:
        for raw in lines:
            line = raw.strip()
            if not line:
                continue
            if await run_line(shell, line) is Outcome.EXIT:
                break
    finally:
        await shell.core.aclose()
    print_summary(shell, to_stderr=True)
    return 1 if shell.failures else 0


def history_file() -> Path:
    """Prompt history in the XDG state dir (`$XDG_STATE_HOME/coda/history`)."""
    import platformdirs

    path = Path(platformdirs.user_state_dir("coda", appauthor=False)) / "history"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _newline_keys(setting: str) -> tuple[str, ...]:
    """Settings.ui.multiline_key -> prompt-toolkit keys ("escape-enter" is Esc then Enter;
    also "alt-enter", or any single prompt-toolkit key name such as "c-j")."""
    value = setting.strip().lower()
    if value in ("escape-enter", "esc-enter", "alt-enter", "meta-enter", "m-enter"):
        return ("escape", "c-m")
    return (value,)


async def run_interactive(shell: ShellState) -> int:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    from coda_cli.shell.completion import ShellCompleter
    from coda_cli.shell.themes import prompt_style
    from coda_cli.shell.turn import run_line

    bindings = KeyBindings()

    @bindings.add("c-m")
    def _submit(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    try:
        newline_keys = _newline_keys(shell.engine.settings.ui.multiline_key)
        bindings.add(*newline_keys)(_newline)
    except ValueError:
        shell.console.print("[coda.warn]ui.multiline_key is not a key; using Esc-Enter[/]")
        bindings.add("escape", "c-m")(_newline)

    session: PromptSession[str] = PromptSession(
        history=FileHistory(str(history_file())),
        completer=ShellCompleter(shell),
        # Slash commands pop up as you type; other completion (@paths) waits for Tab.
        complete_while_typing=Condition(lambda: _typing_command(session)),
        key_bindings=bindings,
        multiline=True,
        prompt_continuation=lambda width, line, wrap: "… ".rjust(width),
        style=prompt_style(get_theme(shell.theme)),  # type: ignore[arg-type]
    )
    picker: PromptSession[str] = PromptSession()

    async def ask_user(message: str) -> str:
        return await picker.prompt_async(message)

    shell.ask_user = ask_user
    _banner(shell)
    try:
        while True:
            try:
                line = await session.prompt_async(lambda: _prompt(shell))
            except KeyboardInterrupt:
                continue  # Ctrl-C at the prompt clears the line
            except EOFError:
                break
            if not line.strip():
                continue
            if await run_line(shell, line) is Outcome.EXIT:
                break
    finally:
        await shell.core.aclose()
    print_summary(shell)
    return 0


def _newline(event: Any) -> None:
    event.current_buffer.insert_text("\n")


def _typing_command(session: Any) -> bool:
    text: str = session.default_buffer.text
    return text.startswith("/") and " " not in text


def _prompt(shell: ShellState) -> FormattedText:
    from prompt_toolkit.formatted_text import FormattedText

    return FormattedText(
        [
            ("class:mode", f"{shell.mode} "),
            ("class:model", shell.model_label()),
            ("class:prompt", " › "),
        ]
    )


def _banner(shell: ShellState) -> None:
    from rich.markup import escape

    shell.console.print(
        f"[coda.accent]Coda[/] · {escape(shell.model_label())} · mode {shell.mode} · "
        f"{escape(str(shell.workspace))}\n"
        "[coda.dim]/help for commands · Esc-Enter new line · Ctrl-C stops an answer · "
        "Ctrl-D exits[/]"
    )
    if shell.session_id:
        shell.console.print(f"[coda.dim]continuing session {shell.session_id[:8]}[/]")


async def preflight(shell: ShellState) -> None:
    """Pick the model now, so the banner names it and a missing provider shows at once."""
    chosen = await shell.engine.selection(shell.mode, shell.provider, shell.model)
    shell.active = f"{chosen.provider_name}/{chosen.model}"


def stdin_lines() -> Iterable[str]:
    return iter(sys.stdin.readline, "")
