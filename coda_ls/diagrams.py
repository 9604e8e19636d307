"""Call graphs and class diagrams of one module (or a selection in it) as Mermaid text,
computed from the repo map's tags, deterministically: the same file gives the same text.

Why from tags and not from the model: a model asked for a diagram from raw code invents
edges; one given the edges the parser found only has to correct and explain them. The
tags know definitions (with their enclosing class), references with their line, and a
class's signature (its bases), so:

- call graph: an edge caller → callee for every call inside a function or method whose
  name is defined in the module; a method's call prefers a method of its own class, then
  a module-level function; a name several classes define gives a dashed edge to each.
  Calls at module level come from a `(module)` node. Names defined elsewhere are left out.
- class diagram: each class with its methods (parameters from the signature, `self`
  and `cls` dropped, `-` for `_private`), `Base <|-- Derived` from the signature's bases
  when the base is in the module, and `A ..> B : uses` when A's body references B.

A selection keeps what it contains plus one hop around it (who calls it, what it calls;
the classes it relates to).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from coda_ls.repomap.model import FileTags, Tag

DiagramKind = Literal["call", "class"]
DIAGRAM_KINDS: tuple[DiagramKind, ...] = ("call", "class")

_CALLABLE = ("function", "method")
_CLASSLIKE = ("class", "struct", "interface", "trait", "enum")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Diagram:
    """A diagram of one file: Mermaid source plus how much it shows."""

    kind: DiagramKind
    path: str
    mermaid: str
    nodes: int
    edges: int
    span: tuple[int, int] | None = None  # the selection, 1-based inclusive
    note: str | None = None  # why it is empty or partial

    @property
    def title(self) -> str:
        what = "Call graph" if self.kind == "call" else "Class diagram"
        where = f"{self.path}:{self.span[0]}-{self.span[1]}" if self.span else self.path
        return f"{what} of {where}, computed from the repo map's tags"

    def block(self) -> str:
        """The diagram as a fenced Markdown block (what front ends render)."""
        return f"```mermaid\n{self.mermaid}\n```"


def build_diagram(
    tags: FileTags, kind: DiagramKind, start: int | None = None, end: int | None = None
) -> Diagram:
    """The `kind` diagram of a file's tags, limited to lines start-end when given."""
    span = (start, end if end is not None else start) if start is not None else None
    if kind == "call":
        return _call_graph(tags, span)
    return _class_diagram(tags, span)


def file_diagram(
    path: Path,
    kind: DiagramKind,
    start: int | None = None,
    end: int | None = None,
    *,
    root: Path | None = None,
) -> Diagram:
    """The diagram of a file as it is on disk now, tagged by the repo map's extractor (not
    read from the map's cache, which may be older than what the user is looking at)."""
    return text_diagram(path, path.resolve().read_bytes(), kind, start, end, root=root)


def text_diagram(
    path: Path,
    source: str | bytes,
    kind: DiagramKind,
    start: int | None = None,
    end: int | None = None,
    *,
    root: Path | None = None,
) -> Diagram:
    """The diagram of `source`, the text of `path` (an editor's buffer, saved or not)."""
    from coda_ls.errors import ConfigError
    from coda_ls.repomap.languages import detect_language
    from coda_ls.repomap.tags import extract

    data = source.encode("utf-8") if isinstance(source, str) else source
    resolved = path.resolve()
    base = root.resolve() if root is not None else resolved.parent
    shown = resolved.relative_to(base).as_posix() if resolved.is_relative_to(base) else str(path)
    language = detect_language(resolved, data[:4096])
    if language is None:
        raise ConfigError(
            f"{shown}: no grammar for this kind of file, so no diagram can be computed",
            "coda doctor lists the languages the repo map parses",
        )
    return build_diagram(extract(shown, data, language), kind, start, end)


def request_parts(diagram: Diagram) -> tuple[tuple[str, str], str]:
    """What `explain --diagram` adds to the request: an attachment holding the computed
    diagram, and the instruction appended to the question."""
    body = diagram.mermaid  # the context fences every attachment itself
    if diagram.note:
        body += f"\n%% {diagram.note}"  # a Mermaid comment, so the block stays valid
    instruction = (
        f"Include a {'call graph' if diagram.kind == 'call' else 'class diagram'} as one "
        "```mermaid block in your answer. Start from the diagram computed from the "
        "parser's tags (attached): keep its edges unless the code shows they are wrong, "
        "add what static tags miss (calls through variables, other modules) only when the "
        "code shows it, keep it small, then explain the structure it shows."
    )
    return (f"{diagram.title} (Mermaid)", body), instruction


def has_diagram(text: str) -> bool:
    """Whether an answer already holds a Mermaid or Graphviz block."""
    return re.search(r"^\s*```\s*(mermaid|dot|graphviz)\b", text, re.MULTILINE) is not None


# -- call graph ----------------------------------------------------------------------------


def _call_graph(tags: FileTags, span: tuple[int, int] | None) -> Diagram:
    defs = [t for t in tags.definitions if t.kind in (*_CALLABLE, *_CLASSLIKE)]
    callables = [t for t in defs if t.kind in _CALLABLE]
    module = Tag("module", "(module)", "(module)", tags.path, 0, 0)
    edges: Counter[tuple[Tag, Tag, bool]] = Counter()
    for kind, name, line in tags.reference_lines:
        if kind != "call":
            continue
        caller = _innermost(callables, line) or module
        targets = _targets(defs, name, caller)
        for target in targets:
            if target is not caller:
                edges[(caller, target, len(targets) > 1)] += 1
    if span is not None:
        selected = [t for t in defs if _overlaps(t, span)]
        edges = Counter({e: n for e, n in edges.items() if e[0] in selected or e[1] in selected})
        # what the selection holds is shown even when it calls nothing
        nodes = set(selected) | {t for e in edges for t in e[:2]}
    else:
        nodes = {t for e in edges for t in e[:2]} | set(callables)
    ordered = sorted(nodes, key=lambda t: (t.line, t.qualname))
    ids = _ids(ordered)
    lines = ["flowchart LR"]
    for tag in ordered:
        label = tag.qualname if tag is module else f"{tag.qualname}()"
        lines.append(f'    {ids[tag]}["{_label(label)}"]')
    for (caller, callee, ambiguous), count in sorted(
        edges.items(), key=lambda item: (item[0][0].line, item[0][1].line, item[0][1].qualname)
    ):
        arrow = "-.->" if ambiguous else "-->"
        label = f"|{count}|" if count > 1 else ""
        lines.append(f"    {ids[caller]} {arrow}{label} {ids[callee]}")
    note = None if ordered else f"no functions or methods found in {tags.path}"
    if tags.note and note is None:
        note = tags.note
    return Diagram("call", tags.path, "\n".join(lines), len(ordered), len(edges), span, note)


def _targets(defs: list[Tag], name: str, caller: Tag) -> list[Tag]:
    found = [t for t in defs if t.name == name]
    if len(found) <= 1:
        return found
    own = [t for t in found if caller.parent is not None and t.parent == caller.parent]
    if own:
        return own[:1]
    top = [t for t in found if t.parent is None]
    return top[:1] if top else found


def _innermost(defs: list[Tag], line: int) -> Tag | None:
    containing = [t for t in defs if t.line <= line <= t.end_line]
    return min(containing, key=lambda t: t.end_line - t.line) if containing else None


# -- class diagram -------------------------------------------------------------------------


def _class_diagram(tags: FileTags, span: tuple[int, int] | None) -> Diagram:
    classes = [t for t in tags.definitions if t.kind in _CLASSLIKE]
    by_name = {t.name: t for t in classes}
    relations: set[tuple[Tag, Tag, str]] = set()
    for cls in classes:
        for base in _bases(cls):
            if base in by_name and by_name[base] is not cls:
                relations.add((by_name[base], cls, "inherits"))
    inherited = {(a, b) for a, b, _ in relations}
    for _, name, line in tags.reference_lines:
        target = by_name.get(name)
        user = _innermost(classes, line)
        if target is None or user is None or user is target:
            continue
        if (target, user) not in inherited:
            relations.add((user, target, "uses"))
    shown = classes
    if span is not None:
        selected = {t for t in classes if _overlaps(t, span)}
        relations = {r for r in relations if r[0] in selected or r[1] in selected}
        shown = [t for t in classes if t in selected or any(t in r[:2] for r in relations)]
    ids = _ids(shown, prefix="")  # class names are their own ids: the diagram reads as code
    lines = ["classDiagram"]
    for cls in shown:
        methods = [t for t in tags.definitions if t.parent == cls.qualname and t.kind in _CALLABLE]
        lines.append(f"    class {ids[cls]} {{")
        for method in methods:
            private = method.name.startswith("_") and not method.name.endswith("__")
            params = ", ".join(_params(method.signature))
            lines.append(f"        {'-' if private else '+'}{method.name}({params})")
        lines.append("    }")
    for a, b, kind in sorted(relations, key=lambda r: (r[0].line, r[1].line, r[2])):
        if kind == "inherits":
            lines.append(f"    {ids[a]} <|-- {ids[b]}")
        else:
            lines.append(f"    {ids[a]} ..> {ids[b]} : uses")
    note = None if shown else f"no classes found in {tags.path}"
    return Diagram("class", tags.path, "\n".join(lines), len(shown), len(relations), span, note)


def _bases(cls: Tag) -> list[str]:
    """Base names from a class signature: `class B(A, m.C)` -> ["A", "C"]."""
    match = re.search(r"\((.*)\)", cls.signature)
    if match is None:
        extends = re.search(r"\b(?:extends|implements|:)\s+([\w.,\s]+)", cls.signature)
        raw = extends.group(1) if extends else ""
    else:
        raw = match.group(1)
    names = []
    for part in raw.split(","):
        part = part.strip().split("=")[0].split("[")[0].strip()
        if part and "metaclass" not in part:
            names.append(part.split(".")[-1])
    return names


def _params(signature: str) -> list[str]:
    match = re.search(r"\((.*)\)", signature, re.DOTALL)
    if match is None:
        return []
    names = []
    for part in match.group(1).split(","):
        name = part.strip().split(":")[0].split("=")[0].strip().lstrip("*&")
        if name and name not in ("self", "cls", "/"):
            names.append(name)
    return names


# -- shared --------------------------------------------------------------------------------


def _overlaps(tag: Tag, span: tuple[int, int]) -> bool:
    return tag.line <= span[1] and tag.end_line >= span[0]


def _ids(tags: list[Tag], prefix: str = "n_") -> dict[Tag, str]:
    """Mermaid node ids: the qualified name made safe, numbered when two collide."""
    ids: dict[Tag, str] = {}
    used: set[str] = set()
    for tag in tags:
        base = prefix + (_ID_UNSAFE.sub("_", tag.qualname).strip("_") or "module")
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        ids[tag] = candidate
    return ids


def _label(text: str) -> str:
    return text.replace('"', "#quot;")
