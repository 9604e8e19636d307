"""Which programming languages a project is written in, by bytes of tracked files."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

# Extension (lower case) -> language. Data formats and prose are left out on purpose:
# "this is a JSON project" would tell the model nothing.
EXTENSIONS: dict[str, str] = {
    ".py": "Python", ".pyi": "Python", ".pyx": "Cython",
    ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".jsx": "JavaScript",
    ".ts": "TypeScript", ".tsx": "TypeScript", ".mts": "TypeScript", ".cts": "TypeScript",
    ".go": "Go", ".rs": "Rust", ".java": "Java", ".kt": "Kotlin", ".kts": "Kotlin",
    ".scala": "Scala", ".sc": "Scala", ".groovy": "Groovy", ".clj": "Clojure",
    ".c": "C", ".h": "C", ".cc": "C++", ".cpp": "C++", ".cxx": "C++", ".hpp": "C++",
    ".hh": "C++", ".hxx": "C++", ".m": "Objective-C", ".mm": "Objective-C++",
    ".cs": "C#", ".fs": "F#", ".vb": "Visual Basic", ".swift": "Swift",
    ".rb": "Ruby", ".php": "PHP", ".pl": "Perl", ".pm": "Perl", ".lua": "Lua",
    ".r": "R", ".jl": "Julia", ".dart": "Dart", ".ex": "Elixir", ".exs": "Elixir",
    ".erl": "Erlang", ".hrl": "Erlang", ".hs": "Haskell", ".ml": "OCaml", ".mli": "OCaml",
    ".elm": "Elm", ".zig": "Zig", ".nim": "Nim", ".v": "V", ".d": "D",
    ".sh": "Shell", ".bash": "Shell", ".zsh": "Shell", ".fish": "Shell", ".ps1": "PowerShell",
    ".sql": "SQL", ".html": "HTML", ".htm": "HTML", ".css": "CSS", ".scss": "SCSS",
    ".sass": "Sass", ".less": "Less", ".vue": "Vue", ".svelte": "Svelte",
    ".tf": "HCL", ".nix": "Nix", ".cmake": "CMake", ".proto": "Protocol Buffers",
    ".vim": "Vim Script", ".el": "Emacs Lisp", ".lisp": "Common Lisp", ".scm": "Scheme",
    ".f90": "Fortran", ".f": "Fortran", ".ada": "Ada", ".adb": "Ada", ".pas": "Pascal",
}  # fmt: skip

FILENAMES: dict[str, str] = {
    "Makefile": "Makefile", "GNUmakefile": "Makefile", "CMakeLists.txt": "CMake",
    "Dockerfile": "Dockerfile", "Rakefile": "Ruby", "Gemfile": "Ruby",
}  # fmt: skip


def language_of(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    if name in FILENAMES:
        return FILENAMES[name]
    ext = os.path.splitext(name)[1].lower()
    return EXTENSIONS.get(ext)


def count_languages(root: Path, files: Iterable[str]) -> list[tuple[str, int]]:
    """(language, bytes) for the languages among `files`, largest first."""
    sizes: Counter[str] = Counter()
    for rel in files:
        language = language_of(rel)
        if language is None:
            continue
        try:
            sizes[language] += (root / rel).stat().st_size
        except OSError:
            continue  # listed by the VCS but deleted from disk
    return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
