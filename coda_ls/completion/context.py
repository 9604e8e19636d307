"""Project context for a completion: what the code around the cursor uses, from the map.

A bare FIM call sees only the file. The identifiers near the cursor (those called or
typed on the cursor's line first) are looked up in the repo map's definitions, and their
signatures and first doc lines, with the class enclosing the cursor and its methods, are
put in front of the prefix as comments, within a small token budget. Definitions the
prompt's own prefix/suffix window already shows are left out.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from coda_ls.repomap.model import FileTags, Tag
from coda_ls.tokens import estimate

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALLED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
# Names so common in every language that a definition of them is noise.
_COMMON = frozenset(keyword.kwlist) | {
    "self", "cls", "this", "true", "false", "null", "nil", "None", "True", "False",
    "return", "function", "const", "let", "var", "func", "fn", "pub", "int", "str",
    "print", "len", "range", "list", "dict", "set", "new", "string", "void", "public",
    "private", "static", "import", "from", "package", "super", "init", "main",
}  # fmt: skip
_LINE_COMMENT: dict[str, str] = {
    ".py": "#", ".rb": "#", ".sh": "#", ".pl": "#", ".r": "#", ".yaml": "#", ".toml": "#",
    ".ex": "#", ".exs": "#", ".jl": "#", ".nim": "#", ".lua": "--", ".sql": "--",
    ".hs": "--", ".elm": "--", ".clj": ";;", ".el": ";;", ".lisp": ";;", ".m": "%",
}  # fmt: skip

BEFORE_LINES = 20  # lines above the cursor whose identifiers count
AFTER_LINES = 5


@dataclass(frozen=True, slots=True)
class Context:
    """The rendered context block and the definitions in it."""

    text: str
    tags: tuple[Tag, ...]
    tokens: int


EMPTY = Context("", (), 0)


def comment_prefix(path: str) -> str:
    """The line-comment marker of the file's language (`//` when unknown)."""
    dot = path.rfind(".")
    return _LINE_COMMENT.get(path[dot:].lower() if dot >= 0 else "", "//")


def nearby_identifiers(prefix: str, suffix: str) -> list[str]:
    """Identifiers near the cursor, most telling first: the ones on the cursor's line,
    then those called above it (nearest first), then the rest; keywords left out."""
    above = prefix.split("\n")
    current = above[-1] + suffix.split("\n", 1)[0]
    window_above = above[-BEFORE_LINES - 1 : -1]
    window_below = suffix.split("\n")[1 : AFTER_LINES + 1]
    ordered: list[str] = []
    ordered += _CALLED.findall(current) + _IDENT.findall(current)
    for line in reversed(window_above):
        ordered += _CALLED.findall(line)
    for line in reversed(window_above):
        ordered += _IDENT.findall(line)
    for line in window_below:
        ordered += _IDENT.findall(line)
    return [name for name in dict.fromkeys(ordered) if name not in _COMMON and len(name) > 1]


class DefinitionIndex:
    """Definitions by name and by file, kept in step with the map one file at a time.

    Typing changes the map every time the user pauses (the open buffer is re-tagged), so
    rebuilding the whole index then would cost tens of milliseconds on a large project
    at the moment a completion is wanted; only the files whose tags changed are redone."""

    def __init__(self) -> None:
        self._generation: tuple[int, int] | None = None
        self._files: dict[str, FileTags] = {}
        self._by_name: dict[str, dict[str, list[Tag]]] = {}  # name -> path -> tags

    def refresh(self, key: tuple[int, int], files: Callable[[], Mapping[str, FileTags]]) -> None:
        """Catch up with the map whose state is `key` (`files` is called only if needed)."""
        if key == self._generation:
            return
        current = files()
        for path in [p for p in self._files if p not in current]:
            self._drop(path)
        for path, tags in current.items():
            if self._files.get(path) is not tags:
                self._drop(path)
                self._add(path, tags)
        self._generation = key

    def _drop(self, path: str) -> None:
        old = self._files.pop(path, None)
        if old is None:
            return
        for tag in old.definitions:
            holders = self._by_name.get(tag.name)
            if holders is not None:
                holders.pop(path, None)
                if not holders:
                    del self._by_name[tag.name]

    def _add(self, path: str, tags: FileTags) -> None:
        self._files[path] = tags
        for tag in tags.definitions:
            self._by_name.setdefault(tag.name, {}).setdefault(path, []).append(tag)

    @property
    def current(self) -> tuple[int, int] | None:
        return self._generation

    def named(self, name: str) -> list[Tag]:
        return [tag for tags in self._by_name.get(name, {}).values() for tag in tags]

    def in_file(self, path: str) -> list[Tag]:
        found = self._files.get(path)
        return list(found.definitions) if found else []


CLASS_KINDS = ("class", "struct", "interface", "trait")
MAX_SIGNATURE = 120  # characters of a signature shown (long parameter lists are cut)
_IMPORTS = re.compile(
    r"^\s*from\s+[\w.]+\s+import\s+\(?([\w\s,]+)\)?"  # Python: from x import a, b
    r"|^\s*import\s+\{([\w\s,]+)\}\s+from"  # JavaScript/TypeScript: import {a, b} from
    r"|^\s*import\s+([\w.]+)\s*;?\s*$",  # Java/Kotlin/Go-ish: import a.b.C
    re.M,
)


def imported_names(text: str) -> list[str]:
    """Names a file imports (Python `from … import`, JS `import {…}`, `import a.b.C`)."""
    names: list[str] = []
    for match in _IMPORTS.finditer(text):
        group = next(g for g in match.groups() if g)
        for part in group.replace("\n", ",").split(","):
            words = part.split()
            if words:
                names.append(words[0].rsplit(".", 1)[-1])  # `a as b` -> a; a.b.C -> C
    return [name for name in dict.fromkeys(names) if name not in _COMMON]


def _lookup(index: DefinitionIndex, name: str, path: str) -> list[Tag]:
    """Up to three definitions of `name`, the file's own first (a name defined in many
    places is ambiguous: showing them all would crowd out the rest)."""
    found = sorted(
        (t for t in index.named(name) if t.kind != "module"),
        key=lambda t: (t.path != path, t.path, t.line),
    )
    return found[:3]


def _members(index: DefinitionIndex, cls: Tag, *, constructor: bool) -> list[Tag]:
    """A class's methods, without the dunders (but its constructor, if asked)."""
    return [
        t
        for t in index.in_file(cls.path)
        if t.parent == cls.qualname
        and (not t.name.startswith("__") or (constructor and t.name == "__init__"))
    ]


def enclosing_class(tags: Sequence[Tag], line: int) -> Tag | None:
    """The innermost class-like definition spanning `line` (1-based)."""
    best: Tag | None = None
    for tag in tags:
        classlike = tag.kind in CLASS_KINDS
        innermost = best is None or tag.line >= best.line
        if classlike and innermost and tag.line <= line <= tag.end_line:
            best = tag
    return best


def _entry(tag: Tag) -> str:
    signature = tag.signature or f"{tag.kind} {tag.qualname}"
    if len(signature) > MAX_SIGNATURE:
        signature = signature[: MAX_SIGNATURE - 1] + "…"
    doc = tag.doc.strip().split("\n", 1)[0].strip() if tag.doc else ""
    where = f"{tag.path}:{tag.line}" + (f", in {tag.parent}" if tag.parent else "")
    return f"{signature}  ({where})" + (f" — {doc}" if doc else "")


def gather(
    index: DefinitionIndex,
    path: str,
    prefix: str,
    suffix: str,
    *,
    cursor_line: int,
    shown_lines: tuple[int, int],
    budget: int,
    imported: Sequence[str] = (),
) -> Context:
    """The context block for a cursor at `cursor_line` (1-based) in `path` (relative to
    the root). `shown_lines` is the span of the file the prompt already holds."""
    if budget <= 0:
        return EMPTY
    marker = comment_prefix(path)
    chosen: list[Tag] = []
    seen: set[tuple[str, int]] = set()

    def shown(tag: Tag) -> bool:
        return tag.path == path and shown_lines[0] <= tag.line <= shown_lines[1]

    def add(tag: Tag) -> None:
        key = (tag.path, tag.line)
        if key not in seen and not shown(tag):
            seen.add(key)
            chosen.append(tag)

    # In order of value, each tier after the one before: what the code near the cursor
    # names (called first), the enclosing class's methods (what `self.` offers), the
    # methods of classes named nearby, then what the file imports.
    members: list[Tag] = []
    for name in nearby_identifiers(prefix, suffix):
        for tag in _lookup(index, name, path):
            add(tag)
            if tag.kind in CLASS_KINDS:
                members += _members(index, tag, constructor=True)
    own = index.in_file(path)
    cls = enclosing_class(own, cursor_line)
    if cls is not None:
        add(cls)
        for tag in _members(index, cls, constructor=False):
            add(tag)
    for tag in members:
        add(tag)
    for name in imported:
        for tag in _lookup(index, name, path)[:1]:
            add(tag)
    if not chosen:
        return EMPTY
    header = f"{marker} Definitions used near here (from the project):"
    lines = [header]
    used = estimate(header)
    kept: list[Tag] = []
    for tag in chosen:
        line = f"{marker} {_entry(tag)}"
        cost = estimate(line) + 1
        if used + cost > budget:
            continue  # a shorter one further down may still fit
        lines.append(line)
        kept.append(tag)
        used += cost
    if not kept:
        return EMPTY
    return Context("\n".join(lines) + "\n", tuple(kept), used)
