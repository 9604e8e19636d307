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


# A warm `coda map` loads the persisted map; it must not pay for what only questions use
# (issue 16: these imports were most of the CLI's fixed cost over the cache load).
NOT_ON_A_WARM_MAP = [
    "asyncio",
    "concurrent.futures.process",
    "coda_ls.engine",
    "coda_ls.providers",
    "coda_ls.sessions",
    "coda_ls.tools",
    "rich.progress",
    "sqlite_utils",
    "tiktoken",
    "tree_sitter",
]
PROBE = """
import json, sys
from coda_cli.main import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
finally:
    heavy = [m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    sys.stderr.write("\\n" + json.dumps(sorted(heavy)))
"""


def test_warm_map_imports_only_what_it_uses(tmp_path: Path) -> None:
    make_project(tmp_path)
    # A git work tree, as most projects are (elsewhere the lister asks the VCS layer).
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    first = run_map(str(tmp_path), "--tokens", "200", cwd=tmp_path)  # cold: builds, persists
    assert first.returncode == 0, first.stderr
    code = f"HEAVY = {NOT_ON_A_WARM_MAP!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", code, "map", str(tmp_path), "--tokens", "200"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "class Circle" in done.stdout, done.stderr
    assert first.stdout == done.stdout
    assert "0 parsed, 2 cached" in done.stderr
    assert json.loads(done.stderr.splitlines()[-1]) == []
