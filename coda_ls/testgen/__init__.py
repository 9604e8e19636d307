"""The `test` mode: tests for a selection, written into the project's test layout, run
with its runner, and fixed by the model from the failures for a few rounds.

    from coda_ls.testgen import TestGenRequest, generate_tests
    report = await generate_tests(workspace, TestGenRequest(selection), on_notice=print)
    report.status   # "passed", "failed", "refused", "no tests" or "not run"

`setup` picks the framework, file and command; `answer` parses the model's plan;
`results` reads the runner's output; `loop` runs the rounds.
"""

from __future__ import annotations

from coda_ls.testgen.answer import TestPlan, parse_plan
from coda_ls.testgen.loop import Round, TestGenReport, TestGenRequest, generate_tests
from coda_ls.testgen.results import RunResult, read_result
from coda_ls.testgen.setup import TestSetup, detect_setup

__all__ = [
    "Round",
    "RunResult",
    "TestGenReport",
    "TestGenRequest",
    "TestPlan",
    "TestSetup",
    "detect_setup",
    "generate_tests",
    "parse_plan",
    "read_result",
]
