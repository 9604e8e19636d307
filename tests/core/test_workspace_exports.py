"""Every name `coda_ls.workspace` exports resolves, though most load on first access."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import coda_ls.workspace as ws
assert "coda_ls.engine" not in sys.modules, "the engine was imported with the workspace"
missing = []
for name in ws.__all__:
    try:
        getattr(ws, name)
    except AttributeError:
        missing.append(name)
print(missing)
"""


def test_every_export_resolves_and_the_engine_loads_lazily() -> None:
    # A fresh interpreter: other tests have imported the engine in this one.
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
