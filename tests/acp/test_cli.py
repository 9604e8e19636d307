"""`coda acp` from the command line: help, and a clear word when the SDK is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _coda(*args: str, pythonpath: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "coda_cli", *args],
        capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_help_names_the_zed_setting() -> None:
    out = _coda("acp", "--help")
    assert out.returncode == 0
    assert "agent_servers" in out.stdout and "coda-assistant[acp]" in out.stdout


def test_without_the_sdk_it_names_the_extra(tmp_path: Path) -> None:
    # A package named `acp` that fails to import stands for the SDK not being installed.
    shadow = tmp_path / "acp"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ImportError(\"No module named 'acp'\")\n")
    out = _coda("acp", pythonpath=str(tmp_path))
    assert out.returncode == 1
    said = out.stdout + out.stderr
    assert "agent-client-protocol" in said and "pip install 'coda-assistant[acp]'" in said
    assert "Traceback" not in said
