"""`coda map` as a user runs it: a real subprocess, no config, no model server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


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
    # An unchanged configuration that passed before is not checked again (config_memo).
    "coda_ls.config",
    "pydantic",
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


def test_a_broken_configuration_stops_a_warm_map_too(tmp_path: Path, isolated_env: Path) -> None:
    """A configuration that passed is remembered; an edited one is checked again, so a
    map after a good one still reports a broken file (and works again once fixed)."""
    make_project(tmp_path)
    config = isolated_env / ".config" / "coda" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[repomap]\ntokens = 300\n")
    for _ in range(2):  # the second run takes the remembered values
        done = run_map("--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["budget"] == 300
    config.write_text('[repomap]\ntokens = 300\n[providers.ollama]\ntimeout = "soon"\n')
    broken = run_map("--json", cwd=tmp_path)
    assert broken.returncode != 0
    error = json.loads(broken.stdout)["error"]  # --json: the error as JSON too
    assert error["kind"] == "ConfigError"
    assert "timeout" in error["message"] and str(config) in error["message"]
    assert "Traceback" not in broken.stderr
    config.write_text("[repomap]\ntokens = 500\n")
    fixed = run_map("--json", cwd=tmp_path)
    assert fixed.returncode == 0 and json.loads(fixed.stdout)["budget"] == 500


def test_repomap_settings_from_the_environment_are_converted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A string from a variable is not a plain value: the full check converts it."""
    make_project(tmp_path)
    monkeypatch.setenv("CODA_REPOMAP__TOKENS", "256")
    for _ in range(2):
        done = run_map("--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["budget"] == 256
