"""A shell command line as the shell will run it: its simple commands and their words.

Parsed with tree-sitter-bash (a real grammar, already a dependency for the repo map),
not matched as a string: `s""udo`, `\\sudo`, `'sudo'` are all the word `sudo`; a command
inside `$(…)`, `<(…)`, backquotes, `( … )`, `{ …; }`, a loop or a function body is a
command like any other. What the grammar cannot place (an `ERROR` node: an unclosed
quote, bash brace expansion `{sudo,}`) is reported, never guessed at.

A word's text is what the shell passes after quote removal; a word that is only known
when the command runs (a `$variable`, a substitution, a glob, `$'…'`) is `dynamic`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tree_sitter


@dataclass(frozen=True)
class Word:
    """One word of a command: its text after quote removal, and whether the shell only
    knows it when it runs (expansion, substitution, glob)."""

    text: str
    dynamic: bool = False


@dataclass(frozen=True)
class Redirect:
    """`op` is the operator (`>`, `>>`, `<`, `&>`, `>&`, `<<`, `<<<` …)."""

    op: str
    target: Word


@dataclass
class Script:
    """A parsed command line: every simple command (at any depth), every redirection,
    the functions it defines, and the places the grammar could not parse."""

    commands: list[list[Word]] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    # function name -> the command names its body runs
    functions: dict[str, set[str]] = field(default_factory=dict)
    # `NAME=value` anywhere: before a command, alone, after export/declare/local
    assignments: list[tuple[str, Word]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@functools.cache
def _parser() -> tree_sitter.Parser:
    # Imported here: tree-sitter stays out of the import path of `coda --help`.
    import tree_sitter
    import tree_sitter_bash

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))


# `*`, `?` or a `[…]` class; a lone `[` is the test command, not a glob
_GLOB = re.compile(r"(?<!\\)[*?]|(?<!\\)\[.*\]")


def join_continuations(source: str) -> str | None:
    """`source` with backslash-newline pairs removed, as the shell's lexer does before
    anything else (tree-sitter-bash reads `su\\<newline>do` as two words). Not inside
    single quotes or comments, where the pair is literal. None when the line also has a
    here-document: there a pair may be literal or not depending on the delimiter's
    quoting, and a wrong guess could end (or not end) the document early."""
    if "\\\n" not in source:
        return source
    out: list[str] = []
    i, n = 0, len(source)
    quote: str | None = None  # "'" or '"'
    while i < n:
        char = source[i]
        if quote == "'":
            out.append(char)
            if char == "'":
                quote = None
            i += 1
            continue
        if char == "\\" and i + 1 < n:
            if source[i + 1] == "\n":
                i += 2  # the continuation: both characters disappear
                continue
            out.append(source[i : i + 2])
            i += 2
            continue
        if quote is None and char == "<" and source.startswith("<<", i):
            return None
        if quote is None and char == "#" and (not out or out[-1][-1:] in " \t\n;&|()<>"):
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(source[i:end])
            i = end
            continue
        if char == '"':
            quote = None if quote == '"' else '"'
        elif char == "'" and quote is None:
            quote = "'"
        out.append(char)
        i += 1
    return "".join(out)


def parse(source: str) -> Script:
    """The commands, redirections and functions of `source`."""
    script = Script()
    joined = join_continuations(source)
    if joined is None:
        script.errors.append("a line continuation inside a command with a here-document")
        joined = source
    tree = _parser().parse(joined.encode("utf-8", "surrogatepass"))
    _walk(tree.root_node, script)
    return script


def _walk(node: tree_sitter.Node, script: Script) -> None:
    for current in _descendants(node):
        kind = current.type
        if current.is_error or current.is_missing:
            where = _text(current)[:40] or "end of line"
            script.errors.append(f"the shell syntax near `{where}` does not parse")
        elif kind == "command":
            words = command_words(current)
            if words:
                script.commands.append(words)
        elif kind in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
            redirect = _redirect(current)
            if redirect is not None:
                script.redirects.append(redirect)
        elif kind == "variable_assignment":
            name = current.child_by_field_name("name")
            value = current.child_by_field_name("value")
            if name is not None:
                shown = _text(name)
                script.assignments.append((shown, word(value) if value else Word("")))
        elif kind == "function_definition":
            name = current.child_by_field_name("name")
            body = current.child_by_field_name("body")
            if name is not None and body is not None:
                called = {
                    words[0].text
                    for sub in _descendants(body)
                    if sub.type == "command" and (words := command_words(sub))
                }
                script.functions[word(name).text] = called


def _descendants(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Every node below `node`, depth first (iterative: no recursion limit)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def command_words(node: tree_sitter.Node) -> list[Word]:
    """The words of a `command` node: its name then its arguments (no assignments, no
    redirections)."""
    name = node.child_by_field_name("name")
    if name is None:
        return []
    words = [word(name)]
    words.extend(word(arg) for arg in node.children_by_field_name("argument"))
    return words


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "surrogatepass")


def word(node: tree_sitter.Node) -> Word:
    """A word node as the shell hands it to the command (quotes removed)."""
    kind = node.type
    if kind == "command_name":
        return word(node.named_children[0]) if node.named_children else Word("")
    text = _text(node)
    if kind in ("word", "number", "file_descriptor"):
        return Word(_unescape(text), dynamic=bool(_GLOB.search(text)))
    if kind == "raw_string":
        return Word(text[1:-1])
    if kind == "string":
        parts = [word(child) for child in node.named_children]
        literal = "".join(part.text for part in parts)
        return Word(literal, dynamic=any(part.dynamic for part in parts))
    if kind == "string_content":
        return Word(re.sub(r"\\([$`\"\\])", r"\1", text))
    if kind == "concatenation":
        parts = [word(child) for child in node.children]
        return Word("".join(p.text for p in parts), dynamic=any(p.dynamic for p in parts))
    # expansions, substitutions, $'…', $"…", arithmetic, brace expressions: run-time
    return Word(text, dynamic=True)


def _unescape(text: str) -> str:
    """Backslash removal outside quotes: `\\x` is `x`."""
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _redirect(node: tree_sitter.Node) -> Redirect | None:
    op = ""
    target: Word | None = None
    for child in node.children:
        if not child.is_named and child.type not in ("(", ")"):
            op = op or child.type
        elif child.type == "file_descriptor":
            continue
        elif child.type in ("heredoc_start",):
            target = Word(_text(child).strip("'\""))
        elif child.is_named and target is None:
            target = word(child)
    if target is None:
        return None
    return Redirect(op, target)
