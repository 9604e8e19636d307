"""`coda.generateTests`: the `test` mode from the editor (the "Coda: Generate tests" code
action). Writes go through the editor when the test file is open, every write and the test
run are asked for with window/showMessageRequest (a diff for existing files), progress is
reported with $/progress, and the result comes back as JSON and a message."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pydantic import Field

from coda_ls.server.app import parse_args
from coda_ls.server.arguments import LLMArgs, RangeArg
from coda_ls.server.state import RunningRequest
from coda_ls.workspace import TestGenReport, TestGenRequest

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer

COMMAND = "coda.generateTests"
TITLE = "Coda: Generate tests"


class GenerateTestsArgs(LLMArgs):
    uri: str
    range: RangeArg | None = None
    instruction: str = ""
    rounds: int | None = Field(None, ge=0, le=10)
    test_file: str | None = Field(None, alias="testFile")


async def generate_tests(ls: CodaServer, *args: Any) -> dict[str, Any]:
    from coda_ls.server.commands import _selection

    a = parse_args(GenerateTestsArgs, args)
    request_id = ls.new_request_id(a.request_id)
    selection = _selection(ls, a.uri, a.range)
    if a.range is None:
        selection.start_line, selection.end_line = 1, None
    core = ls.workspace_for(selection.path).core
    request = TestGenRequest(
        selection,
        instruction=a.instruction,
        rounds=a.rounds,
        test_file=a.test_file,
        session_id=a.session_id,
        provider=a.provider,
        model=a.model,
    )
    token = await ls.begin_progress(
        f"coda-{request_id}", types.WorkDoneProgressBegin(title=TITLE, cancellable=True)
    )

    def notice(text: str) -> None:
        ls.log(f"[coda] {text}", types.MessageType.Info)
        if token is not None:
            ls.work_done_progress.report(token, types.WorkDoneProgressReport(message=text))

    task = asyncio.ensure_future(core.generate_tests(request, on_notice=notice))
    ls.track(RunningRequest(request_id, task, token, ls.current_msg_id()))
    try:
        report = await task
    finally:
        if token is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="done"))
    kind = types.MessageType.Info if report.status == "passed" else types.MessageType.Warning
    ls.window_show_message(
        types.ShowMessageParams(
            type=kind, message=f"Coda: tests {report.status} ({report.setup.test_file})"
        )
    )
    return {"requestId": request_id, **report_json(report)}


def report_json(report: TestGenReport) -> dict[str, Any]:
    setup = report.setup
    return {
        "status": report.status,
        "framework": setup.framework,
        "testFile": setup.test_file,
        "command": setup.command,
        "sessionId": report.session_id,
        "report": report.lines(),
        "rounds": [
            {
                "round": item.number,
                "action": item.action,
                "written": item.written,
                "exitCode": item.run.exit_code if item.run else None,
                "passed": item.run.passed if item.run else None,
                "failed": item.run.failed if item.run else None,
            }
            for item in report.rounds
        ],
    }
