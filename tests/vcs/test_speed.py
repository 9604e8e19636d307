"""Detection and the tracked-file list of a 10,000-file git repository stay under 0.5 s."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from coda_ls.vcs import detect
from tests.vcs.repos import sh


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_ten_thousand_files_in_half_a_second(tmp_path: Path) -> None:
    for d in range(100):
        folder = tmp_path / f"pkg{d:02d}"
        folder.mkdir()
        for f in range(100):
            (folder / f"m{f:02d}.py").write_text("x\n")
    sh(tmp_path, "git", "init", "-q")
    sh(tmp_path, "git", "add", ".")
    best = float("inf")
    for _ in range(3):  # best of three: the machine is shared
        start = time.perf_counter()
        files = detect(tmp_path / "pkg42").sync.tracked_files()
        best = min(best, time.perf_counter() - start)
    assert len(files) == 10_000
    assert best <= 0.5, f"{best:.3f}s"
