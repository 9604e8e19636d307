"""Tab completion: slash commands and their arguments, model names, paths, @mentions."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from coda_cli.shell.slash import is_dynamic, registry

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState

MAX_PATHS = 200
_PATH_ARGS = {"add", "export"}


def path_candidates(base: Path, prefix: str) -> list[str]:
    """Entries under `base` that complete `prefix` (dirs end in /; hidden ones only when the
    prefix asks for them)."""
    head, _, partial = prefix.rpartition("/")
    directory = (base / head) if head else base
    if prefix.startswith(("/", "~")):
        directory = Path(os.path.expanduser(head or "/"))
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if not entry.name.startswith(partial):
            continue
        if entry.name.startswith(".") and not partial.startswith("."):
            continue
        name = f"{head}/{entry.name}" if head else entry.name
        if prefix.startswith("/") and not head:
            name = "/" + entry.name
        out.append(name + ("/" if entry.is_dir() else ""))
        if len(out) >= MAX_PATHS:
            break
    return out


def argument_candidates(shell: ShellState, name: str, args: str) -> Iterable[str]:
    """What may follow `/name ` given the argument text typed so far."""
    from coda_cli.shell.themes import THEMES
    from coda_ls.workspace import MODES

    words = args.split(" ")
    current = words[-1]
    spec = registry().get(name)
    if name == "mode":
        return [m for m in MODES if m.startswith(current)]
    if name == "model":
        return [m for m in shell.models if m.startswith(current)]
    if name == "theme":
        return [t for t in THEMES if t.startswith(current)]
    if name == "provider":
        from coda_ls.workspace import provider_names

        return [p for p in provider_names() if p.startswith(current)]
    if name == "help":
        return [c for c in registry() if c.startswith(current.lstrip("/"))]
    if name == "drop":
        rel = [_rel(shell, p) for p in shell.files] + ["all"]
        return [p for p in rel if p.startswith(current)]
    if name == "tools" and shell.tools is not None and len(words) > 1:
        return [t for t in shell.tools.names() if t.startswith(current)]
    if name == "session" and len(words) == 2 and words[0] == "load":
        return [s.short_id for s in shell.store.list_sessions(limit=20)]
    if spec is not None and spec.subcommands and len(words) == 1:
        return [s for s in spec.subcommands if s.startswith(current)]
    if name in _PATH_ARGS:
        return path_candidates(Path.cwd(), current)
    if spec is not None and is_dynamic(name):  # a prompt of the library
        from coda_cli.shell.cmd_prompts import argument_candidates as prompt_arguments

        return prompt_arguments(shell, name, args)
    return []


def _rel(shell: ShellState, path: Path) -> str:
    try:
        return str(path.relative_to(shell.workspace))
    except ValueError:
        return str(path)


class ShellCompleter(Completer):
    def __init__(self, shell: ShellState) -> None:
        self.shell = shell

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        text = document.text_before_cursor
        if text.startswith("/") and "\n" not in text:
            name, space, args = text[1:].partition(" ")
            if not space:
                for command in sorted(registry().values(), key=lambda c: c.name):
                    if command.name.startswith(name.lower()):
                        yield Completion(
                            "/" + command.name,
                            start_position=-len(text),
                            display_meta=command.summary,
                        )
                return
            current = args.split(" ")[-1]
            for candidate in argument_candidates(self.shell, name.lower(), args):
                yield Completion(candidate, start_position=-len(current))
            return
        word = document.get_word_before_cursor(WORD=True)
        if word.startswith("@"):
            for candidate in path_candidates(self.shell.workspace, word[1:]):
                yield Completion("@" + candidate, start_position=-len(word))
