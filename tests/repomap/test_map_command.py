"""`coda map` as a user runs it: a real subprocess, no config, no model server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run_map(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coda_cli", "map", *args],
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def make_project(root: Path) -> None:
    (root / "lib").mkdir(parents=True)
    (root / "lib/shapes.py").write_text(
        'class Circle:\n    """A round shape."""\n\n    def area(self):\n        return 3\n'
    )
    (root / "main.py").write_text("from lib.shapes import Circle\n\nprint(Circle().area())\n")


def test_map_prints_a_tree(tmp_path: Path) -> None:
    make_project(tmp_path)
    done = run_map(str(tmp_path), "--tokens", "200", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lib/shapes.py:" in done.stdout
    assert "class Circle" in done.stdout and "A round shape." in done.stdout
    assert "2 files" in done.stderr


def test_map_json_with_focus(tmp_path: Path) -> None:
    make_project(tmp_path)
    done = run_map("--json", "--focus", "main.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["budget"] == 1024 and data["files"][0] == "lib/shapes.py"
    assert data["tags"][0]["qualname"] in {"Circle", "Circle.area"}
