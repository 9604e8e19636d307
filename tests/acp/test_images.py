"""ACP image content blocks and embedded PDF blobs, through the real `coda acp` over stdio:
they reach the model server as images and page-marked text, and a model that reads no
images gets an error response (nothing sent)."""

from __future__ import annotations

import base64
from pathlib import Path

from acp import RequestError
from acp.schema import (
    BlobResourceContents,
    EmbeddedResourceContentBlock,
    ImageContentBlock,
    TextContentBlock,
)

from tests.acp.conftest import Connect
from tests.support.files import pdf_bytes, png_bytes
from tests.support.model_server import Reply, ScriptedModelServer


def blocks(workspace: Path) -> list[object]:
    return [
        TextContentBlock(type="text", text="What does this error mean?"),
        ImageContentBlock(
            type="image", data=base64.b64encode(png_bytes()).decode(), mime_type="image/png"
        ),
        EmbeddedResourceContentBlock(
            type="resource",
            resource=BlobResourceContents(
                uri=(workspace / "manual.pdf").as_uri(),
                blob=base64.b64encode(pdf_bytes("E42 means the disk is full")).decode(),
                mime_type="application/pdf",
            ),
        ),
    ]


async def test_an_image_and_a_pdf_reach_a_vision_model(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.models[0].vision = True  # the default model (llama3.2) reads images here
    model_server.script(Reply(text="The disk is full."))
    async with connect() as (conn, _client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        await conn.prompt(session_id=session.session_id, prompt=blocks(workspace))  # type: ignore[arg-type]
    question = model_server.chat_requests()[-1].body["messages"][-1]
    assert [base64.b64decode(i) for i in question["images"]] == [png_bytes()]
    assert "manual.pdf (text of the PDF)" in question["content"]
    assert "--- page 1 ---\nE42 means the disk is full" in question["content"]


async def test_a_text_only_model_is_refused_with_the_hint(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path
) -> None:
    async with connect() as (conn, _client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        try:
            await conn.prompt(session_id=session.session_id, prompt=blocks(workspace))  # type: ignore[arg-type]
        except RequestError as exc:
            error = exc
        else:
            raise AssertionError("the prompt should have been refused")
    assert "does not accept images" in str(error)
    assert isinstance(error.data, dict) and "llava" in str(error.data.get("hint"))
    assert model_server.chat_requests() == []
