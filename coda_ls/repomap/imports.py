"""Which module each imported name of a file comes from: evidence for resolving a bare
reference (`Field`) to one of the several files that define that name.

Read with regular expressions over the source, not the syntax tree: an import statement
is one of the most regular forms of a language, and a pass over the bytes costs a small
fraction of the parse. Python (`from a.b import C as D`, relative imports) and JavaScript/
TypeScript (`import {C} from './x'`, `require('./x')`). A name maps to a module path
("a/b", "pkg/x"), or to "" when it comes from outside the project (a package name).
"""

from __future__ import annotations

import posixpath
import re

# Starts with the literal `from` (8x faster to scan for than a `^[ \t]*` line start, which
# is checked per match instead: only indentation may precede it).
_PY_FROM = re.compile(rb"from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)")
_PY_NAME = re.compile(r"(\w+)(?:\s+as\s+(\w+))?")
_JS_IMPORT = re.compile(
    rb"""import\s+(?:type\s+)?([\w$]+)?\s*,?\s*(?:\{([^}]*)\})?\s*(?:\*\s+as\s+[\w$]+\s*)?"""
    rb"""from\s+['"]([^'"]+)['"]"""
)
_JS_REQUIRE = re.compile(
    rb"""(?:const|let|var)\s+(?:([\w$]+)|\{([^}]*)\})\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)"""
)
_JS_NAME = re.compile(r"([\w$]+)(?:\s*:\s*([\w$]+)|\s+as\s+([\w$]+))?")
_PYTHON_STDLIB_ROOTS = ("typing", "collections", "os", "sys", "re", "functools", "itertools")


def imports_of(path: str, source: bytes, language: str | None) -> dict[str, str]:
    """Imported local name -> module path ("" when it is an outside package)."""
    if language == "python":
        return _python(path, source)
    if language in ("javascript", "typescript", "tsx"):
        return _javascript(path, source)
    return {}


def _python(path: str, source: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    if b"from" not in source:  # only `from x import y` names what it imports
        return out
    package = posixpath.dirname(path)
    for match in _PY_FROM.finditer(source):
        start = match.start()
        if source[source.rfind(b"\n", 0, start) + 1 : start].strip():
            continue  # `from` inside a line: text, not a statement
        module = match.group(1).decode("ascii", "replace")
        names = match.group(2).decode("utf-8", "replace").strip("() \t\r\n\\")
        dots = len(module) - len(module.lstrip("."))
        if dots:  # relative: from the file's package, one level up per further dot
            base = package
            for _ in range(dots - 1):
                base = posixpath.dirname(base)
            rest = module[dots:].replace(".", "/")
            target = posixpath.join(base, rest) if rest else base
        elif module.split(".", 1)[0] in _PYTHON_STDLIB_ROOTS:
            target = ""
        else:
            target = module.replace(".", "/")
        for name, alias in _PY_NAME.findall(names.replace("\n", " ")):
            if name == "import" or name == "*":
                continue
            out[alias or name] = target
    return out


def _javascript(path: str, source: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    base = posixpath.dirname(path)
    for pattern in (_JS_IMPORT, _JS_REQUIRE):
        for match in pattern.finditer(source):
            default, named, spec = (
                g.decode("utf-8", "replace") if g else "" for g in match.groups()
            )
            if spec.startswith("."):
                target = posixpath.normpath(posixpath.join(base, spec))
                target = re.sub(r"\.(m|c)?[jt]sx?$", "", target)
            else:
                target = ""
            if default:
                out[default] = target
            for name, renamed, alias in _JS_NAME.findall(named):
                out[alias or renamed or name] = target
    return out


def module_matches(target: str, module: str) -> bool:
    """Whether the file `target` is, or is inside, the module path `module` (a suffix of
    the project's layout: `flask/app` matches `src/flask/app.py`)."""
    stem = "/" + target.rsplit(".", 1)[0] + "/"
    return f"/{module}/" in stem
