"""Which files the map covers: a `FileLister` (swappable for `coda_ls.vcs` later) and the
filters that skip binaries, huge, vendored, minified and generated files."""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class FileLister(Protocol):
    """Returns the files to map under `root`, as paths relative to it (posix strings)."""

    def __call__(self, root: Path) -> list[str]: ...


IGNORE_FILES = (".gitignore", ".codaignore")
_ALWAYS_SKIP_DIRS = {".git", ".hg", ".svn", ".jj", "_darcs", ".fossil", "__pycache__", ".venv",
                     "venv", ".tox", ".mypy_cache", ".ruff_cache", ".pytest_cache",
                     "node_modules", ".coda"}  # fmt: skip


def default_lister(root: Path) -> list[str]:
    """`git ls-files` (tracked + untracked-not-ignored) in a git work tree; in a work tree
    of another VCS, its tracked and untracked files (so its own ignore rules apply);
    else a walk honouring .gitignore and .codaignore. .codaignore applies to all."""
    files = _git_files(root)
    if files is None:
        files = _other_vcs_files(root)
    if files is None:
        return walk_files(root)
    codaignore = _load_ignores(root, (".codaignore",))
    return [f for f in files if not codaignore(f)]


def _other_vcs_files(root: Path) -> list[str] | None:
    """Files of a Mercurial, Subversion, Fossil, Bazaar, Darcs, Jujutsu or Pijul work tree
    under `root`, relative to it; None outside one (or when its tool is missing)."""
    from coda_ls.errors import CodaError
    from coda_ls.vcs import detect

    backend = detect(root)
    if backend.name in ("plain", "git"):
        return None
    try:
        names = set(backend.sync.tracked_files()) | set(backend.sync.status().untracked)
    except CodaError as exc:
        log.warning("repo map: %s could not list files (%s); walking the directory",
                    backend.name, exc)  # fmt: skip
        return None
    base = backend.root.resolve()
    here = root.resolve()
    out = []
    for name in names:
        path = base / name
        if path.is_relative_to(here):
            out.append(path.relative_to(here).as_posix())
    return sorted(out)


def _git_files(root: Path) -> list[str] | None:
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n})


# A directory that is no project (Coda started in $HOME or /) must not be walked for
# minutes: past this many files the walk stops, with a warning saying what to do.
MAX_WALK_FILES = 50_000


class _WalkLimit(Exception):
    pass


def walk_files(root: Path, limit: int = MAX_WALK_FILES) -> list[str]:
    """Every file under `root` not matched by a .gitignore/.codaignore (nearest dirs too),
    up to `limit` files."""
    out: list[str] = []
    matchers: list[tuple[int, Callable[[str], bool]]] = []  # (prefix length, matcher)

    def visit(directory: str) -> None:
        full = os.path.join(root, directory)
        try:
            entries = list(os.scandir(full))
        except OSError:
            return
        names = {e.name for e in entries}
        # Ignore files are read only where they exist: thousands of dirs cost no open().
        present = [n for n in IGNORE_FILES if n in names]
        pushed = bool(present)
        if pushed:
            prefix = len(directory) + 1 if directory else 0
            matchers.append((prefix, _load_ignores(Path(full), present)))
        for entry in entries:
            rel = f"{directory}/{entry.name}" if directory else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir and entry.name in _ALWAYS_SKIP_DIRS:
                continue
            if matchers:
                probe = rel + "/" if is_dir else rel
                if any(match(probe[prefix:]) for prefix, match in matchers):
                    continue
            if is_dir:
                visit(rel)
            elif entry.is_file(follow_symlinks=False):
                out.append(rel)
                if len(out) >= limit:
                    raise _WalkLimit
        if pushed:
            matchers.pop()

    try:
        visit("")
    except _WalkLimit:
        log.warning(
            "repo map: %s holds more than %d files and is not a repository; mapping the "
            "first %d. Run Coda inside a project, or list what to skip in .codaignore",
            root, limit, limit,
        )  # fmt: skip
    out.sort()
    return out


def _load_ignores(directory: Path, names: Iterable[str]) -> Callable[[str], bool]:
    lines: list[str] = []
    for name in names:
        try:
            lines.extend(
                (directory / name).read_text(encoding="utf-8", errors="replace").splitlines()
            )
        except OSError:
            continue
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return lambda _path: False
    try:
        import pathspec
    except ImportError:
        return _fnmatch_matcher(lines)
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return spec.match_file


def _fnmatch_matcher(lines: list[str]) -> Callable[[str], bool]:
    """A simple .gitignore subset for when `pathspec` is missing: globs, dirs, anchors."""
    patterns = [ln.strip() for ln in lines if not ln.strip().startswith("!")]

    def match(path: str) -> bool:
        clean = path.rstrip("/")
        for pattern in patterns:
            if pattern.endswith("/") and not path.endswith("/"):
                continue
            pat = pattern.rstrip("/")
            if pat.startswith("/"):
                if fnmatch.fnmatch(clean, pat[1:]):
                    return True
            elif fnmatch.fnmatch(clean, pat) or fnmatch.fnmatch(clean.rsplit("/", 1)[-1], pat):
                return True
        return False

    return match


# Conventional markers in a file's first lines (Go's "Code generated ... DO NOT EDIT."),
# and the banners of parser, lexer and binding generators (Bison, Cython, SWIG).
_GENERATED_MARKERS = (
    b"@generated", b"DO NOT EDIT", b"made by GNU Bison", b"Generated by Cython",
    b"automatically generated by SWIG",
)  # fmt: skip
LONG_LINE = 1000  # a code line this long means minified or generated
# Raise when what a file's head decides changes (skip_reason skips more, or
# languages.detect_language reads a shared extension differently): a cache built by older
# rules sniffs its files once more.
SNIFF_RULES = 2  # 2: Bison, Cython, SWIG, `#line` (flex/bison/re2c) output; C++ `.h` headers
SNIFF = 8192


# Vendored, generated and asset paths: mapped only with include_vendored.
_VENDORED_DIRS = frozenset(
    ("node_modules", "vendor", "vendors", "third_party", "thirdparty", "bower_components",
     "dist", "static", "assets", "site-packages")
)  # fmt: skip
_VENDORED_SUFFIXES = (
    ".min.js", ".min.css", ".bundle.js", "-bundle.js", ".pb.go", "_pb2.py", "_pb2_grpc.py",
    ".g.dart",
)  # fmt: skip
_GENERATED_NAME = re.compile(r"\.generated\.\w+$")


def vendored_path(rel: str) -> bool:
    """Whether `rel` is vendored, generated or an asset path. Set and suffix tests, not
    one regex: an alternation starting with `(^|/)` is tried at every position, 4x slower
    (20 µs a path, a noticeable share of a warm build's listing on 20k files)."""
    if rel.endswith(_VENDORED_SUFFIXES):
        return True
    parts = rel.split("/")
    if parts[-1] == "package-lock.json" or not _VENDORED_DIRS.isdisjoint(parts):
        return True
    return ".generated." in rel and _GENERATED_NAME.search(rel) is not None


def skip_reason(head: bytes, size: int, max_bytes: int) -> str | None:
    """Why a file's content should not be mapped (its first SNIFF bytes are enough)."""
    if size > max_bytes:
        return f"larger than {max_bytes} bytes"
    if b"\0" in head:
        return "binary"
    sample = head[:SNIFF]
    first_lines = b"\n".join(sample.split(b"\n", 5)[:5])
    if any(marker in first_lines for marker in _GENERATED_MARKERS):
        return "generated"
    if sample.startswith(b"#line "):  # C that flex, bison or re2c wrote from a grammar
        return "generated"
    lines = sample.split(b"\n")
    complete = lines[:-1] if len(sample) == SNIFF else lines
    # max(map(len)) runs in C: a Python loop over every line cost more than the hash.
    if (complete and max(map(len, complete)) > LONG_LINE) or (
        len(lines) == 1 and len(sample) == SNIFF
    ):
        return "minified (very long lines)"
    return None
