"""Which language a file is in (by extension, then shebang), and its tree-sitter grammar.

Grammars come from the official per-language wheels (`tree_sitter_python`, ...), imported
lazily, so a missing wheel costs one language, never the map: `load_language` returns None
and logs once, and the caller lists the file without tags.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    """A language: its query file stem and where its grammar lives."""

    name: str
    module: str
    function: str = "language"
    query: str | None = None  # query file stem when it differs from `name`


LANGUAGES: dict[str, LanguageSpec] = {
    spec.name: spec
    for spec in (
        LanguageSpec("python", "tree_sitter_python"),
        LanguageSpec("javascript", "tree_sitter_javascript"),
        LanguageSpec("typescript", "tree_sitter_typescript", "language_typescript"),
        LanguageSpec("tsx", "tree_sitter_typescript", "language_tsx", query="typescript"),
        LanguageSpec("go", "tree_sitter_go"),
        LanguageSpec("rust", "tree_sitter_rust"),
        LanguageSpec("c", "tree_sitter_c"),
        LanguageSpec("cpp", "tree_sitter_cpp"),
        LanguageSpec("java", "tree_sitter_java"),
        LanguageSpec("csharp", "tree_sitter_c_sharp"),
        LanguageSpec("ruby", "tree_sitter_ruby"),
        # language_php parses HTML around `<?php`; plain .php files usually start with it.
        LanguageSpec("php", "tree_sitter_php", "language_php"),
        LanguageSpec("kotlin", "tree_sitter_kotlin"),
        LanguageSpec("swift", "tree_sitter_swift"),
        LanguageSpec("scala", "tree_sitter_scala"),
        LanguageSpec("lua", "tree_sitter_lua"),
        LanguageSpec("bash", "tree_sitter_bash"),
    )
}

EXTENSIONS: dict[str, str] = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hpp": "cpp", ".hh": "cpp",
    ".hxx": "cpp", ".h++": "cpp", ".ipp": "cpp", ".tpp": "cpp",
    ".java": "java",
    ".cs": "csharp",
    ".rb": "ruby", ".rake": "ruby", ".gemspec": "ruby",
    ".php": "php", ".phtml": "php",
    ".kt": "kotlin", ".kts": "kotlin",
    ".swift": "swift",
    ".scala": "scala", ".sc": "scala", ".sbt": "scala",
    ".lua": "lua",
    ".sh": "bash", ".bash": "bash", ".zsh": "bash", ".ksh": "bash",
}  # fmt: skip

FILENAMES: dict[str, str] = {
    "Rakefile": "ruby", "Gemfile": "ruby", "Vagrantfile": "ruby",
    ".bashrc": "bash", ".bash_profile": "bash", ".profile": "bash", ".zshrc": "bash",
    "PKGBUILD": "bash",
}  # fmt: skip

# Interpreter (basename after `env`, version digits stripped) -> language.
INTERPRETERS: dict[str, str] = {
    "python": "python", "node": "javascript", "deno": "typescript", "bun": "javascript",
    "ruby": "ruby", "php": "php", "lua": "lua", "luajit": "lua",
    "sh": "bash", "bash": "bash", "zsh": "bash", "ksh": "bash", "dash": "bash",
    "scala": "scala", "kotlin": "kotlin", "swift": "swift",
}  # fmt: skip

_SHEBANG = re.compile(rb"^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?")


def detect_language(path: Path | str, head: bytes | None = None) -> str | None:
    """The language of `path`: by extension or file name, else by the shebang in `head`."""
    p = Path(path)
    by_name = FILENAMES.get(p.name) or EXTENSIONS.get(p.suffix.lower())
    if by_name:
        return by_name
    if head is None or not head.startswith(b"#!"):
        return None
    match = _SHEBANG.match(head.split(b"\n", 1)[0])
    if not match:
        return None
    program = match.group(1).rsplit(b"/", 1)[-1]
    if program == b"env" and match.group(2):
        program = match.group(2).rsplit(b"/", 1)[-1]
    name = re.sub(r"[\d.]+$", "", program.decode("ascii", "replace"))
    return INTERPRETERS.get(name)


@cache
def load_language(name: str) -> Language | None:
    """The grammar of language `name`, or None (logged once) when its wheel is missing."""
    spec = LANGUAGES.get(name)
    if spec is None:
        return None
    try:
        from tree_sitter import Language

        module = importlib.import_module(spec.module)
        return Language(getattr(module, spec.function)())
    except (ImportError, AttributeError, ValueError, TypeError) as exc:
        # ValueError/TypeError: an ABI-incompatible wheel; the map degrades to a listing.
        log.warning("repo map: no grammar for %s (%s: %s); listing its files only",
                    name, spec.module, exc)  # fmt: skip
        return None


def query_stem(name: str) -> str:
    """The stem of the query file for language `name` (`tsx` shares `typescript`)."""
    spec = LANGUAGES[name]
    return spec.query or spec.name
