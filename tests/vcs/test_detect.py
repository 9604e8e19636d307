"""Detection: innermost repository wins, submodules, missing tools, plain directories."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_ls.vcs import describe_sync, detect, runner
from coda_ls.vcs.backends.plain import PlainBackend
from tests.vcs.repos import sh

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
needs_hg = pytest.mark.skipif(shutil.which("hg") is None, reason="hg is not installed")


def _git_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    sh(root, "git", "init", "-q", "-b", "main")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    sh(root, "git", "add", ".")
    sh(root, "git", "commit", "-q", "-m", "init")
    return root


@pytest.fixture
def no_tools_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PATH with no VCS tool on it (the `which` cache is cleared around the test)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    runner.which.cache_clear()
    yield
    runner.which.cache_clear()


@needs_git
@needs_hg
def test_innermost_repository_wins(tmp_path: Path) -> None:
    outer = _git_repo(tmp_path / "outer", {"top.txt": "t\n"})
    inner = outer / "vendor" / "lib"
    inner.mkdir(parents=True)
    sh(inner, "hg", "init")
    (inner / "deep").mkdir()
    repo = detect(inner / "deep")
    assert (repo.name, repo.root) == ("hg", inner.resolve())
    assert (detect(outer / "vendor").name, detect(outer / "vendor").root) == ("git", outer)
    assert detect(outer / "top.txt").root == outer  # a file path works too


@needs_git
def test_submodule_is_its_own_repository_and_listed_by_the_parent(tmp_path: Path) -> None:
    library = _git_repo(tmp_path / "library", {"lib.py": "x = 1\n"})
    app = _git_repo(tmp_path / "app", {"main.py": "print()\n"})
    sh(app, "git", "-c", "protocol.file.allow=always", "submodule", "add", "-q",
       str(library), "libs/library")  # fmt: skip
    sub = app / "libs" / "library"
    assert (sub / ".git").is_file()  # a submodule's .git is a file
    repo = detect(sub)
    assert (repo.name, repo.root) == ("git", sub.resolve())
    assert repo.sync.tracked_files() == ["lib.py"]
    parent = detect(app).sync.tracked_files()
    assert {"main.py", ".gitmodules", "libs/library/lib.py"} <= set(parent)


def test_missing_tool_degrades_to_plain_with_a_warning(
    tmp_path: Path, no_tools_on_path: None, caplog: pytest.LogCaptureFixture
) -> None:
    # PATH is empty, so the .hg marker is laid by hand
    root = tmp_path / "repo"
    (root / ".hg").mkdir(parents=True)
    (root / "a.py").write_text("a\n")
    (root / ".hgignore").write_text("syntax: glob\n*.pyc\n")
    (root / "a.pyc").write_text("")
    repo = detect(root)
    assert isinstance(repo, PlainBackend)
    assert repo.root == root.resolve()
    assert repo.warning and "hg" in repo.warning and "\n" not in repo.warning
    assert any("hg" in record.getMessage() for record in caplog.records)
    assert repo.sync.tracked_files() == [".hgignore", "a.py"]
    info = describe_sync(root)
    assert info.system == "plain" and info.warnings == (repo.warning,)


def test_colocated_jj_with_no_tool_is_plain(tmp_path: Path, no_tools_on_path: None) -> None:
    # No tool at all: .jj is seen first, then .git; plain, with a warning naming jj.
    (tmp_path / "repo" / ".jj").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    repo = detect(tmp_path / "repo")
    assert repo.name == "plain"
    assert repo.warning and "jj" in repo.warning


@needs_git
def test_colocated_jj_falls_back_to_git_when_only_git_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("jj"):
        pytest.skip("jj is installed: the colocated repository is handled by jj itself")
    root = _git_repo(tmp_path / "repo", {"a.txt": "a\n"})
    (root / ".jj").mkdir()
    repo = detect(root)
    assert repo.name == "git"
    assert repo.warning and "jj" in repo.warning


def test_bzr_shared_repository_without_a_tree_is_not_a_working_copy(tmp_path: Path) -> None:
    (tmp_path / ".bzr" / "repository").mkdir(parents=True)
    (tmp_path / "x").mkdir()
    assert detect(tmp_path / "x").name == "plain"


def test_plain_directory(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("one\ntwo\n")
    (tmp_path / ".gitignore").write_text("*.tmp\n")
    (tmp_path / "x.tmp").write_text("")
    repo = detect(tmp_path / "src" / "a.py")
    assert repo.name == "plain"
    assert repo.warning is None
    assert repo.root == tmp_path.resolve() / "src"
    repo = detect(tmp_path)
    assert repo.sync.tracked_files() == [".gitignore", "src/a.py"]
    assert repo.sync.ignored("x.tmp")
    assert repo.sync.status().clean
    assert repo.sync.revision() is None and repo.sync.log() == []
    assert repo.sync.blame("src/a.py", 2).text == "two"


@needs_git
def test_timeout_is_reported_not_hung(tmp_path: Path) -> None:
    from coda_ls.vcs import VCSTimeout

    root = _git_repo(tmp_path / "repo", {"a.txt": "a\n"})
    repo = detect(root, timeout=0.000001)
    with pytest.raises(VCSTimeout):
        repo.sync.status()


def test_paths_outside_the_repository_are_refused(tmp_path: Path) -> None:
    from coda_ls.errors import WorkspaceError

    (tmp_path / "inside").mkdir()
    repo = detect(tmp_path / "inside")
    with pytest.raises(WorkspaceError):
        repo.sync.ignored(tmp_path / "elsewhere.txt")


def test_a_tool_installed_later_is_found_after_the_recheck_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`which` remembers a missing tool only for a while (a server that started before
    the user installed Mercurial finds it later); a found tool is not looked up again."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    runner.which.cache_clear()
    clock = [1000.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock[0])
    assert runner.which("coda-fake-vcs") is None
    tool = bin_dir / "coda-fake-vcs"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    clock[0] += 5
    assert runner.which("coda-fake-vcs") is None  # still believed missing
    clock[0] += runner.MISSING_RECHECK_SECONDS
    assert runner.which("coda-fake-vcs") == str(tool)
    tool.unlink()
    assert runner.which("coda-fake-vcs") == str(tool)  # found paths are remembered
    runner.which.cache_clear()
