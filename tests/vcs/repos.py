"""Build real repositories with the real tools, one recipe per system.

Each recipe knows how to init, add, remove, commit and ignore `*.log`; `make_scenario`
runs the same story with every system: commit a.txt, b.txt, sub/c.py and the ignore rule,
then modify a.txt, remove b.txt, add new.txt, and leave untracked.txt and debug.log.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coda_ls.vcs.runner import tool_env

IDENTITY = {
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
    "HGUSER": "Tester <tester@example.com>",
    "BRZ_EMAIL": "Tester <tester@example.com>",
    "BZR_EMAIL": "Tester <tester@example.com>",
    "DARCS_EMAIL": "Tester <tester@example.com>",
    "EMAIL": "tester@example.com",
    "USER": "tester",
    "JJ_USER": "Tester",
    "JJ_EMAIL": "tester@example.com",
    "HGPLAIN": "1",
}


def sh(cwd: Path, *args: str) -> str:
    """Run a setup command; fail the test with its output if it fails."""
    env = {**tool_env(), **IDENTITY}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


@dataclass
class Recipe:
    system: str
    binary: str
    init: Callable[[Path], Path]  # (tmp) -> working copy root
    add: Callable[[Path, list[str]], None]
    remove: Callable[[Path, str], None]
    commit: Callable[[Path, str], None]
    ignore_log_files: Callable[[Path], list[str]]  # returns files to add
    branch: str | None
    extra_binaries: list[str] = field(default_factory=list)

    def available(self) -> bool:
        return all(shutil.which(b) for b in [self.binary, *self.extra_binaries])


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _gitignore(name: str) -> Callable[[Path], list[str]]:
    def write(root: Path) -> list[str]:
        _write(root, name, "*.log\n")
        return [name]

    return write


# git
def _git_init(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    sh(root, "git", "init", "-q", "-b", "main")
    return root


# hg
def _hg_init(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    sh(root, "hg", "init")
    return root


def _hgignore(root: Path) -> list[str]:
    _write(root, ".hgignore", "syntax: glob\n*.log\n")
    return [".hgignore"]


# svn: a repository made by svnadmin, its trunk checked out
def _svn_init(tmp: Path) -> Path:
    server = tmp / "svnrepo"
    sh(tmp, "svnadmin", "create", str(server))
    url = server.as_uri()
    sh(tmp, "svn", "mkdir", "-q", "-m", "layout", f"{url}/trunk")
    sh(tmp, "svn", "checkout", "-q", f"{url}/trunk", str(tmp / "repo"))
    return tmp / "repo"


def _svn_ignore(root: Path) -> list[str]:
    sh(root, "svn", "propset", "-q", "svn:ignore", "*.log", ".")
    return []


# fossil
def _fossil_init(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    sh(tmp, "fossil", "init", "-A", "tester", str(tmp / "repo.fossil"))
    sh(root, "fossil", "open", str(tmp / "repo.fossil"))
    return root


def _fossil_ignore(root: Path) -> list[str]:
    _write(root, ".fossil-settings/ignore-glob", "*.log\n")
    return [".fossil-settings/ignore-glob"]


# bzr / brz
def _bzr_init(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    sh(root, "brz", "init", "-q")
    return root


# darcs
def _darcs_init(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    sh(root, "darcs", "init", "-q")
    return root


def _darcs_ignore(root: Path) -> list[str]:
    boring = root / "_darcs" / "prefs" / "boring"
    boring.write_text(boring.read_text() + "\n\\.log$\n")
    return []


# jj (colocated with git, so plain git tools can inspect it too)
def _jj_init(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    sh(root, "jj", "git", "init", "--colocate")
    return root


# pijul
def _pijul_init(tmp: Path) -> Path:
    root = tmp / "repo"
    root.mkdir()
    sh(root, "pijul", "init")
    return root


def _with_paths(*prefix: str) -> Callable[[Path, list[str]], None]:
    def call(root: Path, paths: list[str]) -> None:
        if paths:
            sh(root, *prefix, *paths)

    return call


def _with_path(*prefix: str) -> Callable[[Path, str], None]:
    def call(root: Path, path: str) -> None:
        sh(root, *prefix, path)

    return call


def _with_message(*prefix: str, after: tuple[str, ...] = ()) -> Callable[[Path, str], None]:
    def call(root: Path, message: str) -> None:
        sh(root, *prefix, "-m", message)
        if after:
            sh(root, *after)

    return call


def _nothing(root: Path, arg: object) -> None:
    """jj tracks new files and notices deletions by itself."""


RECIPES: dict[str, Recipe] = {
    "git": Recipe(
        "git",
        "git",
        _git_init,
        _with_paths("git", "add", "--"),
        _with_path("git", "rm", "-q", "--"),
        _with_message("git", "commit", "-q", "-a"),
        _gitignore(".gitignore"),
        "main",
    ),
    "hg": Recipe(
        "hg",
        "hg",
        _hg_init,
        _with_paths("hg", "add", "-q"),
        _with_path("hg", "remove", "-q"),
        _with_message("hg", "commit", "-q"),
        _hgignore,
        "default",
    ),
    "svn": Recipe(
        "svn",
        "svn",
        _svn_init,
        _with_paths("svn", "add", "-q", "--parents"),
        _with_path("svn", "rm", "-q"),
        # update after commit so the working copy's base revision is the new one
        _with_message("svn", "commit", "-q", after=("svn", "update", "-q")),
        _svn_ignore,
        "trunk",
        ["svnadmin"],
    ),
    "fossil": Recipe(
        "fossil",
        "fossil",
        _fossil_init,
        _with_paths("fossil", "add"),
        _with_path("fossil", "rm"),
        _with_message("fossil", "commit", "--user-override", "tester"),
        _fossil_ignore,
        "trunk",
    ),
    "bzr": Recipe(
        "bzr",
        "brz",
        _bzr_init,
        _with_paths("brz", "add", "-q"),
        _with_path("brz", "rm", "-q"),
        _with_message("brz", "commit", "-q"),
        _gitignore(".bzrignore"),
        "repo",
    ),
    "darcs": Recipe(
        "darcs",
        "darcs",
        _darcs_init,
        _with_paths("darcs", "add", "-q"),
        _with_path("darcs", "remove", "-q"),
        _with_message("darcs", "record", "-a", "-q"),
        _darcs_ignore,
        None,
    ),
    "jj": Recipe(
        "jj",
        "jj",
        _jj_init,
        _nothing,
        _nothing,
        _with_message("jj", "commit"),
        _gitignore(".gitignore"),
        None,
    ),
    "pijul": Recipe(
        "pijul",
        "pijul",
        _pijul_init,
        _with_paths("pijul", "add"),
        _with_path("pijul", "remove"),
        _with_message("pijul", "record", "-a"),
        _gitignore(".ignore"),
        "main",
    ),
}


def make_scenario(recipe: Recipe, tmp: Path) -> Path:
    """Build the shared story's working copy with `recipe`; return its root."""
    root = recipe.init(tmp)
    _write(root, "a.txt", "one\ntwo\n")
    _write(root, "b.txt", "bee\n")
    _write(root, "sub/c.py", "print('c')\n")
    extra = recipe.ignore_log_files(root)
    recipe.add(root, ["a.txt", "b.txt", "sub/c.py", *extra])
    recipe.commit(root, "first")
    # the uncommitted changes
    _write(root, "a.txt", "one\ntwo\nchanged line\n")
    recipe.remove(root, "b.txt")
    (root / "b.txt").unlink(missing_ok=True)  # some tools keep the file on disk
    _write(root, "new.txt", "new\n")
    recipe.add(root, ["new.txt"])
    _write(root, "untracked.txt", "u\n")
    _write(root, "debug.log", "noise\n")
    return root
