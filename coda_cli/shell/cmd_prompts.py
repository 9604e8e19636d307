"""The prompt library in the shell: every prompt is a slash command (`/NAME args`), and
`/prompts` lists them (or re-reads the files after an edit)."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from coda_cli.shell.slash import Outcome, SlashCommand, command, set_dynamic

if TYPE_CHECKING:
    from coda_cli.shell.slash import Handler
    from coda_cli.shell.state import ShellState
    from coda_ls.workspace import Prompt


def _words(args: str) -> list[str]:
    try:
        return shlex.split(args)
    except ValueError:  # an unbalanced quote: take the words as typed
        return args.split()


def _selection(shell: ShellState, words: list[str]) -> tuple[list[str], str | None]:
    """`@FILE[:LINES]` among the words is the selection (the shell has no editor's)."""
    import click

    from coda_cli.commands.ask import parse_spec
    from coda_ls.workspace import PromptError

    for index, word in enumerate(words):
        if word.startswith("@") and len(word) > 1:
            spec = word[1:]
            target = spec if spec.startswith("/") else str(shell.workspace / spec)
            try:
                path, start, end = parse_spec(target)
            except click.BadParameter as exc:  # the shell shows CodaErrors, not click's
                hint = "@FILE or @FILE:START-END, inside the project"
                raise PromptError(exc.message, hint) from None
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
            text = "".join(lines[start - 1 : end if end is not None else len(lines)])
            return words[:index] + words[index + 1 :], text
    return words, None


def _runner(name: str) -> Handler:
    async def run(shell: ShellState, args: str) -> Outcome:
        from coda_cli.shell.turn import ask_text
        from coda_ls.workspace import split_arguments

        prompt = shell.core.prompts().get(name)  # read now: the file may have changed
        words = _words(args)
        selection = None
        if prompt.takes_selection:
            words, selection = _selection(shell, words)
        positional, named = split_arguments(prompt, words)
        text = prompt.fill(positional, named, selection)
        saved = shell.mode
        if prompt.mode:
            shell.mode = prompt.mode  # this turn only
        try:
            return await ask_text(shell, text)
        finally:
            shell.mode = saved

    return run


def _spec(prompt: Prompt) -> SlashCommand:
    usage = prompt.usage + (" @FILE[:LINES]" if prompt.takes_selection else "")
    mode = f" ({prompt.mode} mode)" if prompt.mode else ""
    return SlashCommand(
        prompt.name,
        usage,
        f"{prompt.summary}{mode} [{prompt.scope} prompt]",
        _runner(prompt.name),
        details=prompt.body.strip(),
    )


def argument_candidates(shell: ShellState, name: str, args: str) -> list[str]:
    """Completion after `/NAME `: `argument=` names not given yet, and `@path` for the
    selection of a prompt that takes one."""
    from coda_cli.shell.completion import path_candidates

    prompt = shell.core.prompts().find(name)
    if prompt is None:
        return []
    words = args.split(" ")
    current = words[-1]
    if current.startswith("@") and prompt.takes_selection:
        return ["@" + c for c in path_candidates(shell.workspace, current[1:])]
    given = {word.partition("=")[0] for word in words[:-1] if "=" in word}
    return [
        f"{arg.name}="
        for arg in prompt.arguments
        if arg.name not in given and f"{arg.name}=".startswith(current)
    ]


def register_prompts(shell: ShellState) -> list[str]:
    """Make the library's prompts slash commands; returns warnings to show (files that
    failed, prompts a built-in command hides)."""
    library = shell.core.prompts()
    clashes = set_dynamic([_spec(prompt) for prompt in library])
    warnings = [str(problem) for problem in library.problems]
    warnings += [
        f"prompt {spec.name!r} is not a slash command: /{spec.name} is built in "
        f"(run it with `coda prompts run {spec.name}`)"
        for spec in clashes
    ]
    return warnings


@command("prompts", "/prompts [reload]", "the prompt library: list, or re-read the files")
async def prompts(shell: ShellState, args: str) -> None:
    from rich.markup import escape

    for warning in register_prompts(shell):
        shell.console.print(f"[coda.warn]{escape(warning)}[/]")
    library = shell.core.prompts()
    if not len(library):
        shell.console.print("[coda.dim]no prompts: add .md files to .coda/prompts/[/]")
    for prompt in library:
        shell.console.print(
            f"[coda.prompt]{escape(prompt.usage)}[/]  {escape(prompt.summary)} "
            f"[coda.dim]({prompt.scope})[/]"
        )
