"""`coda chat`: the interactive shell (or, with piped input, one answer per line)."""

from __future__ import annotations

import contextlib
import sys

import click

from coda_cli.state import AppState, pass_state
from coda_ls.modes import MODE_NAMES


@click.command()
@click.option("--model", "-m", help="Model to start with (default: config, then auto).")
@click.option(
    "--provider",
    "-p",
    help="Provider: ollama, openai (or a preset: openrouter…), oci, litellm, a plugin.",
)
@click.option("--mode", type=click.Choice(MODE_NAMES), help="Mode to start in (default: chat).")
@click.option("--session", "session_id", help="Continue this session (id or prefix).")
@click.option("--no-tools", is_flag=True, help="Do not offer the model any tools.")
@click.option("--no-map", is_flag=True, help="Skip the repo map (faster start in huge trees).")
@click.pass_context
@pass_state
def chat(
    state: AppState,
    ctx: click.Context,
    model: str | None,
    provider: str | None,
    mode: str | None,
    session_id: str | None,
    no_tools: bool,
    no_map: bool,
) -> None:
    """The interactive shell: streaming answers, slash commands (/help), history.

    \b
    Keys: Enter sends · Esc-Enter new line (ui.multiline_key) · Tab completes
    (commands, models, paths, @files) · Ctrl-R searches history · Ctrl-C stops an
    answer · Ctrl-D exits and prints the session's usage.

    \b
    With piped input it runs without a prompt: every non-blank line is a question
    (or a slash command), answered in order on stdout; the usage summary goes to
    stderr; the exit status is 1 if any question failed.
      printf 'what does main.py do?\\n/mode review\\n@main.py\\n' | coda chat
    """
    from coda_cli.runtime import run
    from coda_cli.shell.app import (
        build_shell,
        preflight,
        run_interactive,
        run_piped,
        stdin_lines,
    )
    from coda_cli.shell.tty import EchoGuard
    from coda_ls.errors import CodaError

    interactive = bool(sys.stdin and sys.stdin.isatty() and sys.stdout.isatty())
    # A question typed while the shell starts waits, unechoed and as typed, for the first
    # prompt (as one typed while an answer streams does).
    typed_ahead = contextlib.ExitStack()
    if interactive:
        typed_ahead.enter_context(EchoGuard().off())
    with typed_ahead:
        shell = build_shell(
            state,
            model=model,
            provider=provider,
            mode=mode,
            session_id=session_id,
            interactive=interactive,
            tools=not no_tools,
            with_map=not no_map,
        )

        async def go() -> int:
            if not interactive:
                try:
                    await preflight(shell)  # no provider: the usual message, hint and exit code
                except BaseException:
                    await shell.engine.aclose()
                    raise
                return await run_piped(shell, stdin_lines())
            try:
                await preflight(shell)
            except CodaError as exc:  # the shell still starts: /provider or /model can fix it
                from rich.markup import escape

                shell.console.print(f"[coda.error]error:[/] {escape(exc.message)}")
                if exc.hint:
                    shell.console.print(f"[coda.warn]hint:[/] {escape(exc.hint)}")
            typed_ahead.close()  # the prompt takes the keys from here
            return await run_interactive(shell)

        ctx.exit(run(go()))
