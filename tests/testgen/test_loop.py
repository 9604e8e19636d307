"""The test mode through the core: the Workspace, the real Ollama provider against the
scripted model server, the real toolbox (write_file, shell) and a real pytest run."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.config import load_settings
from coda_ls.context import CodeSelection
from coda_ls.tools import Decision
from coda_ls.workspace import TestGenRequest, Workspace
from tests.support.model_server import Reply, ScriptedModelServer
from tests.testgen.conftest import FAILING_TESTS, PASSING_TESTS, ScriptedAsker, plan


def open_workspace(root: Path, server: ScriptedModelServer, asker: ScriptedAsker, **extra: object):
    overrides = {"providers.ollama.host": server.url, "provider": "ollama", **extra}
    return Workspace(root, load_settings(cwd=root, overrides=overrides), asker=asker)


async def test_writes_runs_and_retries_once_on_a_failing_answer(
    project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=plan(FAILING_TESTS)), Reply(text=plan(PASSING_TESTS)))
    asker = ScriptedAsker()
    workspace = open_workspace(project, model_server, asker)
    notices: list[str] = []
    try:
        report = await workspace.generate_tests(
            TestGenRequest(CodeSelection(project / "calc.py", 1, 2)),
            on_notice=notices.append,
        )
    finally:
        await workspace.aclose()

    assert report.setup.framework == "pytest"
    assert report.setup.test_file == "tests/test_calc.py"
    assert report.setup.command == ".venv/bin/python -m pytest -q tests/test_calc.py"
    assert report.status == "passed", report.lines()
    first, second = report.rounds
    assert (first.action, first.run and first.run.exit_code) == ("created", 1)
    assert first.run is not None and first.run.failed == 1
    assert second.action == "rewrote" and second.run is not None
    assert (second.run.passed, second.run.failed) == (2, None)
    assert (project / "tests" / "test_calc.py").read_text() == PASSING_TESTS

    # Two model calls; the second one carries the real pytest failure, in the same session.
    chats = model_server.chat_requests()
    assert len(chats) == 2
    system = chats[0].body["messages"][0]["content"]
    assert '"content": "the complete test file"' in system  # the test mode's format
    first_prompt = chats[0].body["messages"][-1]["content"]
    assert "Framework: pytest" in first_prompt and "def add(a, b):" in first_prompt
    retry = chats[1].body["messages"]
    assert "assert 4 == 5" in retry[-1]["content"]
    assert "The tests failed (exit code 1)" in retry[-1]["content"]
    assert any(m["role"] == "assistant" for m in retry)  # round 1's answer, from the session
    # Every write and run went through the permission prompt (the default policy: ask).
    assert [r.tool for r in asker.requests] == ["write_file", "shell", "write_file", "shell"]
    assert asker.requests[2].diff and "-    assert add(2, 2) == 5" in asker.requests[2].diff
    assert any("failed with exit code 1" in n for n in notices)


async def test_stops_after_the_rounds_and_reports_the_failure(
    project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=plan(FAILING_TESTS)), Reply(text=plan(FAILING_TESTS)))
    workspace = open_workspace(project, model_server, ScriptedAsker())
    try:
        report = await workspace.generate_tests(
            TestGenRequest(CodeSelection(project / "calc.py"), rounds=1)
        )
    finally:
        await workspace.aclose()
    assert report.status == "failed"
    assert len(report.rounds) == 2 and len(model_server.chat_requests()) == 2
    assert report.rounds[1].action == "unchanged"  # the same file again: nothing to write
    assert report.lines()[-1] == "result: failed"


async def test_existing_tests_are_not_changed_without_a_confirmed_diff(
    project: Path, model_server: ScriptedModelServer
) -> None:
    tests = project / "tests"
    tests.mkdir()
    mine = "def test_mine():\n    assert True\n"
    (tests / "test_calc.py").write_text(mine)
    # Writes are allowed by policy, yet changing a file that was there needs a yes.
    model_server.script(Reply(text=plan(PASSING_TESTS)))
    asker = ScriptedAsker(Decision.NO)
    workspace = open_workspace(
        project, model_server, asker, **{"permissions.write": "allow", "permissions.shell": "allow"}
    )
    try:
        report = await workspace.generate_tests(TestGenRequest(CodeSelection(project / "calc.py")))
    finally:
        await workspace.aclose()
    assert report.setup.exists
    assert report.status == "refused"
    assert (tests / "test_calc.py").read_text() == mine
    assert len(asker.requests) == 1
    assert asker.requests[0].diff and "-def test_mine():" in asker.requests[0].diff
    prompt = model_server.chat_requests()[0].body["messages"][-1]["content"]
    assert "it already exists" in prompt and "def test_mine" in prompt


async def test_appends_to_existing_tests_after_a_yes(
    project: Path, model_server: ScriptedModelServer
) -> None:
    tests = project / "tests"
    tests.mkdir()
    mine = "from calc import add\n\n\ndef test_mine():\n    assert add(1, 1) == 2\n"
    (tests / "test_calc.py").write_text(mine)
    addition = "def test_more():\n    assert add(0, 0) == 0\n"
    model_server.script(Reply(text=plan(append=addition)))
    asker = ScriptedAsker(Decision.YES)
    workspace = open_workspace(project, model_server, asker, **{"permissions.write": "allow"})
    try:
        report = await workspace.generate_tests(TestGenRequest(CodeSelection(project / "calc.py")))
    finally:
        await workspace.aclose()
    assert report.status == "passed", report.lines()
    assert report.rounds[0].action == "appended to"
    assert (tests / "test_calc.py").read_text() == mine + "\n\n" + addition
    assert report.rounds[0].run is not None and report.rounds[0].run.passed == 2
    write, run = asker.requests
    assert write.tool == "write_file" and write.diff and "+def test_more():" in write.diff
    assert run.tool == "shell"


async def test_a_declined_run_is_reported_not_retried(
    project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=plan(PASSING_TESTS)))
    workspace = open_workspace(project, model_server, ScriptedAsker(Decision.YES, Decision.NO))
    try:
        report = await workspace.generate_tests(TestGenRequest(CodeSelection(project / "calc.py")))
    finally:
        await workspace.aclose()
    assert report.status == "not run"
    assert report.rounds[0].written and report.rounds[0].run is not None
    assert not report.rounds[0].run.ran
    assert len(model_server.chat_requests()) == 1


@pytest.mark.parametrize("answer", ["no tests here, sorry", '{"summary": "nothing"}'])
async def test_an_answer_without_tests_is_asked_again(
    project: Path, model_server: ScriptedModelServer, answer: str
) -> None:
    model_server.script(Reply(text=answer), Reply(text=plan(PASSING_TESTS)))
    workspace = open_workspace(project, model_server, ScriptedAsker())
    try:
        report = await workspace.generate_tests(TestGenRequest(CodeSelection(project / "calc.py")))
    finally:
        await workspace.aclose()
    assert report.status == "passed"
    assert report.rounds[0].action == "no tests in the answer"
    assert "could not be written" in model_server.chat_requests()[1].body["messages"][-1]["content"]


async def test_a_last_answer_without_tests_leaves_the_verdict_of_the_last_run(
    project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=plan(FAILING_TESTS)), Reply(text="I give up."))
    workspace = open_workspace(project, model_server, ScriptedAsker())
    try:
        report = await workspace.generate_tests(
            TestGenRequest(CodeSelection(project / "calc.py"), rounds=1)
        )
    finally:
        await workspace.aclose()
    assert [r.action for r in report.rounds] == ["created", "no tests in the answer"]
    assert report.status == "failed"  # the tests on disk still fail
