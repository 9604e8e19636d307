"""Which language a file is in (by extension, then shebang), and its tree-sitter grammar.

Grammars come from the official per-language wheels (`tree_sitter_python`, ...), imported
lazily, so a missing wheel costs one language, never the map: `load_language` returns None
and logs once, and the caller lists the file without tags. Languages with no wheel on PyPI
use the grammars bundled in `tree-sitter-language-pack` 0.13.0 (the optional `languages`
extra; later releases download grammars at run time, which fails offline).
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
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
    extra: str | None = None  # the pip extra that installs the grammar, if not a core dependency


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
        # Official per-language wheels (core dependencies).
        LanguageSpec("arduino", "tree_sitter_arduino", query="cpp"),  # C++ plus Arduino
        LanguageSpec("commonlisp", "tree_sitter_commonlisp"),
        LanguageSpec("elixir", "tree_sitter_elixir"),
        LanguageSpec("haskell", "tree_sitter_haskell"),
        LanguageSpec("hcl", "tree_sitter_hcl"),
        LanguageSpec("matlab", "tree_sitter_matlab"),
        LanguageSpec("ocaml", "tree_sitter_ocaml", "language_ocaml"),
        LanguageSpec("ocaml_interface", "tree_sitter_ocaml", "language_ocaml_interface"),
        LanguageSpec("solidity", "tree_sitter_solidity"),
        LanguageSpec("zig", "tree_sitter_zig"),
        # No wheel on PyPI (or only an unofficial fork, as for Dart): the language pack.
        *(
            LanguageSpec(name, f"tree_sitter_language_pack.bindings.{name}", extra="languages")
            for name in (
                "chatito", "clojure", "d", "dart", "elisp", "elm", "gleam", "pony",
                "properties", "r", "racket", "udev",
            )
        ),
    )
}  # fmt: skip

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
    ".ino": "arduino",
    ".chatito": "chatito",
    ".clj": "clojure", ".cljs": "clojure", ".cljc": "clojure", ".edn": "clojure",
    ".bb": "clojure",
    ".lisp": "commonlisp", ".lsp": "commonlisp", ".asd": "commonlisp",
    ".cl": "commonlisp",  # unless it is OpenCL: see _sniff_cl
    ".d": "d", ".di": "d",  # unless it is a make dependency file: see _sniff_d
    ".dart": "dart",
    ".el": "elisp",
    ".ex": "elixir", ".exs": "elixir",
    ".elm": "elm",
    ".gleam": "gleam",
    ".hs": "haskell",
    ".tf": "hcl", ".tfvars": "hcl", ".hcl": "hcl",
    ".m": "matlab",  # unless it looks like Objective-C: see _sniff_m
    ".ml": "ocaml", ".mli": "ocaml_interface",
    ".pony": "pony",
    ".properties": "properties",
    ".r": "r",
    ".rkt": "racket",
    ".sol": "solidity",
    ".rules": "udev",  # unless it looks like a polkit (JavaScript) rule: see _sniff_rules
    ".zig": "zig",
}  # fmt: skip

FILENAMES: dict[str, str] = {
    "Rakefile": "ruby", "Gemfile": "ruby", "Vagrantfile": "ruby",
    ".bashrc": "bash", ".bash_profile": "bash", ".profile": "bash", ".zshrc": "bash",
    "PKGBUILD": "bash",
    "Cask": "elisp", ".emacs": "elisp",
}  # fmt: skip

# Interpreter (basename after `env`, version digits stripped) -> language.
INTERPRETERS: dict[str, str] = {
    "python": "python", "node": "javascript", "deno": "typescript", "bun": "javascript",
    "ruby": "ruby", "php": "php", "lua": "lua", "luajit": "lua",
    "sh": "bash", "bash": "bash", "zsh": "bash", "ksh": "bash", "dash": "bash",
    "scala": "scala", "kotlin": "kotlin", "swift": "swift",
    "elixir": "elixir", "runhaskell": "haskell", "runghc": "haskell", "Rscript": "r",
    "racket": "racket", "sbcl": "commonlisp", "clisp": "commonlisp", "bb": "clojure",
    "emacs": "elisp", "ocaml": "ocaml",
}  # fmt: skip

_SHEBANG = re.compile(rb"^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?")


# The first line that is not blank: what an ambiguous extension is decided on.
_FIRST_LINE = re.compile(rb"^\s*(\S[^\n]*)", re.MULTILINE)
# Objective-C opens with a C comment, a preprocessor line or an `@` keyword; MATLAB never
# does (its comments are `%`; Octave's `#` comments are not followed by a directive).
_OBJC_START = re.compile(
    rb"//|/\*|#\s*(?:import|include|define|if|ifdef|ifndef|pragma)\b"
    rb"|@(?:interface|implementation|protocol|class|import)\b"
)  # fmt: skip


def _sniff_m(head: bytes) -> str | None:
    """`.m` is MATLAB/Octave, or Objective-C (not mapped) when its first line says so."""
    first = _FIRST_LINE.search(head)
    if first and _OBJC_START.match(first.group(1)):
        return None
    return "matlab"


_UDEV_START = re.compile(rb"#|[A-Z_]+(?:\{[^}]*\})?\s*[=!+:-]")


def _sniff_rules(head: bytes) -> str | None:
    """`.rules` is udev when it starts like udev (`#` or `KEY==`), not polkit's JavaScript
    or Firebase's `rules_version`."""
    first = _FIRST_LINE.search(head)
    return "udev" if first is None or _UDEV_START.match(first.group(1)) else None


def _sniff_cl(head: bytes) -> str | None:
    """`.cl` is Common Lisp when it opens with a form or a `;` comment, else OpenCL."""
    first = _FIRST_LINE.search(head)
    return "commonlisp" if first is None or first.group(1).startswith((b"(", b";")) else None


def _sniff_d(head: bytes) -> str | None:
    """`.d` is D source, unless it is a compiler's make dependency file (`x.o: x.c`)."""
    first = _FIRST_LINE.search(head)
    return None if first and re.match(rb"\S+\.o\s*:", first.group(1)) else "d"


# C++ in a `.h` header (GitHub linguist's signals): a standard header without `.h`
# (`<vector>`, `<type_traits>`), templates, classes, `enum class`, namespaces, access labels,
# `std::`, `nullptr`.
# Parsed as C, a class body's statements came out as function definitions.
_CPP_HEADER = re.compile(
    rb"^[ \t]*#[ \t]*include[ \t]*<[a-z_]+>"
    rb"|^[ \t]*template[ \t]*<"
    rb"|^[ \t]*(?:class|namespace|using[ \t]+namespace)[ \t]+\w+"
    rb"|^[ \t]*(?:public|private|protected)[ \t]*:"
    rb"|^[ \t]*enum[ \t]+(?:class|struct)\b"
    rb"|\bstd::\w|\bnullptr\b|__has_cpp_attribute",
    re.MULTILINE,
)
# Bytes of a `.h` file looked at: files.SNIFF, the head a cache's re-sniff reads, so both
# decide alike (not imported from there: files.py would add ~6 ms to every importer here).
HEADER_SNIFF = 8192


def _sniff_h(head: bytes) -> str | None:
    """`.h` is C, unless its first 8 KB read as C++."""
    return "cpp" if _CPP_HEADER.search(head[:HEADER_SNIFF]) else "c"


_SNIFF = {
    ".m": _sniff_m, ".rules": _sniff_rules, ".cl": _sniff_cl, ".d": _sniff_d, ".h": _sniff_h,
}  # fmt: skip


def detect_language(path: Path | str, head: bytes | None = None) -> str | None:
    """The language of `path`: by extension or file name, else by the shebang in `head`.

    A few extensions are shared with other languages (`.m` with Objective-C, `.rules` with
    polkit's JavaScript, `.h` with C++); with `head` given, its first line (for `.h`, its
    first 8 KB) decides. `head` may be the whole file: only what is needed is read.
    """
    name = _name(path)
    dot = name.rfind(".")
    suffix = name[dot:].lower() if 0 < dot < len(name) - 1 else ""  # PurePath.suffix
    by_name = FILENAMES.get(name) or EXTENSIONS.get(suffix)
    if by_name:
        sniff = _SNIFF.get(suffix)
        return sniff(head) if sniff is not None and head is not None else by_name
    if head is None or not head.startswith(b"#!"):
        return None
    match = _SHEBANG.match(head[:256].split(b"\n", 1)[0])
    if not match:
        return None
    program = match.group(1).rsplit(b"/", 1)[-1]
    if program == b"env" and match.group(2):
        program = match.group(2).rsplit(b"/", 1)[-1]
    name = re.sub(r"[\d.]+$", "", program.decode("ascii", "replace"))
    return INTERPRETERS.get(name)


def _name(path: Path | str) -> str:
    """`Path(path).name`, without making a Path for the common relative posix string
    (a build asks once per file; the Path was most of this function's time)."""
    if isinstance(path, str) and path and not path.endswith(("/", "/.")) and path != ".":
        if "/" not in path:
            # Path() interns its parts, and a one-part path is the caller's string: a
            # build's rows (marshal marks interned strings) stay byte for byte the same.
            sys.intern(path)
        return path.rpartition("/")[2]
    return Path(path).name


_CAPSULE_NAME = b"tree_sitter.Language"


def _as_capsule(pointer: int) -> object:
    """Wrap a raw `TSLanguage *` in the capsule tree-sitter expects.

    Some wheels (tree-sitter-commonlisp 0.4.1, tree-sitter-solidity 1.2.13) still return the
    pointer as an int, which tree-sitter 0.25+ deprecates (DeprecationWarning) and will drop.
    """
    import ctypes  # only for these wheels

    new = ctypes.pythonapi.PyCapsule_New
    new.restype = ctypes.py_object
    new.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
    capsule: object = new(pointer, _CAPSULE_NAME, None)
    return capsule


@cache
def load_language(name: str) -> Language | None:
    """The grammar of language `name`, or None (logged once) when its wheel is missing."""
    spec = LANGUAGES.get(name)
    if spec is None:
        return None
    try:
        from tree_sitter import Language

        module = importlib.import_module(spec.module)
        binding = getattr(module, spec.function)()
        return Language(_as_capsule(binding) if isinstance(binding, int) else binding)
    except ImportError as exc:
        if spec.extra is None:
            log.warning("repo map: no grammar for %s (%s: %s); listing its files only",
                        name, spec.module, exc)  # fmt: skip
        else:
            log.warning("repo map: no grammar for %s; listing its files only "
                        "(install it with `pip install 'coda-assistant[%s]'`)",
                        name, spec.extra)  # fmt: skip
        return None
    except (AttributeError, ValueError, TypeError) as exc:
        # ValueError/TypeError: an ABI-incompatible wheel; the map degrades to a listing.
        log.warning("repo map: no grammar for %s (%s: %s); listing its files only",
                    name, spec.module, exc)  # fmt: skip
        return None


def query_stem(name: str) -> str:
    """The stem of the query file for language `name` (`tsx` shares `typescript`)."""
    spec = LANGUAGES[name]
    return spec.query or spec.name
