"""What clients other than the bundled ones get (issue #18): answers without
window/showDocument, coda/stream only on request, findings cleared once fixed, and refactor
answers outside the format applied nowhere."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.test_server import execute, open_doc
from tests.support.model_server import Reply, ScriptedModelServer
from tests.support.waiting import until

Start = Callable[[types.ClientCapabilities], Awaitable[tuple[LanguageClient, list[Any]]]]


@pytest_asyncio.fixture
async def start(model_server: ScriptedModelServer, workspace: Path) -> AsyncIterator[Start]:
    """Start coda-ls with a client declaring the given capabilities; yields (client,
    coda/stream notifications received)."""
    started: list[LanguageClient] = []

    async def _start(capabilities: types.ClientCapabilities) -> tuple[LanguageClient, list[Any]]:
        env = {**os.environ, "OLLAMA_HOST": model_server.url}
        config = ClientServerConfig(
            server_command=[sys.executable, "-m", "coda_ls"], server_env=env
        )
        client = await config.start()
        assert isinstance(client, LanguageClient)
        streamed: list[Any] = []

        @client.feature("coda/stream")
        def on_stream(params: Any) -> None:
            streamed.append(params)

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def on_apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            return types.ApplyWorkspaceEditResult(applied=True)

        started.append(client)
        await client.initialize_session(
            types.InitializeParams(capabilities=capabilities, root_uri=workspace.as_uri())
        )
        return client, streamed

    yield _start
    for client in started:
        await client.shutdown_session()
        await client.stop()


# eglot 1.9's relevant capabilities: applyEdit, no showDocument, no experimental
EGLOT_LIKE = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(apply_edit=True),
    window=types.WindowClientCapabilities(work_done_progress=False),
)
ANSWER = "`area` multiplies width by height.\n\n" + "\n".join(f"Point {i}." for i in range(1, 21))


async def test_explain_without_show_document_arrives_as_messages(
    start: Start, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, streamed = await start(EGLOT_LIKE)
    uri = open_doc(client, workspace / "geometry.py")
    model_server.script(Reply(text=ANSWER))
    result = await execute(client, "coda.explain", {"uri": uri})
    await until(
        lambda: (
            any("Explanation of geometry.py" in m.message for m in client.messages)
            and any("Point 20." in m.message for m in client.log_messages)
        ),
        "the explanation as a message and the whole answer in the log",
    )
    assert result["text"] == ANSWER
    shown = [m.message for m in client.messages if "Explanation of geometry.py" in m.message]
    assert len(shown) == 1, client.messages
    # the first lines, cut with an ellipsis, and where the full answer is
    assert "`area` multiplies width by height." in shown[0] and "Point 7." in shown[0]
    assert "Point 20." not in shown[0] and "…" in shown[0]
    assert f"full answer: {result['document']}" in shown[0]
    logged = "\n".join(m.message for m in client.log_messages)
    assert "Point 20." in logged
    # it never asked for coda/stream
    assert streamed == []


async def test_stream_only_for_clients_that_opt_in_and_no_duplicate_message(
    start: Start, workspace: Path, model_server: ScriptedModelServer
) -> None:
    capabilities = types.ClientCapabilities(experimental={"codaStream": True})
    client, streamed = await start(capabilities)
    uri = open_doc(client, workspace / "geometry.py")
    model_server.script(Reply(text="streamed answer"))
    result = await execute(client, "coda.explain", {"uri": uri})
    await until(lambda: streamed and streamed[-1].done, "the stream's last notification")
    assert "".join(n.delta for n in streamed) == "streamed answer"
    assert streamed[-1].done is True
    # the last notification names who answered (the VS Code status bar shows it)
    assert (streamed[-1].provider, streamed[-1].model) == (result["provider"], result["model"])
    assert result["provider"] == "ollama" and result["model"]
    # the client renders the stream itself: no showMessage copy of the answer
    assert not [m for m in client.messages if "streamed answer" in m.message]


async def test_a_fixed_finding_is_cleared_and_the_others_follow_the_text(
    start: Start, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, _ = await start(EGLOT_LIKE)
    uri = open_doc(client, workspace / "geometry.py")
    review = {
        "findings": [
            {"start_line": 1, "end_line": 1, "message": "module docstring is terse"},
            {
                "start_line": 4,
                "end_line": 6,
                "message": "area lacks type hints",
                "suggestion": "def area(width: float, height: float) -> float:\n"
                '    """Area of a rectangle."""\n'
                "    # width times height\n"
                "    return width * height",
            },
            {"start_line": 5, "end_line": 5, "message": "docstring could say units"},
            {"start_line": 9, "end_line": 10, "message": "perimeter lacks a docstring"},
        ]
    }
    model_server.script(Reply(text=json.dumps(review)))
    result = await execute(client, "coda.review", {"uri": uri})
    await until(lambda: len(client.diagnostics.get(uri, [])) == 4, "four diagnostics")
    fixed = next(f for f in result["findings"] if f["suggestion"])
    applied = await execute(client, "coda.applySuggestion", {"uri": uri, "findingId": fixed["id"]})
    assert applied == {"applied": True}
    await until(lambda: len(client.diagnostics[uri]) == 2, "the diagnostics after the fix")
    lines = {d.message.splitlines()[0]: d.range.start.line + 1 for d in client.diagnostics[uri]}
    # fixed one gone; the one inside the rewritten lines gone; above stays; below moves
    # down by the one line the suggestion added
    assert lines == {"module docstring is terse": 1, "perimeter lacks a docstring": 10}


async def test_a_refactor_answer_outside_the_format_is_shown_not_applied(
    start: Start, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, _ = await start(EGLOT_LIKE)
    uri = open_doc(client, workspace / "geometry.py")
    answer = "You need numpy first:\n```bash\npip install numpy\n```\n"
    model_server.script(Reply(text=answer), Reply(text='```json\n{"summary": "fine"}\n```'))
    for _ in range(2):
        result = await execute(
            client,
            "coda.refactor",
            {
                "uri": uri,
                "instruction": "vectorize",
                "range": {"start": {"line": 3}, "end": {"line": 6}},
            },
        )
        assert result["applied"] is False and "no edit was produced" in result["reason"]
    warned: list[str] = []

    def both_warned() -> bool:
        warned[:] = [m.message for m in client.messages if "no edit was produced" in m.message]
        return len(warned) == 2

    await until(both_warned, "two 'no edit was produced' messages")
    assert "pip install numpy" in warned[0]
    assert (workspace / "geometry.py").read_text().count("width * height") == 1
