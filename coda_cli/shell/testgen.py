"""A question in the shell's `test` mode: tests for the file it names (`@path`) or the
files added with /add, written, run and fixed like `coda test` does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState
    from coda_ls.workspace import Answer

_MENTION = re.compile(r"(?<![\w.])@([\w./\\-]+[\w])")


def _target(shell: ShellState, question: str) -> tuple[Path, str]:
    """The file to test and the rest of the question (the instruction)."""
    from coda_ls.errors import CodaError

    for raw in _MENTION.findall(question):
        candidate = (shell.workspace / raw).resolve()
        if candidate.is_file():
            return candidate, question.replace(f"@{raw}", raw).strip()
    if shell.files:
        return shell.files[0], question.strip()
    raise CodaError(
        "the test mode needs the code to test",
        "name the file with @path (e.g. `tests for @src/calc.py`) or /add it",
    )


async def answer_tests(shell: ShellState, question: str) -> Answer:
    from rich.markup import escape

    from coda_ls.workspace import Answer, CodeSelection, TestGenRequest

    path, instruction = _target(shell, question)
    request = TestGenRequest(
        CodeSelection(path),
        instruction=instruction,
        session_id=shell.session_id,
        provider=shell.provider,
        model=shell.model,
    )

    def notice(text: str) -> None:
        shell.console.print(f"[coda.dim]{escape(text)}[/]")

    with shell.console.status(f"{shell.model_label()} is writing tests…"):
        report = await shell.core.generate_tests(request, on_notice=notice)
    shell.use_session(report.session_id)
    style = "coda.ok" if report.status == "passed" else "coda.warn"
    for line in report.lines()[1:-1]:
        shell.console.print(escape(line))
    shell.console.print(f"[{style}]tests {report.status}[/] ({escape(report.setup.test_file)})")
    return Answer(
        text="\n".join(report.lines()),
        mode="test",
        provider=report.provider,
        model=report.model,
        usage=report.usage,
        session_id=report.session_id,
    )
