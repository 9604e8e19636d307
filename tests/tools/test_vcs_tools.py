"""vcs_status, vcs_diff, vcs_log through the VCS layer, with git and Mercurial."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.tools.conftest import MakeToolbox, call
from tests.vcs.repos import sh

SYSTEMS = [
    pytest.param(
        ("git", ["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm"]), id="git"
    ),
    pytest.param(
        ("hg", ["hg", "init"], ["hg", "add", "-q"], ["hg", "commit", "-m"]),
        id="hg",
        marks=pytest.mark.skipif(shutil.which("hg") is None, reason="hg not installed"),
    ),
]


@pytest.mark.parametrize("system", SYSTEMS)
async def test_status_diff_log(
    toolbox: MakeToolbox, workspace: Path, system: tuple[str, list[str], list[str], list[str]]
) -> None:
    _, init, add, commit = system
    sh(workspace, *init)
    sh(workspace, *add)
    sh(workspace, *commit, "first commit")
    (workspace / "src" / "app.py").write_text("def main():\n    print('changed')\n\nmain()\n")
    (workspace / "fresh.txt").write_text("new\n")
    box = toolbox()

    status = await call(box, "vcs_status")
    assert "changed: src/app.py" in status.text
    assert "untracked: fresh.txt" in status.text

    diff = await call(box, "vcs_diff")
    assert "-    print('hello')" in diff.text and "+    print('changed')" in diff.text
    narrowed = await call(box, "vcs_diff", paths=["README.md"])
    assert narrowed.text == "no uncommitted changes"

    log = await call(box, "vcs_log", n=5)
    assert log.text.count("\n") == 0 and log.text.endswith("Tester: first commit")


async def test_not_under_version_control(toolbox: MakeToolbox, workspace: Path) -> None:
    box = toolbox()
    assert "not under version control" in (await call(box, "vcs_status")).text
    assert (await call(box, "vcs_diff")).text == "no uncommitted changes"
