"""`coda --help` (and `coda chat --help`) stay light: no heavy module is imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["litellm", "oci", "tree_sitter", "networkx", "pydantic", "httpx", "prompt_toolkit"]
PROBE = """
import json, sys
from coda_cli.main import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
finally:
    sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in HEAVY)))
"""


@pytest.mark.parametrize("args", [["--help"], ["chat", "--help"], ["serve", "--help"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert "Usage" in done.stdout or "usage" in done.stdout, done.stderr
    assert json.loads(done.stderr.splitlines()[-1]) == []
