"""`/image` and `/attach` in the shell: sent with the next question only, kept when the model
refuses images, and a PDF's text sent to any model."""

from __future__ import annotations

import base64
from pathlib import Path

from coda_cli.shell.slash import dispatch
from coda_cli.shell.state import ShellState
from coda_cli.shell.turn import run_line
from tests.shell.conftest import Captured
from tests.support.files import pdf_bytes, png_bytes
from tests.support.model_server import ScriptedModel, ScriptedModelServer


async def test_image_goes_with_the_next_question_only(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.models.append(ScriptedModel("llava:7b", vision=True))
    (workspace / "err.png").write_bytes(png_bytes())
    await dispatch(shell, "/model qwen2.5-coder:7b")
    await dispatch(shell, "/image err.png")
    assert "attached err.png (image" in out.take()

    await run_line(shell, "what went wrong?")  # a text-only model: refused, nothing sent
    text = out.take()
    assert "does not accept images" in text and "llava" in text
    assert model_server.chat_requests() == []
    assert [item.name for item in shell.attached] == ["err.png"]  # kept for the next try

    await dispatch(shell, "/model llava:7b")
    await run_line(shell, "what went wrong?")
    sent = model_server.chat_requests()[-1].body["messages"][-1]
    assert [base64.b64decode(i) for i in sent["images"]] == [png_bytes()]
    assert shell.attached == []
    await run_line(shell, "and now?")
    assert "images" not in model_server.chat_requests()[-1].body["messages"][-1]


async def test_attach_a_pdf_list_and_clear(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer, workspace: Path
) -> None:
    (workspace / "spec.pdf").write_bytes(pdf_bytes("Rule one", "Rule two"))
    await dispatch(shell, "/attach spec.pdf notes.md")
    await dispatch(shell, "/attach")
    assert "attached for the next question: spec.pdf, notes.md" in out.take()
    await run_line(shell, "summarize")
    content = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "--- page 2 ---\nRule two" in content and "# Notes" in content
    await dispatch(shell, "/attach notes.md")
    await dispatch(shell, "/attach clear")
    assert shell.attached == []
    await dispatch(shell, "/image notes.md")
    assert "not an image" in out.take()
