"""What changed in a file's definitions between two versions of its text.

Both versions are tagged with the repo map's tree-sitter queries; a definition is matched
by its qualified name, and compared by signature (the declaration without its body) and
by body (its source lines with whitespace collapsed, so re-indenting is not a change).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from coda_ls.repomap.languages import detect_language
from coda_ls.repomap.model import Tag
from coda_ls.repomap.tags import extract

# Definitions worth a documentation check; constants and modules change without making
# a mention wrong.
_KINDS = frozenset({"function", "method", "class", "struct", "interface", "enum", "trait", "type"})
# Whose own body (members left out) changing is not news: a class's attributes and
# docstring move all the time, and its methods are reported on their own. A struct's or
# enum's own body is its data shape, which documentation does show.
_BODY_QUIET = frozenset({"class", "interface", "trait"})
_CALLABLE = frozenset({"function", "method"})


@dataclass(frozen=True)
class SymbolChange:
    """One definition that differs between two versions of a file.

    `kind` is "signature" (parameters, their order or defaults changed), "annotations"
    (only type annotations or generic parameters), "body" (only the code inside) or
    "removed" (no definition of that name any more). Signatures are the repo map's, cut
    at about 150 characters: a change past the cut shows as "body"."""

    path: str
    name: str
    qualname: str
    kind: str
    old_signature: str
    new_signature: str | None
    line: int | None  # in the new version; None when removed

    def describe(self) -> str:
        if self.kind == "removed":
            return f"removed: {self.old_signature}"
        if self.kind in ("signature", "annotations"):
            return f"{self.old_signature} → {self.new_signature}"
        return f"body changed: {self.new_signature}"


@dataclass(frozen=True)
class _Definition:
    tag: Tag
    body: str


def _definitions(path: str, text: str) -> dict[str, _Definition]:
    language = detect_language(path, text[:512].encode())
    if language is None:
        return {}
    source = text.encode()
    lines = text.splitlines()
    tags = extract(path, source, language, lines=False).definitions
    # A class's own body leaves out its members' lines: a changed method is reported
    # once, as the method, not also as a change of its class.
    members: dict[str, set[int]] = {}
    for tag in tags:
        if tag.parent is not None:
            members.setdefault(tag.parent, set()).update(range(tag.line, tag.end_line + 1))
    kinds = {tag.qualname: tag.kind for tag in tags}
    found: dict[str, _Definition] = {}
    for tag in tags:
        if tag.kind not in _KINDS or tag.qualname in found:
            continue  # an overload or redefinition: the first one speaks for the name
        if tag.parent is not None and kinds.get(tag.parent) in _CALLABLE:
            continue  # a local function: no documentation can name it
        skip = members.get(tag.qualname, set())
        own = (lines[n - 1] for n in range(tag.line, tag.end_line + 1) if n not in skip)
        body = " ".join(" ".join(own).split())
        found[tag.qualname] = _Definition(tag, hashlib.sha1(body.encode()).hexdigest())
    return found


def compare(path: str, old: str | None, new: str | None) -> list[SymbolChange]:
    """The definitions of `path` that changed from `old` to `new` (None: no such file).
    New definitions are not changes: nothing can document them yet."""
    before = _definitions(path, old) if old is not None else {}
    after = _definitions(path, new) if new is not None else {}
    changes: list[SymbolChange] = []
    for qualname, was in before.items():
        now = after.get(qualname)
        tag = was.tag
        if now is None:
            changes.append(
                SymbolChange(path, tag.name, qualname, "removed", tag.signature, None, None)
            )
        elif now.tag.signature != tag.signature:
            same_shape = shape(now.tag.signature) == shape(tag.signature)
            changes.append(
                SymbolChange(
                    path, tag.name, qualname, "annotations" if same_shape else "signature",
                    tag.signature, now.tag.signature,
                    now.tag.line,
                )
            )  # fmt: skip
        elif now.body != was.body and tag.kind not in _BODY_QUIET:
            changes.append(
                SymbolChange(
                    path, tag.name, qualname, "body", tag.signature, now.tag.signature,
                    now.tag.line,
                )
            )  # fmt: skip
    return changes


_GENERICS = re.compile(r"\[[^\[\]]*\]")


def shape(signature: str) -> tuple[str, tuple[tuple[str, bool], ...]]:
    """What a caller depends on: the declaration up to `(`, then each parameter's name
    and whether it has a default; annotations, generics and the return type left out."""
    text = signature
    while _GENERICS.search(text):
        text = _GENERICS.sub("", text)
    head, paren, rest = text.partition("(")
    if not paren:
        return head.strip(), ()
    depth, params, current = 0, [], ""
    for char in rest:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        if char == "," and depth == 0:
            params.append(current)
            current = ""
        else:
            current += char
    params.append(current)
    out = []
    for param in (p.strip() for p in params):
        if param:
            name = re.split(r"[:=]", param, maxsplit=1)[0].strip()
            out.append((name, "=" in param))
    return head.strip(), tuple(out)
