"""The gitignore/hgignore matcher, checked against git itself on the same tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from coda_ls.vcs.ignore import IgnoreMatcher, parse_hgignore

ROOT_GITIGNORE = """\
# comment
*.log
!keep.log
build/
/root_only.txt
docs/**/*.tmp
**/cache
a/**/b
[ab]x.c
?y.c
foo/bar
\\#hash
trailing.txt{TRAILING}
""".replace("{TRAILING}", "   ")  # trailing spaces are dropped by gitignore

SUB_GITIGNORE = """\
*.md
!README.md
/local.txt
"""

FILES = [
    "app.log", "keep.log", "src/deep/x.log", "src/keep.log",
    "build/out.o", "src/build/out.o", "build.txt",
    "root_only.txt", "src/root_only.txt",
    "docs/a.tmp", "docs/x/y/z.tmp", "docs/x/y/z.txt", "other/docs/a.tmp",
    "cache/file", "src/cache/file", "cachefile",
    "a/b", "a/x/y/b", "a/c/b/c", "a/bb",
    "ax.c", "bx.c", "cx.c", "zy.c", "zzy.c",
    "foo/bar", "src/foo/bar", "foo/barn",
    "#hash", "trailing.txt",
    "sub/notes.md", "sub/README.md", "sub/deeper/notes.md", "sub/local.txt",
    "sub/deeper/local.txt", "notes.md", "main.py",
]  # fmt: skip


def _tree(root: Path) -> None:
    for rel in FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    (root / ".gitignore").write_text(ROOT_GITIGNORE)
    (root / "sub" / ".gitignore").write_text(SUB_GITIGNORE)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_matcher_agrees_with_git(tmp_path: Path) -> None:
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--others", "--exclude-standard"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    git_kept = {name for name in listed.split("\0") if name}
    ours = set(IgnoreMatcher(tmp_path, (".gitignore",), hgignore=False).walk())
    assert ours == git_kept
    # sanity: the fixture really ignores things, and both sides see them the same way
    assert "app.log" not in ours and "keep.log" in ours and "sub/README.md" in ours


def test_is_ignored_answers_for_single_paths(tmp_path: Path) -> None:
    _tree(tmp_path)
    matcher = IgnoreMatcher(tmp_path, (".gitignore",))
    assert matcher.is_ignored("build/out.o")
    assert matcher.is_ignored("build", is_dir=True)
    assert not matcher.is_ignored("build.txt")
    assert matcher.is_ignored(tmp_path / "src" / "deep" / "x.log")
    assert not matcher.is_ignored("src/keep.log")
    assert matcher.is_ignored("sub/deeper/notes.md")
    assert not matcher.is_ignored("sub/deeper/local.txt")


def test_codaignore_and_hgignore_are_honoured(tmp_path: Path) -> None:
    (tmp_path / ".codaignore").write_text("secrets/\n")
    (tmp_path / ".hgignore").write_text(
        "# regexp by default\n\\.orig$\nsyntax: glob\n*.pyc\nnode_modules\n"
    )
    for rel in ["secrets/key", "a.py.orig", "pkg/a.pyc", "web/node_modules/x.js", "a.py"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert list(IgnoreMatcher(tmp_path).walk()) == [".codaignore", ".hgignore", "a.py"]


def test_hgignore_syntax_switches() -> None:
    rules = parse_hgignore("syntax: glob\n*.o\nsyntax: regexp\n^out/\nglob:*.tmp\n")
    paths = {"x.o": True, "d/x.o": True, "out/a": True, "src/out/a": False, "a.tmp": True}
    for path, expected in paths.items():
        assert any(rule.matches(path, False) for rule in rules) is expected, path


def test_vcs_metadata_is_never_listed(tmp_path: Path) -> None:
    for rel in [".git/config", ".hg/store", "_darcs/prefs", ".fslckout", "a.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert list(IgnoreMatcher(tmp_path).walk()) == ["a.txt"]
