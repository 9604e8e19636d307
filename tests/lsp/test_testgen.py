"""The test mode from an editor: the "Coda: Generate tests" code action and the
`coda.generateTests` command over stdio, with a real unittest run in the project."""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types

from tests.lsp.test_server import Session, execute, open_doc, rng
from tests.support.model_server import Reply, ScriptedModelServer

WRONG = """import unittest

from geometry import area


class AreaTest(unittest.TestCase):
    def test_area(self):
        self.assertEqual(area(2, 3), 5)
"""
RIGHT = WRONG.replace("area(2, 3), 5", "area(2, 3), 6")


async def test_generate_tests_is_a_code_action(lsp: Session, workspace: Path) -> None:
    client, recorder = lsp
    uri = open_doc(client, workspace / "geometry.py")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng(3, 5, 10),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    action = {a.title: a for a in actions}["Coda: Generate tests"]
    assert isinstance(action, types.CodeAction) and action.kind == "coda.test"
    assert action.command is not None and action.command.command == "coda.generateTests"
    assert action.command.arguments[0]["uri"] == uri
    assert recorder.capabilities is not None
    provider = recorder.capabilities.execute_command_provider
    assert provider is not None and "coda.generateTests" in provider.commands
    options = recorder.capabilities.code_action_provider
    assert isinstance(options, types.CodeActionOptions)
    assert "coda.test" in (options.code_action_kinds or [])
    only = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng(3, 5, 10),
            context=types.CodeActionContext(diagnostics=[], only=["coda.test"]),
        )
    )
    assert [a.title for a in only] == ["Coda: Generate tests"]


async def test_generate_tests_writes_runs_and_retries(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    recorder.permission_answer = "Yes"
    uri = open_doc(client, workspace / "geometry.py")
    model_server.script(
        Reply(text=json.dumps({"summary": "area", "content": WRONG})),
        Reply(text=json.dumps({"summary": "area, fixed", "content": RIGHT})),
    )
    result = await execute(
        client,
        "coda.generateTests",
        {"uri": uri, "range": {"start": {"line": 3, "character": 0},
                               "end": {"line": 5, "character": 27}}},
    )  # fmt: skip
    assert result["status"] == "passed", (result, [r.path for r in model_server.requests])
    assert result["framework"] == "unittest"  # no pytest in this project
    assert result["testFile"] == "tests/test_geometry.py"
    assert [(r["action"], r["exitCode"]) for r in result["rounds"]] == [
        ("created", 1),
        ("rewrote", 0),
    ]
    assert (workspace / "tests" / "test_geometry.py").read_text() == RIGHT
    asked = [p.message for p in recorder.permission_requests]
    assert len(asked) == 4 and "Write tests/test_geometry.py" in asked[0]
    assert "Run: " in asked[1] and "-m unittest" in asked[1]
    retry = model_server.chat_requests()[1].body["messages"][-1]["content"]
    assert "AssertionError: 6 != 5" in retry


async def test_an_open_test_file_is_changed_in_the_editor_and_run_from_disk(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    recorder.permission_answer = "Yes"
    tests = workspace / "tests"
    tests.mkdir()
    (tests / "test_geometry.py").write_text(RIGHT)
    open_doc(client, tests / "test_geometry.py")
    uri = open_doc(client, workspace / "geometry.py")
    more = "\n\nclass MoreTest(unittest.TestCase):\n    def test_zero(self):\n" \
        "        self.assertEqual(area(0, 3), 0)\n"  # fmt: skip
    model_server.script(Reply(text=json.dumps({"append": more})))
    result = await execute(client, "coda.generateTests", {"uri": uri})
    assert result["status"] == "passed", result
    assert result["rounds"][0]["action"] == "appended to"
    assert result["rounds"][0]["passed"] == 2  # the appended test ran: it is on disk
    assert recorder.edits, "the open test file is changed through the editor"
    assert "test_zero" in (tests / "test_geometry.py").read_text()
    asked = recorder.permission_requests[0].message
    assert "+class MoreTest" in asked  # the existing file's diff was shown
