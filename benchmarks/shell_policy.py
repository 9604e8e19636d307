"""The shell deny-list variants through the real Toolbox: what happens to each with
`permissions.shell = "allow"` (ran / refused / asked) and how long the check takes.

    python benchmarks/shell_policy.py [--repeat 200]

Nothing is executed: the shell tool's `run` only records the command. Run it with
another checkout first on PYTHONPATH to get the "before" column of a comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))  # PYTHONPATH first

from coda_ls.config import Settings
from coda_ls.providers.base import ToolCall
from coda_ls.tools import Toolbox
from tests.tools.conftest import ScriptedAsker
from tests.tools.test_shell_policy import VARIANTS, RecordingShell


async def outcome(box: Toolbox, shell: RecordingShell, asker: ScriptedAsker, cmd: str) -> str:
    before_asks = len(asker.requests)
    result = await box.execute(ToolCall(id="c", name="shell", arguments={"command": cmd}))
    if shell.ran and shell.ran[-1] == cmd:
        shell.ran.clear()
        return "RAN"
    if len(asker.requests) > before_asks:
        return "asked"
    return "refused" if result.is_error else "?"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    settings = Settings.model_validate({"permissions": {"shell": "allow"}})
    with tempfile.TemporaryDirectory() as tmp:
        shell = RecordingShell()
        asker = ScriptedAsker()
        box = Toolbox(Path(tmp), settings, asker, tools=[shell])
        print(f"| command | expected | outcome | check µs (median of {args.repeat}) |")
        print("| --- | --- | --- | --- |")
        got_through = 0
        for command, expected in VARIANTS:
            seen = await outcome(box, shell, asker, command)
            got_through += seen == "RAN"
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                await box._permission(box._tools["shell"], _request(command))
                timings.append((time.perf_counter() - started) * 1e6)
            shown = command.replace("\n", "⏎").replace("|", "\\|")
            print(f"| `{shown}` | {expected} | {seen} | {statistics.median(timings):.0f} |")
        print(f"\n{got_through} of {len(VARIANTS)} ran")


def _request(command: str) -> object:
    from coda_ls.tools.permissions import PermissionRequest

    return PermissionRequest("shell", "shell", f"Run: {command}", details={"command": command})


if __name__ == "__main__":
    asyncio.run(main())
