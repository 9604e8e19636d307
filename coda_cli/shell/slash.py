"""Slash commands: the registry, parsing a line, and dispatching it to a handler.

Handlers are plain async functions of (ShellState, argument text), so the tests drive them
without a terminal. Each module under `coda_cli.shell.cmd_*` registers its commands with
the `command` decorator when imported; `registry()` imports them all.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState


class Outcome(enum.Enum):
    NOT_COMMAND = "not a command"  # a question for the model
    DONE = "done"
    EXIT = "exit"


Handler = Callable[["ShellState", str], Awaitable[Outcome | None]]


@dataclass(frozen=True)
class SlashCommand:
    name: str
    usage: str
    summary: str
    handler: Handler
    details: str = ""
    aliases: tuple[str, ...] = ()
    subcommands: tuple[str, ...] = ()


_COMMANDS: dict[str, SlashCommand] = {}
_ALIASES: dict[str, str] = {}
_HANDLER_MODULES = (
    "cmd_basic",
    "cmd_models",
    "cmd_sessions",
    "cmd_knowledge",
    "cmd_prompts",
    "cmd_attach",
)
_DYNAMIC: set[str] = set()  # commands added at run time (the prompt library's)
_COMMAND_WORD = re.compile(r"^/([A-Za-z][\w-]*)(?:\s+(.*))?$", re.DOTALL)


def command(
    name: str,
    usage: str,
    summary: str,
    *,
    details: str = "",
    aliases: tuple[str, ...] = (),
    subcommands: tuple[str, ...] = (),
) -> Callable[[Handler], Handler]:
    """Register a handler as `/name`."""

    def register(handler: Handler) -> Handler:
        _COMMANDS[name] = SlashCommand(name, usage, summary, handler, details, aliases, subcommands)
        for alias in aliases:
            _ALIASES[alias] = name
        return handler

    return register


def set_dynamic(commands: list[SlashCommand]) -> list[SlashCommand]:
    """Replace the run-time commands with `commands`; one whose name a built-in command
    (or alias) has is left out and returned, so a prompt never hides /help."""
    registry()
    for name in _DYNAMIC:
        _COMMANDS.pop(name, None)
    _DYNAMIC.clear()
    clashes = []
    for spec in commands:
        if spec.name in _COMMANDS or spec.name in _ALIASES:
            clashes.append(spec)
            continue
        _COMMANDS[spec.name] = spec
        _DYNAMIC.add(spec.name)
    return clashes


def is_dynamic(name: str) -> bool:
    """True for a command added at run time (a prompt of the library)."""
    return name in _DYNAMIC


def registry() -> dict[str, SlashCommand]:
    """Every slash command by name (handler modules are imported on first use)."""
    import importlib

    for module in _HANDLER_MODULES:
        importlib.import_module(f"coda_cli.shell.{module}")
    return _COMMANDS


def parse(line: str) -> tuple[str, str] | None:
    """`/name args…` -> (name, args); None for a question. A line like `/usr/bin/env is
    what?` is a question: command words hold no second slash."""
    match = _COMMAND_WORD.match(line.strip())
    if match is None:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


def lookup(name: str) -> SlashCommand | None:
    commands = registry()
    return commands.get(_ALIASES.get(name, name))


async def dispatch(shell: ShellState, line: str) -> Outcome:
    """Run `line` if it is a slash command. Errors are shown, never raised: a typo must not
    end the shell."""
    from coda_ls.errors import CodaError

    parsed = parse(line)
    if parsed is None:
        return Outcome.NOT_COMMAND
    name, args = parsed
    found = lookup(name)
    if found is None:
        close = difflib.get_close_matches(name, [*registry(), *_ALIASES], n=3, cutoff=0.5)
        hint = f" — did you mean {', '.join('/' + c for c in close)}?" if close else ""
        shell.console.print(f"[coda.error]unknown command /{name}[/]{hint}  [coda.dim](/help)[/]")
        return Outcome.DONE
    try:
        outcome = await found.handler(shell, args)
    except CodaError as exc:
        from rich.markup import escape

        shell.console.print(f"[coda.error]error:[/] {escape(exc.message)}")
        if exc.hint:
            shell.console.print(f"[coda.warn]hint:[/] {escape(exc.hint)}")
        return Outcome.DONE
    return outcome or Outcome.DONE


def usage_error(spec: SlashCommand | str, problem: str) -> Exception:
    """A CodaError saying how the command is used."""
    from coda_ls.errors import CodaError

    usage = spec.usage if isinstance(spec, SlashCommand) else spec
    return CodaError(problem, f"usage: {usage}")
