"""What a test run says: its exit code, and passed/failed counts read from the runner's
summary line (pytest, unittest, Jest/Vitest, go test, cargo test). The exit code decides
pass or fail; the counts are for the report and may be None when no summary was found."""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXIT = re.compile(r"\Aexit code (-?\d+)\n?")
_PYTEST = re.compile(r"=+ (.*?) in [\d.]+s")
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|error)\b")
_UNITTEST_RAN = re.compile(r"^Ran (\d+) tests?", re.MULTILINE)
_UNITTEST_FAILED = re.compile(r"^FAILED \((.*)\)", re.MULTILINE)
_JS_TESTS = re.compile(r"^\s*Tests:?\s+(.*)$", re.MULTILINE)
_CARGO = re.compile(r"test result: \w+\. (\d+) passed; (\d+) failed")
_GO = re.compile(r"^(?:\s*)--- (PASS|FAIL)", re.MULTILINE)
OUTPUT_FOR_MODEL = 6000  # characters of a failed run the model reads (its end matters most)


@dataclass(frozen=True)
class RunResult:
    """One run of the test command through the shell tool."""

    ran: bool  # False: refused, declined or timed out before an exit code
    exit_code: int | None
    output: str
    passed: int | None = None
    failed: int | None = None

    @property
    def ok(self) -> bool:
        return self.ran and self.exit_code == 0

    def counts(self) -> str:
        if self.passed is None and self.failed is None:
            return ""
        return f"{self.passed or 0} passed, {self.failed or 0} failed"

    def tail(self, limit: int = OUTPUT_FOR_MODEL) -> str:
        """The output's end, where runners print failures and the summary."""
        if len(self.output) <= limit:
            return self.output
        return f"[… {len(self.output) - limit:,} characters cut …]\n" + self.output[-limit:]


def read_result(tool_text: str, is_error: bool, framework: str) -> RunResult:
    """The shell tool's result text ("exit code N\\n<output>", or a refusal) as a run."""
    match = _EXIT.match(tool_text)
    if match is None:
        return RunResult(ran=False, exit_code=None, output=tool_text)
    output = tool_text[match.end() :]
    passed, failed = counts(output, framework)
    return RunResult(True, int(match.group(1)), output, passed, failed)


def counts(output: str, framework: str) -> tuple[int | None, int | None]:
    """(passed, failed) from a runner's output; failed includes errors."""
    if framework == "unittest":
        ran = _UNITTEST_RAN.findall(output)
        if not ran:
            return None, None
        total = int(ran[-1])
        failed_lines = _UNITTEST_FAILED.findall(output)
        bad = 0
        if failed_lines:
            bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", failed_lines[-1]))
        return total - bad, bad
    if framework == "cargo test":
        found = _CARGO.findall(output)
        if not found:
            return None, None
        return sum(int(p) for p, _ in found), sum(int(f) for _, f in found)
    if framework == "go test":
        marks = _GO.findall(output)
        if not marks:
            return None, None
        return marks.count("PASS"), marks.count("FAIL")
    if framework == "pytest":
        lines = _PYTEST.findall(output)
        output = lines[-1] if lines else output
    elif framework in ("Jest", "Vitest"):  # "Tests: 1 failed, 3 passed" (not "Test Suites:")
        lines = _JS_TESTS.findall(output)
        output = lines[-1] if lines else output
    passed = failed = None
    for number, word in _COUNT.findall(output):
        if word == "passed":
            passed = int(number)
        else:
            failed = (failed or 0) + int(number)
    return passed, failed
