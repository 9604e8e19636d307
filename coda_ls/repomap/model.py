"""The repo map's value types: a Tag (one symbol), a file's tags, and a rendered map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFINITION_KINDS = (
    "function", "method", "class", "struct", "interface", "enum", "trait", "type",
    "module", "constant",
)  # fmt: skip
REFERENCE_KINDS = ("call", "type")


@dataclass(frozen=True, slots=True)
class Tag:
    """One symbol found in a file.

    `kind` is the query capture without its role, e.g. "function", "class", "call";
    `role` is "definition" or "reference". Lines are 1-based and inclusive.
    """

    kind: str
    name: str
    qualname: str
    path: str
    line: int
    end_line: int
    role: str = "definition"
    signature: str = ""
    doc: str = ""
    parent: str | None = None

    @property
    def is_definition(self) -> bool:
        return self.role == "definition"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "role": self.role,
            "name": self.name,
            "qualname": self.qualname,
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "signature": self.signature,
            "doc": self.doc,
            "parent": self.parent,
        }


@dataclass(frozen=True, slots=True)
class FileTags:
    """What one file yielded: its definitions and the names it references (name -> count).

    `language` is None for a file mapped without a grammar (listed, not parsed);
    `note` says why a file has no tags (no grammar, parse failure).
    """

    path: str
    language: str | None
    definitions: tuple[Tag, ...] = ()
    references: Mapping[str, int] = field(default_factory=dict)
    reference_lines: tuple[tuple[str, str, int], ...] = ()  # (kind, name, line)
    note: str | None = None
    # Imported name -> module path it comes from ("" for an outside package).
    imports: Mapping[str, str] = field(default_factory=dict)

    def reference_tags(self) -> list[Tag]:
        return [
            Tag(kind, name, name, self.path, line, line, role="reference")
            for kind, name, line in self.reference_lines
        ]


@dataclass(frozen=True, slots=True)
class RenderedMap:
    """A map fitted to a token budget: the text, its token count and the tags shown."""

    text: str
    tokens: int
    tags: tuple[Tag, ...]
    files: tuple[str, ...]
    budget: int
    exact_tokens: bool = True  # False when counted by the fallback estimate

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "tokens": self.tokens,
            "budget": self.budget,
            "exact_tokens": self.exact_tokens,
            "files": list(self.files),
            "tags": [tag.to_dict() for tag in self.tags],
        }
