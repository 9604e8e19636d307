"""The model's file tools see the editor's unsaved buffer and change it with
workspace/applyEdit, leaving the file on disk alone (end to end over stdio)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import SAMPLE, Recorder
from tests.lsp.test_server import execute, open_doc
from tests.support.model_server import Reply, ScriptedModelServer

Session = tuple[LanguageClient, Recorder]

UNSAVED = SAMPLE + "\n\ndef volume(width, height, depth):\n    return width * height * depth\n"
SEARCH = "    return width * height * depth\n"
REPLACE = "    return depth * area(width, height)\n"


def apply_text_edit(text: str, edit: types.TextEdit) -> str:
    """The client's side of a TextEdit (ASCII text: UTF-16 columns are characters)."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    start, end = offset(edit.range.start), offset(edit.range.end)
    return text[:start] + edit.new_text + text[end:]


@pytest.mark.parametrize("editor_accepts", [True, False])
async def test_edit_file_changes_the_unsaved_buffer_not_the_disk(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer, editor_accepts: bool
) -> None:
    client, recorder = lsp
    recorder.permission_answer = "Yes"
    recorder.apply_result = editor_accepts
    uri = open_doc(client, workspace / "geometry.py", UNSAVED, version=3)
    model_server.script(
        Reply(
            text="",
            chunks=[],
            tool_calls=[{"name": "read_file", "arguments": {"path": "geometry.py"}}],
        ),
        Reply(
            text="",
            chunks=[],
            tool_calls=[
                {
                    "name": "edit_file",
                    "arguments": {
                        "path": "geometry.py",
                        "edits": [{"search": SEARCH, "replace": REPLACE}],
                    },
                }
            ],
        ),
        Reply(text="finished"),
    )
    result = await execute(
        client, "coda.chat", {"question": "reuse area in volume", "showDocument": False}
    )
    assert result["text"] == "finished"

    requests = model_server.chat_requests()
    read_result = requests[1].body["messages"][-1]
    assert (
        read_result["role"] == "tool"
        and "def volume(width, height, depth):" in read_result["content"]
    )
    # the user was asked with a diff against the buffer
    assert len(recorder.permission_requests) == 1
    assert "+    return depth * area(width, height)" in recorder.permission_requests[0].message

    assert len(recorder.edits) == 1
    (change,) = recorder.edits[0].edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == uri and change.text_document.version == 3
    (text_edit,) = change.edits
    assert isinstance(text_edit, types.TextEdit)
    assert apply_text_edit(UNSAVED, text_edit) == UNSAVED.replace(SEARCH, REPLACE)

    edit_result = requests[2].body["messages"][-1]
    if editor_accepts:
        assert edit_result["content"].startswith("edited geometry.py")
    else:
        assert "the editor refused the edit" in edit_result["content"]
    assert (workspace / "geometry.py").read_text() == SAMPLE
