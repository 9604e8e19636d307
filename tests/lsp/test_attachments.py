"""`coda.ask` with attachments over the real language server (stdio): an image by path and a
PDF as base64 reach the model server; a text-only model gets an error response and nothing
is sent; bad attachment arguments are InvalidParams."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from tests.lsp.test_server import Session, execute
from tests.support.files import pdf_bytes, png_bytes
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer


async def test_ask_with_an_image_and_a_pdf(
    lsp: Session, model_server: ScriptedModelServer, workspace: Path
) -> None:
    client, recorder = lsp
    model_server.models.append(ScriptedModel("llava:7b", vision=True))
    model_server.script(Reply(text="The trace shows a KeyError."))
    (workspace / "trace.png").write_bytes(png_bytes())
    pdf = base64.b64encode(pdf_bytes("Error codes: E42 means retry")).decode()
    result = await execute(
        client,
        "coda.ask",
        {
            "question": "What does this error mean?",
            "mode": "debug",
            "model": "llava:7b",
            "requestId": "img1",
            "showDocument": False,
            "attachments": [
                {"path": "trace.png"},
                {"name": "codes.pdf", "data": pdf},
            ],
        },
    )
    assert result["text"] == "The trace shows a KeyError."
    question = model_server.chat_requests()[-1].body["messages"][-1]
    assert [base64.b64decode(i) for i in question["images"]] == [png_bytes()]
    assert "--- page 1 ---\nError codes: E42 means retry" in question["content"]
    assert recorder.stream[-1]["done"] is True


async def test_a_text_only_model_is_refused_before_sending(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    url = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    with pytest.raises(JsonRpcException) as info:
        await execute(
            client,
            "coda.ask",
            {
                "question": "What is this?",
                "model": "qwen2.5-coder:7b",
                "showDocument": False,
                "attachments": [{"name": "shot.png", "dataUrl": url}],
            },
        )
    assert "does not accept images" in str(info.value) and "shot.png" in str(info.value)
    assert model_server.chat_requests() == []


@pytest.mark.parametrize(
    ("attachment", "expected"),
    [
        ({"name": "x.png"}, "exactly one of path"),
        ({"data": "AAAA"}, "name the attached data"),
    ],
)
async def test_bad_attachment_arguments(
    lsp: Session, attachment: dict[str, str], expected: str
) -> None:
    client, _ = lsp
    with pytest.raises(JsonRpcException) as info:
        await execute(client, "coda.ask", {"question": "hi", "attachments": [attachment]})
    assert "invalid arguments" in str(info.value) and expected in str(info.value)
