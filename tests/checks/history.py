"""A tiny repository driver for history tests: the same story in git and Mercurial,
with the real tools (write files, commit everything, tag)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.vcs.repos import sh

SYSTEMS = ["git", "hg"]


class Repo:
    """A working copy of `system` at `root`."""

    def __init__(self, system: str, root: Path) -> None:
        if shutil.which(system) is None:
            pytest.skip(f"{system} is not installed")
        self.system = system
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        if system == "git":
            sh(root, "git", "init", "-q", "-b", "main")
        else:
            sh(root, "hg", "init")

    def write(self, files: dict[str, str]) -> None:
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def commit(self, message: str, files: dict[str, str] | None = None) -> None:
        self.write(files or {})
        if self.system == "git":
            sh(self.root, "git", "add", "-A")
            sh(self.root, "git", "commit", "-q", "-m", message)
        else:
            sh(self.root, "hg", "addremove", "-q")
            sh(self.root, "hg", "commit", "-q", "-m", message)

    def tag(self, name: str) -> None:
        if self.system == "git":
            sh(self.root, "git", "tag", name)
        else:
            sh(self.root, "hg", "tag", name)  # commits .hgtags: the checks ignore it
