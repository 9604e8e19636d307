"""Tags of one file: parse with tree-sitter, run `queries/<lang>-tags.scm`, attach docs.

Capture names the queries use (one pattern per definition or reference):
  @definition.<kind> / @reference.<kind>  the whole node; @name its name node
  @receiver       the type a Go-style method belongs to (sets the parent)
  @scope + @name  a node that qualifies what is inside it but is no tag (Rust `impl X`)
  @doc            a doc comment documenting the definition that follows it
  @doc.inner      a doc inside what it documents (Python docstrings, Rust `//!`)
"""

from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import starmap
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from coda_ls.repomap.imports import imports_of
from coda_ls.repomap.languages import load_language, query_stem
from coda_ls.repomap.model import FileTags, Tag

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Query, QueryCursor

log = logging.getLogger(__name__)

# Kinds that make a nested function a method.
_CONTAINERS = {"class", "struct", "interface", "trait", "enum", "scope", "object"}
# Node types that may sit between a doc comment and what it documents
# (`unary_operator`: Elixir's `@spec`/`@impl` between `@doc` and `def`; `_builtin`: Dart's
# `const`/`final` before a top-level constant.)
_BETWEEN = re.compile(
    r"comment|attribute|annotation|decorator|modifiers?$|^unary_operator$|_builtin$"
)
_SIGNATURE_MAX = 160
_DOC_MAX = 160


def queries_dir() -> Path:
    """`queries/` in a source checkout, or `coda_ls/queries` inside an installed wheel."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "queries", package.parent / "queries"):
        if candidate.is_dir():
            return candidate
    return package.parent / "queries"


@cache
def load_query(language: str) -> Query | None:
    """The compiled tags query of `language`, or None (logged) when it is missing or bad."""
    return _compile(language)


def _compile(language: str, quiet: bool = False) -> Query | None:
    from tree_sitter import Query

    grammar = load_language(language)
    if grammar is None:
        return None
    path = queries_dir() / f"{query_stem(language)}-tags.scm"
    try:
        return Query(grammar, path.read_text(encoding="utf-8"))
    except OSError as exc:
        if not quiet:
            log.warning("repo map: no query for %s (%s)", language, exc)
    except (SyntaxError, NameError, ValueError) as exc:  # tree_sitter.QueryError subclasses
        if not quiet:
            log.warning("repo map: bad query %s: %s", path, exc)
    return None


_CAPTURE = re.compile(rb"@([\w.]+)")


def reference_patterns(language: str) -> tuple[str | None, ...]:
    """Per pattern of the tags query: the kind of a plain reference pattern (its only
    captures `@name` and one `@reference.<kind>`), else None. The build reads those
    matches without walking their captures (issue 16: the loop over captures was a tenth
    of a cold build, most of it references)."""
    if load_language(language) is None:  # (cached) as load_query would say
        return ()
    return _build_queries(language)[0]


def lean_query(language: str) -> Query | None:
    """The tags query without its `@reference.<kind>` captures, for a build (which counts
    names only), when every reference pattern is plain (`reference_patterns`): one Node
    and one list fewer per reference. None when some reference pattern is not plain."""
    if load_language(language) is None:
        return None
    return _build_queries(language)[1]


@cache
def _build_queries(language: str) -> tuple[tuple[str | None, ...], Query | None]:
    """`reference_patterns` and `lean_query` from one compiled query: a build compiles
    its languages' queries once, not once more for the general path (issue 16: ~10 ms
    per language)."""
    query = _compile(language, quiet=True)  # load_query says what is wrong
    if query is None:
        return (), None
    text = (queries_dir() / f"{query_stem(language)}-tags.scm").read_bytes()
    kinds: list[str | None] = []
    lean = True
    for i in range(query.pattern_count):
        pattern = text[query.start_byte_for_pattern(i) : query.end_byte_for_pattern(i)]
        names = set(_CAPTURE.findall(pattern)) - {b"name"}
        tag = names.pop().decode() if len(names) == 1 else ""
        role, _, kind = tag.partition(".")
        # An optional tag capture (`@reference.call)?`) may be absent: the general loop.
        optional = re.search(rb"@" + re.escape(tag.encode()) + rb"\s*[?*]", pattern)
        kinds.append(kind or "call" if role == "reference" and not optional else None)
        if b"@reference." in pattern and kinds[-1] is None:
            lean = False
    if not lean:
        return tuple(kinds), None
    for name in [query.capture_name(i) for i in range(query.capture_count)]:
        if name.startswith("reference."):
            query.disable_capture(name)
    return tuple(kinds), query


_local = threading.local()


def _parser(language: str) -> Parser | None:
    """One parser per thread and language: Parser objects are not thread-safe."""
    parsers: dict[str, Parser] = _local.__dict__.setdefault("parsers", {})
    parser = parsers.get(language)
    if parser is None:
        from tree_sitter import Parser

        grammar = load_language(language)
        if grammar is None:
            return None
        parser = parsers[language] = Parser(grammar)
    return parser


@dataclass(slots=True)
class _Def:
    kind: str
    node: Node
    name: str
    receiver: str | None
    # The node's byte span, read once: sorting, nesting and docs ask for it many times,
    # and each Node attribute is a call into tree-sitter (issue 16).
    start: int
    end: int
    scope_only: bool = False
    doc: str = ""
    parent: _Def | None = None
    _qualname: str | None = None  # asked for by the tag and by each child's tag

    @property
    def qualname(self) -> str:
        if self._qualname is None:
            if self.receiver:
                self._qualname = f"{self.receiver}.{self.name}"
            elif self.parent is not None:
                self._qualname = f"{self.parent.qualname}.{self.name}"
            else:
                self._qualname = self.name
        return self._qualname


# What each capture name asks for, parsed once per name (not per capture): (what, role,
# kind) with `what` one of _DOC/_INNER_DOC/_OTHER (`@name`, `@receiver`) or _TAG (a
# definition, reference or scope: role and kind from `@role.kind`).
_DOC, _INNER_DOC, _OTHER, _TAG = 0, 1, 2, 3
_ROLES = ("definition", "reference", "scope")
_capture_roles: dict[str, tuple[int, str, str]] = {}


def _capture_role(capture: str) -> tuple[int, str, str]:
    found = _capture_roles.get(capture)
    if found is None:
        if capture.startswith("doc"):
            found = (_INNER_DOC if capture == "doc.inner" else _DOC, "", "")
        else:
            role, _, kind = capture.partition(".")
            found = (_TAG, role, kind) if role in _ROLES else (_OTHER, "", "")
        _capture_roles[capture] = found
    return found


TagRow = tuple[str, str, str, str, int, int, str, str, str, str | None]
"""A definition as Tag's fields in order: what the cache stores, `Tag(*row)` to read."""


class Extracted(NamedTuple):
    """What one file yielded, definitions as rows (a build encodes them as they are)."""

    language: str | None
    rows: list[TagRow]
    references: dict[str, int]
    positions: tuple[tuple[str, str, int], ...] = ()  # (kind, name, line); lines=True
    note: str | None = None
    imports: dict[str, str] = {}  # noqa: RUF012 - never mutated: a NamedTuple default


def extract(path: str, source: bytes, language: str | None, lines: bool = True) -> FileTags:
    """The tags of one file's bytes. Never raises for bad input: what parses is kept.

    `lines=False` leaves out where each reference is (a build caches only the counts)."""
    got = extract_rows(path, source, language, lines)
    definitions = tuple(starmap(Tag, got.rows))
    return FileTags(
        path, got.language, definitions, got.references, got.positions, got.note, got.imports
    )


def extract_rows(path: str, source: bytes, language: str | None, lines: bool = False) -> Extracted:
    """`extract` without making Tag objects: a build only encodes the fields for the cache
    (issue 16: tag building in Python was a third of a cold build)."""
    if language is None:
        return Extracted(None, [], {}, note="no language")
    parser = _parser(language)
    plain = reference_patterns(language)
    lean = lean_query(language) if plain and not lines else None
    query = lean if lean is not None else load_query(language)
    if parser is None or query is None:
        return Extracted(None, [], {}, note=f"no grammar or query for {language}")
    tree = parser.parse(source)
    matches = _query_cursor()(query).matches(tree.root_node)
    defs: dict[tuple[int, int], tuple[int, _Def]] = {}
    docs: list[tuple[Node, bool]] = []
    refs: list[tuple[str, str, int]] = []
    # The build's references: each name's bytes (most captures), decoded once per
    # distinct name at the end.
    raw_refs: list[bytes] = []
    known = _capture_roles.get
    if len(plain) < query.pattern_count:
        plain = (None,) * query.pattern_count
    for pattern, captures in matches:
        ref_kind = plain[pattern]
        if ref_kind is not None:
            # What the loop below does for a reference, without walking the captures.
            # (The lean query leaves out the reference capture: present, not reported.)
            name_nodes = captures.get("name")
            if not name_nodes or (lean is None and len(captures) < 2):
                continue
            first = name_nodes[0]
            if not lines:
                raw_refs.append(source[first.start_byte : first.end_byte])
                continue
            ref = source[first.start_byte : first.end_byte].decode("utf-8", "replace").strip()
            if ref:
                refs.append((ref_kind, ref, first.start_point[0] + 1))
            continue
        name_nodes = captures.get("name")
        name: str | None = None
        for capture, nodes in captures.items():
            what, role, kind = known(capture) or _capture_role(capture)
            if what != _TAG:
                if what != _OTHER:
                    inner = what == _INNER_DOC
                    docs.extend((node, inner) for node in nodes)
                continue
            if not name_nodes or not nodes:
                continue
            if name is None:
                # Slices of the bytes: node.text copies them through the tree (issue 16).
                first = name_nodes[0]
                name = source[first.start_byte : first.end_byte].decode("utf-8", "replace")
                name = name.strip()
            if not name:
                continue
            if role == "reference":
                if lines:
                    refs.append((kind or "call", name, name_nodes[0].start_point[0] + 1))
                else:
                    first = name_nodes[0]
                    raw_refs.append(source[first.start_byte : first.end_byte])
                continue
            node = nodes[0]
            receiver = captures.get("receiver")
            key = (node.start_byte, node.end_byte)
            # The same node matched twice: the pattern written first in the query wins.
            if key not in defs or pattern < defs[key][0]:
                item = _Def(
                    kind or "scope",
                    node,
                    name,
                    _text(receiver[0]) if receiver else None,
                    key[0],
                    key[1],
                    role == "scope",
                )
                defs[key] = (pattern, item)
    ordered = sorted((d for _, d in defs.values()), key=_span_order)
    _nest(ordered)
    module = _attach_docs(ordered, docs, path, language, source)
    defined = [d for d in ordered if not d.scope_only]
    if module is not None:
        defined.insert(0, module)
    comments = COMMENT_STARTS.get(language)
    rows = [_row(d, path, source, comments) for d in defined]
    counts = Counter(name for _, name, _ in refs) if lines else _decoded_counts(raw_refs)
    note = "syntax errors; kept what parsed" if tree.root_node.has_error else None
    imports = imports_of(path, source, language)
    positions = tuple(refs) if lines else ()
    return Extracted(language, rows, dict(counts), positions, note, imports)


@cache
def _query_cursor() -> type[QueryCursor]:
    """tree_sitter.QueryCursor, imported once (an import statement per file cost more
    than this lookup)."""
    from tree_sitter import QueryCursor

    return QueryCursor


def _span_order(item: _Def) -> tuple[int, int]:
    """Outer before inner: by start, then the longer first."""
    return (item.start, -item.end)


def _decoded_counts(raw_refs: list[bytes]) -> dict[str, int]:
    """Name -> count, in order of first occurrence, as counting the decoded and stripped
    names would give (bytes that decode to the same name add up)."""
    counts: dict[str, int] = {}
    for raw, count in Counter(raw_refs).items():
        name = raw.decode("utf-8", "replace").strip()
        if name:
            counts[name] = counts.get(name, 0) + count
    return counts


def _text(node: Node) -> str:
    raw = node.text or b""
    return raw.decode("utf-8", "replace").strip()


def _slice(source: bytes, node: Node) -> str:
    """`_text(node)` from the file's bytes: node.text copies them through the tree."""
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace").strip()


def _nest(ordered: list[_Def]) -> None:
    """Set each definition's parent (innermost enclosing) and make nested functions methods."""
    stack: list[_Def] = []
    for item in ordered:
        while stack and stack[-1].end <= item.start:
            stack.pop()
        if stack:
            item.parent = stack[-1]
        if item.kind == "function" and item.parent is not None and item.parent.kind in _CONTAINERS:
            item.kind = "method"
        stack.append(item)


def _attach_docs(
    ordered: list[_Def], docs: list[tuple[Node, bool]], path: str, language: str, source: bytes
) -> _Def | None:
    """Give each definition its doc; return a module definition for a file-level doc."""
    if not docs:
        return None
    module: _Def | None = None
    seen: set[int] = set()
    outer: dict[int, list[Node]] = {}  # id of the documented def -> its doc nodes
    targets: dict[int, _Def] = {}
    outer_docs: list[Node] = []
    finder = _DocTargets(ordered)
    # A node captured both as an inner and an outer doc is the inner one (a file's doc).
    for node, inner in sorted(docs, key=lambda d: (d[0].start_byte, not d[1])):
        if node.start_byte in seen:
            continue
        seen.add(node.start_byte)
        if not inner:
            outer_docs.append(node)
            continue
        owner = finder.enclosing(node)
        if owner is None:
            if module is None:
                name = _module_name(path, language)
                module = _Def("module", node, name, None, node.start_byte, node.end_byte)
            owner = module
        if not owner.doc:
            owner.doc = summarize(_slice(source, node))
    # Last first: a run of comment lines then takes linear time, each line's walk stopping
    # at the next line's answer (Emacs's ps-print.el: 1,800 comment lines, 98 s before).
    for node in reversed(outer_docs):
        target = finder.documented(node)
        if target is not None:
            outer.setdefault(id(target), []).append(node)
            targets[id(target)] = target
    for nodes in outer.values():
        nodes.reverse()
    for key, nodes in outer.items():
        target = targets[key]
        # Only the comments that touch the definition: a blank line ends a doc block.
        block: list[Node] = []
        for node in reversed(nodes):
            nearest = block[0] if block else target.node
            if nearest.start_point[0] - _last_row(node) > 1 and block:
                break
            block.insert(0, node)
        if not target.doc:
            target.doc = summarize("\n".join(_slice(source, n) for n in block))
    return module


FAST_ENCLOSING = True  # False: always walk the ancestors (the tests compare both)


def _enclosing(spans: dict[tuple[int, int], _Def], node: Node) -> _Def | None:
    """The innermost definition around `node`, found by walking up its ancestors."""
    parent = node.parent
    while parent is not None:
        found = spans.get((parent.start_byte, parent.end_byte))
        if found is not None:
            return found
        parent = parent.parent
    return None


def _last_row(node: Node) -> int:
    """The last row `node` has text on (some grammars end a comment with its newline)."""
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point[0] else row


class _DocTargets:
    """Finds the definition an outer doc comment documents, remembering the answers."""

    def __init__(self, ordered: list[_Def]) -> None:
        self.ordered = ordered
        self.starts = [d.start for d in ordered]  # sorted: `ordered` is
        self.memo: dict[int, _Def | None] = {}  # doc start byte -> its definition
        self._spans: dict[tuple[int, int], _Def] | None = None

    def spans(self) -> dict[tuple[int, int], _Def]:
        """Span -> definition, made the first time the walk needs it."""
        if self._spans is None:
            self._spans = {(d.start, d.end): d for d in self.ordered}
        return self._spans

    def enclosing(self, node: Node) -> _Def | None:
        """`_enclosing(spans, node)` from the definitions' spans, without asking
        tree-sitter for the ancestors (each `parent` descends from the root again).

        Tree nodes nest: a definition whose span holds `node`'s and is not the same
        span is one of its ancestors, so the innermost such definition is the first
        ancestor the walk would find; it is the last to start at or before `node`, or
        one of that one's enclosing definitions (`_nest`). A definition with exactly
        `node`'s span, or an empty `node`, is left to the walk."""
        start, end = node.start_byte, node.end_byte
        if not FAST_ENCLOSING or start >= end:
            return _enclosing(self.spans(), node)
        i = bisect_right(self.starts, start) - 1
        item = self.ordered[i] if i >= 0 else None
        while item is not None and item.end < end:
            item = item.parent
        if item is not None and item.start == start and item.end == end:
            return _enclosing(self.spans(), node)
        return item

    def documented(self, doc: Node) -> _Def | None:
        """The next sibling's definition, past comments/attributes; remembered."""
        target = self._walk(doc)
        self.memo[doc.start_byte] = target
        return target

    def _walk(self, doc: Node) -> _Def | None:
        prev = doc
        node = doc.next_named_sibling
        if node is None and doc.next_sibling is None and doc.parent is not None:
            # Haskell hangs a comment at the end of the node before (`imports`), not
            # beside what follows it.
            node = doc.parent.next_named_sibling
        # Skip attributes and the like, unless one is a definition (Elm's type_annotation).
        while node is not None and _BETWEEN.search(node.type) and self.first(node) is None:
            if node.start_point[0] - _last_row(prev) > 1:
                return None
            if node.start_byte in self.memo:  # a doc further down the same run
                return self.memo[node.start_byte]
            prev, node = node, node.next_named_sibling
        if node is None or node.start_point[0] - _last_row(prev) > 1:
            # A comment inside a class body may precede its first member in a wrapper node.
            return None
        return self.first(node)

    def first(self, node: Node) -> _Def | None:
        """The first definition that starts inside `node`."""
        i = bisect_left(self.starts, node.start_byte)
        return self.ordered[i] if i < len(self.starts) and self.starts[i] < node.end_byte else None


def _module_name(path: str, language: str) -> str:
    p = PurePosixPath(path)
    if language == "python":
        parts = list(p.with_suffix("").parts)
        if parts and parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts) or p.stem
    if p.stem in ("mod", "lib", "main", "index", "__init__") and p.parent.name:
        return p.parent.name
    return p.stem


def _row(item: _Def, path: str, source: bytes, comments: bytes | None) -> TagRow:
    node = item.node
    parent = item.receiver or (item.parent.qualname if item.parent is not None else None)
    signature = "" if item.kind == "module" and item.node.type.endswith(("string", "comment")) \
        else _signature(node, item.start, item.end, source, comments)  # fmt: skip
    return (
        item.kind,
        item.name,
        item.qualname,
        path,
        node.start_point[0] + 1,
        node.end_point[0] + 1,
        "definition",
        signature,
        item.doc,
        parent,
    )


_BODY = re.compile(
    r"body$|^block$|declaration_list$|^enumerator_list$|^do_block$"
)  # do_block: Elixir


# The bytes a comment can start with, per language. Where a signature's bytes hold none
# of them, no comment can start there, and signature_of does not ask for the node's
# children (tree-sitter makes a Node per child: a quarter of signature_of; issue 16).
# Languages not listed take the general loop.
COMMENT_STARTS: dict[str, bytes] = {
    "python": b"#", "go": b"/", "rust": b"/", "java": b"/", "c": b"/", "cpp": b"/",
    "c_sharp": b"/", "javascript": b"/<", "typescript": b"/<", "tsx": b"/<",
}  # fmt: skip


def signature_of(node: Node, source: bytes, comments: bytes | None = None) -> str:
    """The declaration without its body, on one line: `def area(self) -> float`.

    Cut at the body, then at the first line end where the brackets balance, so a
    signature split over lines is kept whole but a comment after it is not.
    `comments`: the bytes a comment of the file's language starts with (COMMENT_STARTS),
    None when unknown.
    """
    return _signature(node, node.start_byte, node.end_byte, source, comments)


def _signature(node: Node, start: int, stop: int, source: bytes, comments: bytes | None) -> str:
    """`signature_of` given the node's span (a definition has read it already)."""
    end = min(stop, start + 600)
    body = node.child_by_field_name("body")
    if body is None:
        body = next((c for c in node.named_children if _BODY.search(c.type)), None)
    if body is not None:
        at = body.start_byte
        if start < at < end:
            end = at
    clean = comments is not None
    if comments is not None:
        for mark in comments:
            if source.find(mark, start + 1, end) >= 0:
                clean = False
                break
    if not clean:
        for child in node.children:  # a comment between the signature and the body
            at = child.start_byte
            if at >= end:
                break
            if at > start and "comment" in child.type:
                end = at
                break
    # Trailing whitespace (the newline and indent before the body) stripped as bytes: most
    # signatures are then one line and skip the bracket counting below (issue 16).
    raw = source[start:end].rstrip().decode("utf-8", "replace")
    if raw.startswith("("):
        # A Lisp form is balanced only at its end: its first line is the signature,
        # `(defun compute (shape)`.
        raw = raw.split("\n", 1)[0]
    lines = raw.splitlines()
    if len(lines) > 1:  # most signatures are one line: no bracket counting
        depth = 0
        for i, line in enumerate(lines):
            depth += line.count("(") + line.count("[") - line.count(")") - line.count("]")
            if depth <= 0:
                del lines[i + 1 :]
                break
        raw = " ".join(lines)
    # split() breaks at every line boundary splitlines() knows: one line needs no join.
    text = " ".join(raw.split()).rstrip("{:=; ").rstrip()
    # Joined from lines: `f( self, a, )` reads as `f(self, a)`.
    if "( " in text or "[ " in text:
        text = _OPEN_SPACE.sub(r"\1", text)
    if " )" in text or " ]" in text:
        text = _TRAILING_COMMA.sub(r"\1", text)
    return text if len(text) <= _SIGNATURE_MAX else shorten(text, _SIGNATURE_MAX)


_OPEN_SPACE = re.compile(r"([(\[]) ")
_TRAILING_COMMA = re.compile(r",? ([)\]])")


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a parameter boundary, never mid-token:
    the parameters that fit, then `…`, then the closing bracket and what follows it
    (a return type), itself cut at a word if need be."""
    if len(text) <= limit:
        return text
    # The longest bracketed group is the parameter list (not Go's receiver `(c *T)`).
    start, end = -1, -1
    i = text.find("(")
    while i >= 0:
        close = _closing(text, i)
        if close < 0:
            break
        if close - i > end - start:
            start, end = i, close
        i = text.find("(", close)
    if start < 0 or end < 0:
        return _cut_at_word(text, limit)
    head, params, tail = text[: start + 1], text[start + 1 : end], text[end:]
    tail = _cut_at_word(tail, max(limit // 3, 1)) if len(tail) > limit // 3 else tail
    room = limit - len(head) - len(tail) - len(", …")
    kept: list[str] = []
    used = 0
    for param in _split_params(params):
        if used + len(param) + 2 > room:
            break
        kept.append(param)
        used += len(param) + 2
    if not kept and len(head) > limit - len(tail):
        return _cut_at_word(text, limit)
    return head + ", ".join([*kept, "…"]) + tail


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _split_params(params: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    depth = 0
    for char in params:
        if char in "([{<":
            depth += 1
        elif char in ")]}>":
            depth -= 1
        if char == "," and depth == 0:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        out.append("".join(current).strip())
    return out


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return (text[:cut] if cut > 0 else text[: limit - 1]).rstrip(",") + "…"


# Comment markers at a line's start: C-family `/** * ///` (`//!`), `#`, Lua `--[[`,
# Haskell `-- |`, Lisp `;;`, MATLAB `%`, properties `!`, R `#'`, OCaml `(**`, Elm `{-|`,
# D `/++`, Gleam `////`.
_MARKERS = re.compile(
    r"^\s*(?:/\*\*?!?|\*/|\*(?!\*)|/{2,4}!?|#+'?|--+\s?[|^]|--+\[*=*\[*|\]=*\]|'''"
    r"|;+|%+[{}]?|!+|\(\*\*?|\{-\|?|/\+\+?)\s?"
)
# The characters _MARKERS can start with, past the line's leading whitespace.
_MARKER_FIRST = frozenset("/*#-]';%!({")
_CLOSERS = ("*/", "*)", "-}", "+/")
# Elixir's `@doc "..."` / `@moduledoc ~S"""..."""` around a docstring's quotes.
_QUOTES = re.compile(r"^(?:@\w*doc\s+)?(?:~[sS])?[rRbBuUfF]*(\"\"\"|'''|\"|')|(\"\"\"|'''|\"|')$")
# The two halves of _QUOTES: substituting with it tries every position of a long
# docstring; these look at its start and its last three characters only.
_QUOTES_OPEN = re.compile(r"(?:@\w*doc\s+)?(?:~[sS])?[rRbBuUfF]*(\"\"\"|'''|\"|')")
_QUOTES_CLOSE = re.compile(r"(\"\"\"|'''|\"|')$")
# A leading tag that only labels the summary (Solidity NatSpec, Doxygen).
_LEAD_TAG = re.compile(r"^[@\\](?:brief|notice|title|dev|summary)\s+")
# Emacs Lisp's file header: `;;; name.el --- Summary  -*- lexical-binding: t -*-`.
_ELISP_HEADER = re.compile(r"^\S+\.el\s+---\s+|\s*-\*-.*?-\*-")
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
_SENTENCE = re.compile(r"(?<=[.!?])\s")


def _unquote(text: str) -> str:
    """`_QUOTES.sub("", text)` for a stripped `text`: an opening quote (with its prefix)
    and a closing quote after it removed."""
    opening = _QUOTES_OPEN.match(text)
    cut = opening.end() if opening else 0
    closing = _QUOTES_CLOSE.search(text, max(cut, len(text) - 3))
    return text[cut : closing.start() if closing else len(text)]


def summarize(raw: str) -> str:
    """The first sentence of a doc comment or docstring, markers and markup removed."""
    text = _unquote(raw.strip())
    lines: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#!"):  # a shebang above a shell function is no doc
            continue
        if line.endswith(_CLOSERS):
            line = line[:-2]
        # Each substitution only where its pattern can match (the line is stripped: a
        # marker must be its first character): three regex calls per line were most of
        # summarize (issue 16).
        if line and line[0] in _MARKER_FIRST:
            line = _MARKERS.sub("", line)
        line = line.strip()  # also what a closer's removal left
        if "-*-" in line or ".el" in line:
            line = _ELISP_HEADER.sub("", line)
        if line.startswith(("@", "\\")):
            line = _LEAD_TAG.sub("", line)
        if line.startswith("@") and lines:  # Javadoc/JSDoc tags end the summary
            break
        if not line:
            if lines:
                break
            continue
        lines.append(line)
    summary = _TAGS.sub("", " ".join(lines)).strip()
    summary = _SENTENCE.split(summary, maxsplit=1)[0]
    return summary if len(summary) <= _DOC_MAX else summary[: _DOC_MAX - 1] + "…"
