"""The `test` mode's loop: ask for tests, write them, run them, feed failures back.

Round 1 asks the model (mode `test`, no tools: the answer is a JSON plan, see
`coda_ls.testgen.answer`) for tests of the selection, telling it the framework, the test
file and whether it exists (with its text), and the command. The plan is written through
the workspace's toolbox and the test command is run through its shell tool, so both go
through the permission policy and the front's `Asker` like any tool call. While the run
fails and rounds are left (`testgen.rounds`, `--rounds`), the failure output goes back to
the model in the same session and its corrected plan is written and run again.

A test file that existed before the run is never changed without a diff and a yes: the
Asker is asked with the diff whatever `permissions.write` says ("allow" or an earlier
"always" included), and "deny" refuses. A file this run created is Coda's own: rewriting
it in a later round follows the write policy (which shows the diff when it asks).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from coda_ls.context import CodeSelection, read_text
from coda_ls.engine import (
    AskRequest,
    DeltaCallback,
    NoticeCallback,
    StartCallback,
    emit_text,
)
from coda_ls.errors import CodaError, EditError
from coda_ls.testgen.answer import TestPlan, parse_plan
from coda_ls.testgen.results import RunResult, read_result
from coda_ls.testgen.setup import TestSetup, detect_setup
from coda_ls.tools.base import ToolResult
from coda_ls.tools.permissions import Decision, policy_for
from coda_ls.tools.textfile import write_atomic
from coda_ls.wire import ToolCall, Usage

if TYPE_CHECKING:
    from coda_ls.tools import Toolbox
    from coda_ls.workspace import Workspace

log = logging.getLogger(__name__)

Status = Literal["passed", "failed", "not run", "refused", "no tests"]


@dataclass
class TestGenRequest:
    """Tests for `selection`; `rounds` fix-up rounds at most (None: `testgen.rounds`)."""

    __test__ = False  # not a pytest test class

    selection: CodeSelection
    instruction: str = ""
    rounds: int | None = None
    test_file: str | None = None  # root-relative; None: chosen by `detect_setup`
    session_id: str | None = None
    provider: str | None = None
    model: str | None = None


@dataclass
class Round:
    """One ask → write → run."""

    number: int
    action: str  # "created", "appended to", "edited", "rewrote", "unchanged", or why not
    test_file: str
    written: bool
    run: RunResult | None = None
    summary: str = ""  # the model's


@dataclass
class TestGenReport:
    """What the test mode did, round by round."""

    __test__ = False  # not a pytest test class

    setup: TestSetup
    rounds: list[Round] = field(default_factory=list)
    session_id: str | None = None
    provider: str = ""
    model: str = ""
    usage: Usage = field(default_factory=Usage)

    @property
    def status(self) -> Status:
        if not self.rounds:
            return "not run"
        last = self.rounds[-1]
        runs = [item.run for item in self.rounds if item.run is not None and item.run.ran]
        if runs and (last.run is None or last.run.ran):  # the tests as they are on disk now
            return "passed" if runs[-1].ok else "failed"
        if not last.written and last.action.startswith(("refused", "declined")):
            return "refused"
        if not last.written and last.action.startswith("no tests"):
            return "no tests"
        return "not run"

    def lines(self) -> list[str]:
        """The report for a terminal or a log: one line per round, then the verdict."""
        out = [f"setup: {self.setup.describe()}"]
        for item in self.rounds:
            line = f"round {item.number}: {item.action} {item.test_file}"
            if item.run is not None:
                if item.run.ran:
                    counts = item.run.counts()
                    verdict = "passed" if item.run.ok else f"failed (exit {item.run.exit_code})"
                    line += f"; tests {verdict}" + (f": {counts}" if counts else "")
                else:
                    line += f"; not run: {item.run.output.strip().splitlines()[0][:200]}"
            out.append(line)
        out.append(f"result: {self.status}")
        return out


async def generate_tests(
    workspace: Workspace,
    request: TestGenRequest,
    on_delta: DeltaCallback | None = None,
    *,
    on_start: StartCallback | None = None,
    on_notice: NoticeCallback | None = None,
) -> TestGenReport:
    """Write tests for `request.selection`, run them, and retry on failure (see module)."""
    toolbox = workspace.toolbox
    if toolbox is None:
        raise CodaError(
            "the test mode needs a front that can ask for permission",
            "run it from `coda test`, the shell or an editor",
        )
    from coda_ls.tools import listing

    files = await listing.workspace_files(toolbox.ctx)
    settings = workspace.settings.testgen
    # The analysis reads manifests and may ask the VCS: off the event loop (the server's).
    info = await asyncio.to_thread(workspace.project_info)
    setup = detect_setup(
        workspace.root,
        request.selection.path,
        info,
        files,
        command=settings.command,
        test_file=request.test_file,
    )
    rounds = settings.rounds if request.rounds is None else request.rounds
    report = TestGenReport(setup, session_id=request.session_id)
    await emit_text(on_notice, f"tests: {setup.describe()}")
    question = _first_question(setup, request)
    for number in range(1, rounds + 2):
        answer = await workspace.ask(
            AskRequest(
                question=question,
                mode="test",
                # Every round: the history keeps the questions, not the code sent with them.
                selection=request.selection,
                attachments=_current(setup, workspace.root),
                session_id=report.session_id,
                new_session=report.session_id is None,
                provider=request.provider,
                model=request.model,
                use_tools=False,
            ),
            on_delta,
            on_start=on_start,
            on_notice=on_notice,
        )
        report.session_id = answer.session_id
        report.provider, report.model = answer.provider, answer.model
        report.usage = report.usage + answer.usage
        plan = parse_plan(answer.text)
        item = await _write(toolbox, setup, plan, number)
        report.rounds.append(item)
        await emit_text(on_notice, f"round {number}: {item.action} {item.test_file}")
        if not item.written and item.action != "unchanged":
            if item.action.startswith(("refused", "declined")) or number > rounds:
                break
            question = _retry_after_write(item, setup)
            continue
        item.run = await _run(toolbox, setup, settings.timeout)
        await emit_text(on_notice, _run_notice(number, item.run, setup))
        if item.run.ok or not item.run.ran or number > rounds:
            break
        question = _retry_after_run(item.run, setup)
    return report


def _first_question(setup: TestSetup, request: TestGenRequest) -> str:
    state = (
        "it already exists (its text is below): keep its tests and add yours with "
        '"append" or "edits"'
        if setup.exists
        else 'it does not exist yet: give its whole text in "content"'
    )
    lines = [
        "Write tests for this code.",
        f"Framework: {setup.framework} ({setup.language}).",
        f"Test file: `{setup.test_file}`; {state}.",
        f"They will be run from the project root with: `{setup.command}`",
    ]
    if setup.language == "Python":
        lines.append(
            f"Import the code under test as a module of the project (the file is "
            f"`{setup.source}`; the project root is the working directory)."
        )
    if request.instruction.strip():
        lines.append(f"Also: {request.instruction.strip()}")
    return "\n".join(lines)


def _current(setup: TestSetup, root: Path) -> list[tuple[str, str]]:
    """The test file as it is now, when there is one (before round 1: the user's)."""
    path = root / setup.test_file
    if not path.is_file():
        return []
    return [(f"Current text of `{setup.test_file}`", read_text(path))]


def _retry_after_run(run: RunResult, setup: TestSetup) -> str:
    return (
        f"The tests failed (exit code {run.exit_code}). The end of the output of "
        f"`{setup.command}`:\n```\n{run.tail()}\n```\n"
        "Fix the tests and answer again in the same JSON shape."
    )


def _retry_after_write(item: Round, setup: TestSetup) -> str:
    return (
        f"Your answer could not be written to `{setup.test_file}`: {item.action}. "
        "Answer again in the JSON shape asked for."
    )


def _run_notice(number: int, run: RunResult, setup: TestSetup) -> str:
    if not run.ran:
        return f"round {number}: tests not run ({run.output.strip()[:200]})"
    counts = f" ({run.counts()})" if run.counts() else ""
    verdict = "passed" if run.ok else f"failed with exit code {run.exit_code}"
    return f"round {number}: `{setup.command}` {verdict}{counts}"


async def _write(toolbox: Toolbox, setup: TestSetup, plan: TestPlan, number: int) -> Round:
    """Write the plan into the chosen test file (the file the command runs: a different
    path the model names is not followed). A file that was there before the run is
    changed only after the user saw the diff and said yes."""
    target = setup.test_file
    if plan.empty:
        return Round(number, "no tests in the answer", target, False, summary=plan.summary)
    path = toolbox.workspace / target
    exists = path.is_file()
    current = read_text(path) if exists else None
    try:
        new_text = plan.new_text(current)
    except EditError as exc:
        return Round(number, f"edit did not apply ({exc.message})", target, False)
    if new_text == current:
        return Round(number, "unchanged", target, False, summary=plan.summary)
    verb = "created" if not exists else ("appended to" if plan.append else "rewrote")
    if plan.edits and plan.content is None and plan.append is None:
        verb = "edited"
    arguments = {"path": target, "content": new_text}
    if exists and setup.exists:
        refusal = await _confirm_overwrite(toolbox, arguments)
        if refusal is not None:
            return Round(number, refusal, target, False, summary=plan.summary)
        result = await _write_confirmed(toolbox, arguments)
    else:
        result = await toolbox.execute(
            ToolCall(id=f"testgen-{uuid.uuid4().hex[:8]}", name="write_file", arguments=arguments)
        )
    if result.is_error:
        action = "declined" if "declined" in result.text else "refused"
        return Round(number, f"{action}: {result.text}", target, False, summary=plan.summary)
    await asyncio.to_thread(_save, path, new_text)
    return Round(number, verb, target, True, summary=plan.summary)


def _save(path: Path, text: str) -> None:
    """The runner reads the disk: a test file open in an editor was changed in its buffer
    (undoable there), so the same approved text is saved to disk too."""
    try:
        on_disk = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        on_disk = None
    if on_disk != text:
        write_atomic(path, text)


async def _confirm_overwrite(toolbox: Toolbox, arguments: dict[str, str]) -> str | None:
    """Ask with the diff before changing a test file that was there before; None = yes."""
    from coda_ls.tools.files import WriteFile

    if policy_for(toolbox.settings.permissions, "write") == "deny":
        return "refused: permissions.write is 'deny'"
    tool = WriteFile()
    try:
        request = await tool.describe(tool.parse(arguments), toolbox.ctx)
    except CodaError as exc:
        return f"refused: {exc.message}"
    decision = await toolbox.asker.ask(request)
    if decision is Decision.NO:
        return "declined: the user did not confirm the change to an existing test file"
    return None


async def _write_confirmed(toolbox: Toolbox, arguments: dict[str, str]) -> ToolResult:
    """Write after the user confirmed the diff (not asked again, whatever the policy)."""
    from coda_ls.tools.files import WriteFile

    tool = WriteFile()
    try:
        return await tool.run(tool.parse(arguments), toolbox.ctx)
    except (CodaError, OSError) as exc:
        return ToolResult(f"refused: {exc}", is_error=True)


async def _run(toolbox: Toolbox, setup: TestSetup, timeout: float) -> RunResult:
    result = await toolbox.execute(
        ToolCall(
            id=f"testgen-{uuid.uuid4().hex[:8]}",
            name="shell",
            arguments={"command": setup.command, "timeout": timeout},
        )
    )
    return read_result(result.text, result.is_error, setup.framework)


__all__ = ["Round", "TestGenReport", "TestGenRequest", "generate_tests"]
