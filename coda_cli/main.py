"""`coda`: the click group. Subcommands live in `coda_cli.commands.*` and are imported
only when run (or listed by --help), so `coda --help` stays fast: no pydantic, httpx,
tree-sitter, litellm or oci is imported here."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from coda_ls import __version__

# command name -> (module under coda_cli.commands, attribute)
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("ask", "ask"),
    "explain": ("ask", "explain"),
    "review": ("ask", "review"),
    "refactor": ("ask", "refactor"),
    "chat": ("chat", "chat"),
    "models": ("models", "models"),
    "sessions": ("sessions", "sessions"),
    "map": ("map", "map_command"),
    "project": ("project", "project"),
    "vcs": ("vcs", "vcs"),
    "status": ("vcs", "status"),
    "config": ("config", "config"),
    "doctor": ("doctor", "doctor"),
    "serve": ("serve", "serve"),
    "mcp": ("mcp", "mcp"),
    "acp": ("acp", "acp"),
    "web": ("web", "web"),
    "telemetry": ("telemetry", "telemetry"),
    "projects": ("projects", "projects"),
    "docs": ("checks", "docs"),
    "changelog": ("checks", "changelog"),
    "prompts": ("prompts", "prompts"),
    "context": ("context", "context"),
    "test": ("testgen", "test"),
    "knowledge": ("knowledge", "knowledge"),
    "tools": ("tools", "tools"),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = [name for name, (module, _) in COMMANDS.items() if _exists(module)]
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name]
        if not _exists(module_name):
            return None
        module = importlib.import_module(f"coda_cli.commands.{module_name}")
        command: click.Command = getattr(module, attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        from coda_cli.ui import run_guarded

        return run_guarded(ctx, lambda: super(LazyGroup, self).invoke(ctx))


def _exists(module: str) -> bool:
    return importlib.util.find_spec(f"coda_cli.commands.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="coda")
@click.option("--debug", is_flag=True, help="Full tracebacks and HTTP logging (secrets redacted).")
@click.option("--no-color", is_flag=True, help="Plain output without colour.")
@click.option(
    "--profile",
    metavar="FILE",
    envvar="CODA_PROFILE",
    help="Write a cProfile (pstats) of this run to FILE.",
)
@click.option(
    "--pyroscope",
    metavar="URL",
    envvar="CODA_PYROSCOPE",
    help="Send a continuous profile to this Pyroscope server (the pyroscope extra).",
)
@click.option(
    "--project",
    "projects",
    multiple=True,
    metavar="PATH",
    help="Another project whose map joins this one's (read-only for tools). Repeatable.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    debug: bool,
    no_color: bool,
    profile: str | None,
    pyroscope: str | None,
    projects: tuple[str, ...],
) -> None:
    """Coda: an AI code assistant for your editor and terminal.

    \b
    Quick start:
      coda doctor            what is reachable and how to connect a provider
      coda map               the ranked map of this project's code
      coda ask "question"    ask about this project (Ollama needs no setup)
      coda chat              the interactive shell
    """
    from coda_cli.state import AppState

    debug = debug or bool(os.environ.get("CODA_DEBUG"))
    no_color = no_color or bool(os.environ.get("NO_COLOR"))
    from pathlib import Path

    ctx.obj = AppState(
        debug=debug, no_color=no_color, projects=tuple(Path(p).resolve() for p in projects)
    )
    if profile:
        from coda_ls.workspace import start_profile as start

        ctx.call_on_close(start(profile))
    if pyroscope:
        from coda_ls.workspace import start_pyroscope

        ctx.call_on_close(start_pyroscope(pyroscope, "coda.cli"))
    if debug:
        from coda_cli.ui import enable_debug_logging

        enable_debug_logging()


def main() -> None:  # pragma: no cover - `python -m coda_cli`
    sys.exit(cli())
