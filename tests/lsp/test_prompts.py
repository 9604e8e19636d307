"""The prompt library over LSP: prompts on a selection are code actions, whose command
sends the prompt filled with the selected text (unsaved buffer text included)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from coda_ls.modes import MODES
from tests.lsp.test_server import Session, execute, open_doc, rng
from tests.prompts.helpers import write_prompts
from tests.support.model_server import Reply, ScriptedModelServer

REVIEW_PY = """---
name: docstring
description: Write a docstring
mode: code
arguments:
  style: google
---
Write a {{style}}-style docstring for:

{{selection}}
"""


async def test_prompt_code_action_runs_the_filled_prompt(
    lsp: Session, workspace: Path, isolated_env: Path, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    write_prompts(workspace, isolated_env)
    (workspace / ".coda" / "prompts" / "docstring.md").write_text(REVIEW_PY)
    # The editor's buffer differs from the disk: the prompt gets what the user sees.
    edited = (workspace / "geometry.py").read_text().replace("width * height", "width * h2")
    uri = open_doc(client, workspace / "geometry.py", edited)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng(3, 6),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = {a.title: a for a in actions}
    # Only prompts that work on a selection are offered; the built-ins stay.
    assert {"Coda: Write a docstring", "Coda: Explain a SQL query", "Coda: Explain"} <= set(titles)
    assert "Coda: Write a one-line commit message" not in " ".join(titles)
    action = titles["Coda: Write a docstring"]
    assert isinstance(action, types.CodeAction) and action.command is not None
    assert action.kind == "coda.prompt" and action.command.command == "coda.runPrompt"

    model_server.script(Reply(text='"""Area of a rectangle."""'))
    argument = {**action.command.arguments[0], "showDocument": False, "requestId": "p1"}
    result = await execute(client, action.command.command, argument)
    assert result["text"] == '"""Area of a rectangle."""' and result["prompt"] == "docstring"
    messages = model_server.chat_requests()[-1].body["messages"]
    question = messages[-1]["content"]
    assert question.startswith("Write a google-style docstring for:\n\ndef area(width, height):")
    assert "return width * h2" in question, "the buffer's text, not the disk's"
    assert "perimeter" not in question, "only the selected lines"
    assert messages[0]["content"].startswith(MODES["code"].system_prompt)

    # No selection (an empty range): no prompt actions.
    empty = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(3, 0), end=types.Position(3, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not [a for a in empty if a.title.startswith("Coda: Write a docstring")]


async def test_prompts_command_lists_and_runs_with_arguments(
    lsp: Session, workspace: Path, isolated_env: Path, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    write_prompts(workspace, isolated_env)
    listed = await execute(client, "coda.prompts", {"uri": (workspace / "geometry.py").as_uri()})
    assert {p["name"] for p in listed["prompts"]} == {"commit", "explain-sql", "style"}
    assert listed["problems"][0]["path"].endswith("broken.md")
    model_server.script(Reply(text="fix: it"))
    result = await execute(
        client,
        "coda.runPrompt",
        {"name": "commit", "arguments": {"topic": "the parser"}, "showDocument": False},
    )
    assert result["text"] == "fix: it"
    question = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert question.endswith("Write a one-line commit message about the parser.")
