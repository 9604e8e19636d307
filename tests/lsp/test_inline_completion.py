"""textDocument/inlineCompletion end to end: the real coda-ls over stdio, the real Ollama
and OpenAI-compatible providers, and the scripted model server answering FIM requests."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp.test_server import execute, open_doc
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

FIM_MODEL = "qwen2.5-coder:1.5b-base"
GEOMETRY = '''"""Geometry helpers."""


class Rect:
    """A rectangle."""

    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        """Area of the rectangle."""
        return self.width * self.height


def perimeter(width, height):
    """Perimeter of a rectangle."""
    return 2 * (width + height)
'''
# On disk; the editor's buffer (UNSAVED) differs: the request must use the buffer.
MAIN_ON_DISK = "from geometry import Rect, perimeter\n"
UNSAVED = """from geometry import Rect, perimeter


def report(r):
    total = perimeter()
    return total
"""
CURSOR = types.Position(line=4, character=len("    total = perimeter("))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "geometry.py").write_text(GEOMETRY)
    (root / "main.py").write_text(MAIN_ON_DISK)
    return root


@pytest.fixture
def fim_server() -> AsyncIterator[ScriptedModelServer] | Any:
    models = [
        ScriptedModel(FIM_MODEL, 32768, family="qwen2"),
        ScriptedModel("llama3.2:latest", 131072),
    ]
    with ScriptedModelServer(models=models, default_reply=Reply(text="")) as server:
        yield server


async def start(
    server: ScriptedModelServer, root: Path, completion: dict[str, Any], **extra: Any
) -> LanguageClient:
    env = {**os.environ, "OLLAMA_HOST": server.url}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "coda_ls"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.status = []  # type: ignore[attr-defined]

    @client.feature("coda/completionStatus")
    def on_status(params: Any) -> None:
        client.status.append(params.state)  # type: ignore[attr-defined]

    capabilities = client_capabilities("visual-studio-code")
    capabilities.experimental = {"codaCompletionStatus": True}
    client.init_result = await client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="project")],
            initialization_options={"completion": {"debounce_ms": 0, **completion}, **extra},
        )
    )
    return client


@pytest_asyncio.fixture
async def lsp(fim_server: ScriptedModelServer, project: Path) -> AsyncIterator[LanguageClient]:
    client = await start(fim_server, project, {"model": FIM_MODEL})
    yield client
    await client.shutdown_session()
    await client.stop()


def ask(uri: str, position: types.Position = CURSOR) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position,
        context=types.InlineCompletionContext(
            trigger_kind=types.InlineCompletionTriggerKind.Automatic
        ),
    )


async def complete(client: LanguageClient, uri: str, position: types.Position = CURSOR) -> Any:
    return await client.text_document_inline_completion_async(ask(uri, position))


async def test_server_advertises_inline_completion(lsp: LanguageClient) -> None:
    assert lsp.init_result.capabilities.inline_completion_provider  # type: ignore[attr-defined]


async def test_fim_request_carries_buffer_prefix_suffix_and_repo_map_context(
    lsp: LanguageClient, fim_server: ScriptedModelServer, project: Path
) -> None:
    await execute(lsp, "coda.repoMap", {})  # the map is built (warm)
    uri = open_doc(lsp, project / "main.py", UNSAVED)
    fim_server.script(Reply(text="r.width, r.height)"))
    result = await complete(lsp, uri)

    body = fim_server.generate_requests()[-1].body
    assert body["model"] == FIM_MODEL and body["raw"] is True and body["stream"] is False
    prompt = body["prompt"]
    prefix, _, rest = prompt.partition("<|fim_suffix|>")
    suffix = rest.removesuffix("<|fim_middle|>")
    # The unsaved buffer, cut at the cursor (not the file on disk).
    assert prefix.endswith("def report(r):\n    total = perimeter(")
    assert suffix == ")\n    return total\n"
    # The repo map's definitions of what the code near the cursor uses, before the code.
    context = prefix.removeprefix("<|fim_prefix|>").split("from geometry import")[0]
    assert "def perimeter(width, height)  (geometry.py:16) — Perimeter of a rectangle." in context
    assert "class Rect  (geometry.py:4" in context
    assert "def area(self)  (geometry.py:11, in Rect)" in context
    assert "<|endoftext|>" in body["options"]["stop"]
    assert body["options"]["num_predict"] > 0

    # The model repeated the `)` already after the cursor: it is not inserted twice, and
    # the item replaces the cursor's line up to the cursor.
    item = result.items[0]
    assert item.insert_text == "    total = perimeter(r.width, r.height"
    assert item.range == types.Range(start=types.Position(line=4, character=0), end=CURSOR)
    assert lsp.status[-2:] == ["pending", "done"]  # type: ignore[attr-defined]


async def test_typing_the_suggestion_is_answered_from_the_cache(
    lsp: LanguageClient, fim_server: ScriptedModelServer, project: Path
) -> None:
    uri = open_doc(lsp, project / "main.py", UNSAVED)
    fim_server.script(Reply(text="r.width, r.height"))
    first = await complete(lsp, uri)
    assert first.items[0].insert_text.endswith("perimeter(r.width, r.height")
    asked = len(fim_server.generate_requests())

    typed = UNSAVED.replace("perimeter()", "perimeter(r.wi)")
    lsp.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typed)],
        )
    )
    at = types.Position(line=4, character=CURSOR.character + len("r.wi"))
    second = await complete(lsp, uri, at)
    assert [i.insert_text for i in second.items] == ["    total = perimeter(r.width, r.height"]
    assert second.items[0].range.end == at
    assert len(fim_server.generate_requests()) == asked  # no new model call


async def test_newer_request_supersedes_and_aborts_the_older(
    lsp: LanguageClient, fim_server: ScriptedModelServer, project: Path
) -> None:
    uri = open_doc(lsp, project / "main.py", UNSAVED)
    fim_server.script(Reply(text="slow, answer)", first_delay=5), Reply(text="r.width, r.height"))
    older = asyncio.ensure_future(complete(lsp, uri))
    for _ in range(500):
        if fim_server.generate_requests():
            break
        await asyncio.sleep(0.01)
    newer = await complete(lsp, uri, types.Position(line=4, character=CURSOR.character))
    stale = await asyncio.wait_for(older, 10)
    assert not stale.items  # superseded: nothing stale is shown
    assert newer.items[0].insert_text.endswith("perimeter(r.width, r.height")
    aborted = fim_server.wait_for_aborted(1, timeout=10)
    assert [r.path for r in aborted] == ["/api/generate"]
    assert aborted[0] is fim_server.generate_requests()[0]


async def test_cancel_request_aborts_the_model_call(
    lsp: LanguageClient, fim_server: ScriptedModelServer, project: Path
) -> None:
    uri = open_doc(lsp, project / "main.py", UNSAVED)
    fim_server.script(Reply(text="never shown", first_delay=5))
    future = asyncio.wrap_future(
        lsp.protocol.send_request(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, ask(uri), msg_id="inline-cancel"
        )
    )
    for _ in range(500):
        if fim_server.generate_requests():
            break
        await asyncio.sleep(0.01)
    lsp.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="inline-cancel"))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(future, 10)
    assert [r.path for r in fim_server.wait_for_aborted(1, timeout=10)] == ["/api/generate"]


async def test_multiline_block_is_trimmed_and_suffix_lines_not_repeated(
    lsp: LanguageClient, fim_server: ScriptedModelServer, project: Path
) -> None:
    text = "from geometry import Rect\n\n\ndef scaled(r, k):\n    \n    return r\n"
    uri = open_doc(lsp, project / "main.py", text)
    # The model writes the body, then the existing `return r` again, then a new function.
    fim_server.script(
        Reply(text="w = r.width * k\n    h = r.height * k\n    return r\n\n\ndef other():\n")
    )
    result = await complete(lsp, uri, types.Position(line=4, character=4))
    assert result.items[0].insert_text == "    w = r.width * k\n    h = r.height * k"
    assert result.items[1].insert_text == "    w = r.width * k"  # "next": the first line


async def test_openai_compatible_completions_with_suffix(
    fim_server: ScriptedModelServer, project: Path
) -> None:
    fim_server.models.append(ScriptedModel("my-coder"))  # unknown family: `suffix` param
    client = await start(
        fim_server,
        project,
        {"provider": "openai", "model": "my-coder"},
        providers={"openai": {"base_url": fim_server.url + "/v1"}},
    )
    try:
        uri = open_doc(client, project / "main.py", UNSAVED)
        fim_server.script(Reply(text="r.width, r.height"))
        result = await complete(client, uri)
        body = fim_server.generate_requests()[-1]
        assert body.path == "/v1/completions"
        assert body.body["prompt"].endswith("    total = perimeter(")
        assert body.body["suffix"] == ")\n    return total\n"
        assert result.items[0].insert_text == "    total = perimeter(r.width, r.height"
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_chat_fallback_for_a_model_without_fim(
    fim_server: ScriptedModelServer, project: Path
) -> None:
    client = await start(fim_server, project, {"model": "llama3.2:latest", "format": "chat"})
    try:
        uri = open_doc(client, project / "main.py", UNSAVED)
        # Chat models fence their answer and repeat the line: both are removed.
        fim_server.script(Reply(text="```python\n    total = perimeter(r.width, r.height)\n```"))
        result = await complete(client, uri)
        chat = fim_server.chat_requests()[-1].body
        assert chat["model"] == "llama3.2:latest"
        user = chat["messages"][-1]["content"]
        assert "    total = perimeter(<CURSOR>)\n    return total" in user
        assert "def perimeter(width, height)" in user or "from geometry" in user
        assert result.items[0].insert_text == "    total = perimeter(r.width, r.height"
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_off_without_a_model_and_per_language(
    fim_server: ScriptedModelServer, project: Path
) -> None:
    # No model set and none discoverable (the scripted Ollama has no code model).
    fim_server.models[:] = [ScriptedModel("llama3.2:latest")]
    client = await start(fim_server, project, {})
    try:
        uri = open_doc(client, project / "main.py", UNSAVED)
        assert not (await complete(client, uri)).items
        assert fim_server.generate_requests() == []
    finally:
        await client.shutdown_session()
        await client.stop()
    fim_server.models.append(ScriptedModel(FIM_MODEL))
    client = await start(fim_server, project, {"languages": {"python": False}})
    try:
        uri = open_doc(client, project / "main.py", UNSAVED)
        assert not (await complete(client, uri)).items
        assert fim_server.generate_requests() == []
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_discovers_an_ollama_code_model(
    fim_server: ScriptedModelServer, project: Path
) -> None:
    client = await start(fim_server, project, {})
    try:
        uri = open_doc(client, project / "main.py", UNSAVED)
        fim_server.script(Reply(text="r.width, r.height"))
        result = await complete(client, uri)
        assert fim_server.generate_requests()[-1].body["model"] == FIM_MODEL
        assert result.items
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_the_empty_last_line_of_a_file(
    lsp: LanguageClient, fim_server: ScriptedModelServer, project: Path
) -> None:
    text = "from geometry import perimeter\n\n"
    uri = open_doc(lsp, project / "main.py", text)
    fim_server.script(Reply(text="print(perimeter(1, 2))"))
    at = types.Position(line=2, character=0)  # after the final newline
    result = await complete(lsp, uri, at)
    assert (
        fim_server.generate_requests()[-1]
        .body["prompt"]
        .endswith("import perimeter\n\n<|fim_suffix|><|fim_middle|>")
    )
    assert result.items[0].insert_text == "print(perimeter(1, 2))"
    assert result.items[0].range == types.Range(start=at, end=at)
