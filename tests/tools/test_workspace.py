"""Every path is resolved and must lie inside the workspace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.tools.conftest import MakeToolbox, call


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("read_file", {"path": "../outside.txt"}),
        ("read_file", {"path": "src/../../outside.txt"}),
        ("read_file", {"path": "/etc/passwd"}),
        ("write_file", {"path": "../outside.txt", "content": "pwned"}),
        ("edit_file", {"path": "../outside.txt", "edits": [{"search": "x", "replace": "y"}]}),
        ("list_files", {"path": ".."}),
        ("search", {"pattern": "x", "path": "../"}),
        ("vcs_diff", {"paths": ["../outside.txt"]}),
    ],
)
async def test_dotdot_and_absolute_escapes_are_refused(
    toolbox: MakeToolbox, workspace: Path, tool: str, args: dict[str, object]
) -> None:
    outside = workspace.parent / "outside.txt"
    outside.write_text("x secret\n")
    result = await call(toolbox(), tool, **args)
    assert result.is_error
    assert "refused" in result.text and "outside" in result.text
    assert outside.read_text() == "x secret\n"


async def test_symlink_to_a_file_outside_is_refused(toolbox: MakeToolbox, workspace: Path) -> None:
    secret = workspace.parent / "secret.txt"
    secret.write_text("password=hunter2\n")
    os.symlink(secret, workspace / "link.txt")
    box = toolbox()
    read = await call(box, "read_file", path="link.txt")
    assert read.is_error and "symlink" in read.text
    assert "hunter2" not in read.text
    write = await call(box, "write_file", path="link.txt", content="overwritten")
    assert write.is_error
    assert secret.read_text() == "password=hunter2\n"


async def test_symlinked_directory_outside_is_refused_for_new_files(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    elsewhere = workspace.parent / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, workspace / "out")
    result = await call(toolbox(), "write_file", path="out/new.txt", content="x")
    assert result.is_error and "symlink" in result.text
    assert not (elsewhere / "new.txt").exists()


async def test_symlink_inside_the_workspace_is_fine(toolbox: MakeToolbox, workspace: Path) -> None:
    os.symlink(workspace / "src" / "app.py", workspace / "alias.py")
    result = await call(toolbox(), "read_file", path="alias.py")
    assert not result.is_error
    assert "print('hello')" in result.text


async def test_absolute_path_inside_is_accepted(toolbox: MakeToolbox, workspace: Path) -> None:
    result = await call(toolbox(), "read_file", path=str(workspace / "README.md"))
    assert result.text.startswith("README.md (lines 1-1 of 1)")


async def test_writing_into_vcs_metadata_is_refused(toolbox: MakeToolbox, workspace: Path) -> None:
    (workspace / ".git").mkdir()
    result = await call(toolbox(), "write_file", path=".git/config", content="[core]\n")
    assert result.is_error and ".git/" in result.text
    assert not (workspace / ".git" / "config").exists()


@pytest.mark.parametrize(
    "path",
    [
        "sub/.git/config",  # a nested repository
        ".GIT/config2",  # the real .git on a case-insensitive file system
        "vendor/lib/.Hg/hgrc",
        "a/b/.svn/entries",
        "x/_DARCS/prefs",
        "deep/.jj/repo",
        "p/.pijul/config",
        ".fslckout",
        "sub/_FOSSIL_",
    ],
)
async def test_vcs_metadata_is_refused_at_any_depth_and_case(
    toolbox: MakeToolbox, workspace: Path, path: str
) -> None:
    box = toolbox()
    write = await call(box, "write_file", path=path, content="[core]\n")
    assert write.is_error and "version-control metadata" in write.text, write.text
    assert not (workspace / path).exists()
    (workspace / path).parent.mkdir(parents=True, exist_ok=True)
    (workspace / path).write_text("url = https://user:ghp_secret@example.com/x\n")
    read = await call(box, "read_file", path=path)
    assert read.is_error and "ghp_secret" not in read.text
    edit = await call(box, "edit_file", path=path, edits=[{"search": "url", "replace": "u"}])
    assert edit.is_error and "ghp_secret" in (workspace / path).read_text()


async def test_a_symlink_into_vcs_metadata_is_refused(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    (workspace / ".git").mkdir()
    os.symlink(workspace / ".git", workspace / "meta")
    result = await call(toolbox(), "write_file", path="meta/config", content="x")
    assert result.is_error and ".git/" in result.text
    assert not (workspace / ".git" / "config").exists()


async def test_names_that_only_look_like_vcs_metadata_are_fine(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    box = toolbox()
    for path in (".gitignore", "src/.github/workflow.yml", "git/notes.txt", "docs/.gitkeep"):
        result = await call(box, "write_file", path=path, content="x\n")
        assert not result.is_error, (path, result.text)
