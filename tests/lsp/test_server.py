"""coda-ls end to end over stdio: commands, code actions, streaming, results, errors."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.conftest import SAMPLE, Recorder
from tests.support.model_server import Reply, ScriptedModelServer
from tests.support.waiting import until

Session = tuple[LanguageClient, Recorder]


def rng(start: int, end: int, end_char: int = 0) -> types.Range:
    return types.Range(
        start=types.Position(line=start, character=0),
        end=types.Position(line=end, character=end_char),
    )


def open_doc(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="python",
                version=version,
                text=text if text is not None else path.read_text(),
            )
        )
    )
    return uri


async def send_raw(client: LanguageClient, msg_id: str, method: str, params: Any) -> Any:
    """Send a request whose params the typed client API would refuse to build."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await future


async def execute(client: LanguageClient, command: str, argument: Any) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=[argument])
    )


async def test_initialize_advertises_commands_and_code_actions(lsp: Session) -> None:
    _, recorder = lsp
    result = recorder.capabilities
    assert result is not None and result.execute_command_provider is not None
    commands = set(result.execute_command_provider.commands)
    assert {
        "coda.ask",
        "coda.chat",
        "coda.explain",
        "coda.review",
        "coda.refactor",
        "coda.models",
        "coda.setModel",
        "coda.sessions",
        "coda.newSession",
        "coda.repoMap",
        "coda.cancel",
    } <= commands
    options = result.code_action_provider
    assert isinstance(options, types.CodeActionOptions)
    assert "quickfix" in options.code_action_kinds


async def test_ask_streams_through_the_real_provider(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    model_server.script(Reply(chunks=["Rectangles ", "and ", "perimeters."]))
    result = await execute(
        client, "coda.ask", {"question": "What is in this project?", "requestId": "r1"}
    )
    assert result["text"] == "Rectangles and perimeters."
    assert result["usage"]["inputTokens"] == 11
    deltas = [n["delta"] for n in recorder.stream if n["requestId"] == "r1" and not n["done"]]
    assert deltas == ["Rectangles ", "and ", "perimeters."]
    final = recorder.stream[-1]
    assert final["done"] is True and final["usage"]["outputTokens"] == 7
    assert model_server.chat_requests()[-1].body["messages"][-1]["content"] == (
        "What is in this project?"
    )


async def test_code_actions_for_a_selection_are_commands(lsp: Session, workspace: Path) -> None:
    client, _ = lsp
    uri = open_doc(client, workspace / "geometry.py")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng(3, 5, 10),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = {a.title: a for a in actions}
    assert {"Coda: Explain", "Coda: Review", "Coda: Refactor…"} <= set(titles)
    explain = titles["Coda: Explain"]
    assert isinstance(explain, types.CodeAction) and explain.command is not None
    assert explain.command.command == "coda.explain"
    assert explain.command.arguments[0]["uri"] == uri


async def test_explain_progress_stream_and_show_document(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    uri = open_doc(client, workspace / "geometry.py")
    model_server.script(Reply(chunks=["`area` multiplies ", "width by height."]))
    result = await execute(
        client,
        "coda.explain",
        {
            "uri": uri,
            "range": {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 27}},
            "requestId": "ex1",
        },
    )
    assert result["text"] == "`area` multiplies width by height."
    # progress begin/report/end in order
    reports = client.progress_reports["coda-ex1"]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    # stream notifications in order, done last
    mine = [n for n in recorder.stream if n["requestId"] == "ex1"]
    assert "".join(n["delta"] for n in mine) == result["text"]
    assert [n["done"] for n in mine][-1] is True and not any(n["done"] for n in mine[:-1])
    # the answer document was shown and holds the answer
    assert client.shown_documents[-1].uri == result["document"]
    shown = Path(result["document"].removeprefix("file://"))
    assert "width by height" in shown.read_text()
    prompt = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "selected lines 4-6" in prompt


async def test_review_publishes_diagnostics_and_apply_suggestion(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    uri = open_doc(client, workspace / "geometry.py")
    review = {
        "summary": "ok",
        "findings": [
            {
                "file": "geometry.py",
                "start_line": 9,
                "end_line": 10,
                "severity": "warning",
                "message": "perimeter lacks a docstring",
                "suggestion": 'def perimeter(width, height):\n    """Perimeter."""\n'
                "    return 2 * (width + height)",
            },
            {
                "file": "geometry.py",
                "start_line": 4,
                "end_line": 4,
                "severity": "error",
                "message": "no type hints",
            },
        ],
    }
    model_server.script(Reply(text=json.dumps(review)))
    result = await execute(client, "coda.review", {"uri": uri})
    assert len(result["findings"]) == 2
    await until(lambda: len(client.diagnostics.get(uri, [])) == 2, "two diagnostics")
    diagnostics = client.diagnostics[uri]
    by_message = {d.message.splitlines()[0]: d for d in diagnostics}
    first = by_message["perimeter lacks a docstring"]
    assert first.source == "coda"
    assert first.severity == types.DiagnosticSeverity.Warning
    assert (first.range.start.line, first.range.end.line) == (8, 9)
    assert by_message["no type hints"].severity == types.DiagnosticSeverity.Error
    assert by_message["no type hints"].range.start.line == 3
    # the quick fix applies the suggestion as a WorkspaceEdit
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=first.range,
            context=types.CodeActionContext(diagnostics=[first]),
        )
    )
    fix = next(a for a in actions if a.title == "Coda: Apply suggestion")
    assert isinstance(fix, types.CodeAction) and fix.command is not None
    applied = await execute(client, fix.command.command, fix.command.arguments[0])
    assert applied == {"applied": True}
    edit = recorder.edits[-1].edit
    change = edit.document_changes[0]
    assert '"""Perimeter."""' in change.edits[0].new_text


async def test_refactor_sends_a_versioned_workspace_edit(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    uri = open_doc(client, workspace / "geometry.py", version=7)
    edits = {
        "summary": "simplify",
        "edits": [
            {
                "file": "geometry.py",
                "search": "    return 2 * (width + height)\n",
                "replace": "    return (width + height) * 2\n",
            }
        ],
    }
    model_server.script(Reply(text=json.dumps(edits)))
    result = await execute(
        client,
        "coda.refactor",
        {
            "uri": uri,
            "range": {"start": {"line": 8, "character": 0}, "end": {"line": 10, "character": 0}},
            "instruction": "swap the factors",
        },
    )
    assert result["applied"] is True
    change = recorder.edits[-1].edit.document_changes[0]
    assert change.text_document.version == 7
    text_edit = change.edits[0]
    assert text_edit.range.start.line == 9
    lines = SAMPLE.splitlines(keepends=True)
    start = sum(len(x) for x in lines[:9]) + text_edit.range.start.character
    end_line_start = sum(len(x) for x in lines[: text_edit.range.end.line])
    end = end_line_start + text_edit.range.end.character
    patched = SAMPLE[:start] + text_edit.new_text + SAMPLE[end:]
    assert "    return (width + height) * 2\n" in patched
    assert patched.count("def ") == 2


async def test_refactor_rejected_when_the_buffer_changed(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    uri = open_doc(client, workspace / "geometry.py", version=1)
    edits = {"edits": [{"search": "return width * height", "replace": "return height * width"}]}
    model_server.script(Reply(text=json.dumps(edits), first_delay=1.0))
    task = asyncio.ensure_future(
        execute(
            client,
            "coda.refactor",
            {
                "uri": uri,
                "range": {"start": {"line": 3, "character": 0}, "end": {"line": 6, "character": 0}},
                "instruction": "swap",
            },
        )
    )
    # Edit the buffer once the model has been asked (the server holds version 1 by then)
    # and before it answers.
    await until(model_server.chat_requests, "the refactor's model request")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=SAMPLE + "\n# x\n")],
        )
    )
    with pytest.raises(JsonRpcException) as info:
        await task
    assert "changed" in str(info.value)
    assert recorder.edits == []


async def test_cancel_mid_stream_keeps_the_server_serving(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    model_server.script(Reply(chunks=[f"w{i} " for i in range(100)], chunk_delay=0.05))
    task = asyncio.ensure_future(
        execute(client, "coda.chat", {"question": "long", "requestId": "long1"})
    )
    for _ in range(100):
        await asyncio.sleep(0.05)
        if any(n["requestId"] == "long1" for n in recorder.stream):
            break
    loop = asyncio.get_running_loop()
    started = loop.time()
    cancelled = await execute(client, "coda.cancel", {"requestId": "long1"})
    assert cancelled == {"cancelled": True}
    result = await task
    assert loop.time() - started < 1.0
    assert result["cancelled"] is True
    last = [n for n in recorder.stream if n["requestId"] == "long1"][-1]
    assert last["done"] is True and last.get("cancelled") is True
    model_server.script(Reply(text="still here"))
    again = await execute(client, "coda.chat", {"question": "ping"})
    assert again["text"] == "still here"


@pytest.mark.parametrize(
    ("command", "argument", "expected"),
    [
        ("coda.explain", {}, "uri"),
        ("coda.ask", {"question": ""}, "question"),
        ("coda.refactor", {"uri": "file:///x.py", "range": {"start": {"line": -1}}}, "range"),
        ("coda.setModel", {"model": 5}, "model"),
        ("coda.cancel", "not an object", "argument"),
    ],
)
async def test_bad_arguments_get_an_error_response(
    lsp: Session, command: str, argument: Any, expected: str
) -> None:
    client, _ = lsp
    with pytest.raises(JsonRpcException) as info:
        await execute(client, command, argument)
    assert "invalid arguments" in str(info.value) and expected in str(info.value)
    models = await execute(client, "coda.models", {})
    assert models["models"]  # still serving


async def test_malformed_lsp_params_get_invalid_params(lsp: Session) -> None:
    client, _ = lsp
    with pytest.raises(JsonRpcException) as info:
        await asyncio.wait_for(
            send_raw(
                client,
                "bad-1",
                types.TEXT_DOCUMENT_CODE_ACTION,
                {"textDocument": {"uri": 5}, "range": "bad"},
            ),
            timeout=5,
        )
    assert "invalid params" in str(info.value).lower()
    assert (await execute(client, "coda.models", {}))["current"] is not None


async def test_provider_errors_reach_the_user(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    model_server.script(Reply(status=500, error="GPU on fire"))
    with pytest.raises(JsonRpcException) as info:
        await execute(client, "coda.chat", {"question": "hi"})
    assert "GPU on fire" in str(info.value)
    await until(
        lambda: (
            any("GPU on fire" in m.message for m in client.messages)
            and any("GPU on fire" in m.message for m in client.log_messages)
        ),
        "the error as a message and in the log",
    )


async def test_models_and_set_model(lsp: Session, model_server: ScriptedModelServer) -> None:
    client, _ = lsp
    listed = await execute(client, "coda.models", {})
    assert {m["name"] for m in listed["models"]} == {"llama3.2:latest", "qwen2.5-coder:7b"}
    chosen = await execute(client, "coda.setModel", {"model": "qwen2.5-coder:7b"})
    assert chosen["model"] == "qwen2.5-coder:7b"
    await execute(client, "coda.chat", {"question": "hi"})
    assert model_server.chat_requests()[-1].body["model"] == "qwen2.5-coder:7b"


async def test_did_change_configuration_switches_model(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"coda": {"model": "qwen2.5-coder:7b"}})
    )
    await asyncio.sleep(0.2)
    await execute(client, "coda.chat", {"question": "hi"})
    assert model_server.chat_requests()[-1].body["model"] == "qwen2.5-coder:7b"


async def test_repo_map_follows_unsaved_changes(lsp: Session, workspace: Path) -> None:
    client, _ = lsp
    first = await execute(client, "coda.repoMap", {"tokens": 1024})
    assert "area" in first["text"] and "volume" not in first["text"]
    uri = open_doc(client, workspace / "geometry.py")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text=SAMPLE
                    + '\n\ndef volume(width, height, depth):\n    """Volume of a box."""\n'
                    "    return area(width, height) * depth\n"
                )
            ],
        )
    )
    for _ in range(50):
        await asyncio.sleep(0.1)
        current = await execute(client, "coda.repoMap", {"tokens": 1024})
        if "volume" in current["text"]:
            break
    assert "volume" in current["text"]
    assert not (workspace / "geometry.py").read_text().count("volume")  # disk untouched


async def test_sessions_new_session_and_history(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    created = await execute(client, "coda.newSession", {"title": "LSP chat"})
    session_id = created["sessionId"]
    model_server.script(Reply(text="first answer"), Reply(text="second answer"))
    await execute(client, "coda.chat", {"question": "first question"})
    second = await execute(client, "coda.chat", {"question": "second question"})
    assert second["sessionId"] == session_id
    history = model_server.chat_requests()[-1].body["messages"]
    assert [m["content"] for m in history[1:]] == [
        "first question",
        "first answer",
        "second question",
    ]
    listed = await execute(client, "coda.sessions", {})
    assert any(s["id"] == session_id and s["title"] == "LSP chat" for s in listed["sessions"])


@pytest.mark.parametrize(("answer", "written"), [("No", False), ("Yes", True), (None, False)])
async def test_tools_ask_the_editor_before_writing(
    lsp: Session,
    workspace: Path,
    model_server: ScriptedModelServer,
    answer: str | None,
    written: bool,
) -> None:
    client, recorder = lsp
    recorder.permission_answer = answer
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
                    "name": "write_file",
                    "arguments": {"path": "NOTES.md", "content": "area and perimeter\n"},
                }
            ],
        ),
        Reply(text="finished"),
    )
    result = await execute(
        client, "coda.chat", {"question": "summarize into NOTES.md", "showDocument": False}
    )
    assert result["text"] == "finished"
    assert len(recorder.permission_requests) == 1  # reads are allowed without asking
    request = recorder.permission_requests[0]
    assert "NOTES.md" in request.message and "+area and perimeter" in request.message
    assert (workspace / "NOTES.md").exists() is written
    read_result = model_server.chat_requests()[1].body["messages"][-1]
    assert read_result["role"] == "tool" and "def area" in read_result["content"]


async def test_broken_config_file_is_reported_and_the_server_still_serves(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    import os
    import sys

    from pytest_lsp import ClientServerConfig, client_capabilities

    (workspace / ".coda").mkdir()
    (workspace / ".coda" / "config.toml").write_text("[repomap\ntokens = 5\n")
    env = {**os.environ, "OLLAMA_HOST": model_server.url}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "coda_ls"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="p")],
            )
        )
        messages = client.messages
        await until(
            lambda: any("config.toml" in m.message and "TOML" in m.message for m in messages),
            "a message naming the bad config.toml",
        )
        model_server.script(Reply(text="served anyway"))
        result = await execute(client, "coda.chat", {"question": "hi", "showDocument": False})
        assert result["text"] == "served anyway"
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_openai_compatible_server_through_settings(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "coda": {
                    "provider": "litellm",
                    "model": "qwen2.5-coder:7b",
                    "providers": {"litellm": {"api_base": f"{model_server.url}/v1"}},
                }
            }
        )
    )
    await asyncio.sleep(0.2)
    model_server.script(Reply(chunks=["over ", "OpenAI"]))
    result = await execute(
        client, "coda.chat", {"question": "hi", "requestId": "oa1", "showDocument": False}
    )
    assert result["text"] == "over OpenAI"
    assert result["provider"] == "litellm"
    request = model_server.chat_requests()[-1]
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "qwen2.5-coder:7b" and request.body["stream"] is True
    assert "".join(n["delta"] for n in recorder.stream if n["requestId"] == "oa1") == "over OpenAI"


async def _stream_started(recorder: Recorder, request_id: str) -> None:
    # Generous: the first question's start-up is not what these tests time (the cancel is),
    # and on a loaded machine it took over 2 s.
    for _ in range(1500):
        if any(n["requestId"] == request_id for n in recorder.stream):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the stream never started")


async def _done_within(recorder: Recorder, request_id: str, seconds: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        done = [n for n in recorder.stream if n["requestId"] == request_id and n["done"]]
        if done:
            return done[-1]
        await asyncio.sleep(0.005)
    raise AssertionError(f"the stream did not stop within {seconds}s")


async def test_cancel_request_stops_the_stream_within_200ms(
    lsp: Session, model_server: ScriptedModelServer, store_path: Path
) -> None:
    client, recorder = lsp
    model_server.script(Reply(chunks=[f"c{i} " for i in range(200)], chunk_delay=0.02))
    pending = asyncio.ensure_future(
        send_raw(
            client,
            "cancel-me",
            "workspace/executeCommand",
            {
                "command": "coda.chat",
                "arguments": [{"question": "long", "requestId": "cr1", "showDocument": False}],
            },
        )
    )
    await _stream_started(recorder, "cr1")
    client.protocol.notify("$/cancelRequest", types.CancelParams(id="cancel-me"))
    final = await _done_within(recorder, "cr1", 0.2)
    assert final.get("cancelled") is True
    with pytest.raises(JsonRpcException) as info:  # answered: RequestCancelled
        await asyncio.wait_for(pending, 5)
    assert "cancel" in str(info.value).lower()
    # the partial answer is kept in the session, marked interrupted
    from coda_ls.sessions import SessionStore

    store = SessionStore(store_path)
    reply = store.history(store.list_sessions()[0].id)[-1]
    assert reply.status == "interrupted" and reply.content.startswith("c0 ")


async def test_progress_cancel_stops_the_stream_within_200ms(
    lsp: Session, model_server: ScriptedModelServer
) -> None:
    client, recorder = lsp
    model_server.script(Reply(chunks=[f"p{i} " for i in range(200)], chunk_delay=0.02))
    task = asyncio.ensure_future(
        execute(
            client, "coda.chat", {"question": "long", "requestId": "pc1", "showDocument": False}
        )
    )
    await _stream_started(recorder, "pc1")
    assert "coda-pc1" in client.progress_reports
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token="coda-pc1"))
    final = await _done_within(recorder, "pc1", 0.2)
    assert final.get("cancelled") is True
    result = await task
    assert result["cancelled"] is True


async def test_a_bare_client_gets_the_refactor_edit_in_the_result(
    model_server: ScriptedModelServer, workspace: Path
) -> None:
    """A client with no capabilities at all: no progress, no showDocument, no applyEdit."""
    import os
    import sys

    from pytest_lsp import ClientServerConfig

    env = {**os.environ, "OLLAMA_HOST": model_server.url}
    config = ClientServerConfig(server_command=[sys.executable, "-m", "coda_ls"], server_env=env)
    client = await config.start()
    assert isinstance(client, LanguageClient)
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(), root_uri=workspace.as_uri()
            )
        )
        uri = open_doc(client, workspace / "geometry.py")
        edits = {
            "edits": [
                {"search": "    return width * height\n", "replace": "    return height * width\n"}
            ]
        }
        model_server.script(Reply(text=json.dumps(edits)), Reply(text="explained"))
        result = await execute(
            client,
            "coda.refactor",
            {
                "uri": uri,
                "instruction": "swap",
                "range": {"start": {"line": 3}, "end": {"line": 6}},
            },
        )
        assert result["applied"] is False
        change = result["edit"]["changes"][uri][0]
        assert change["newText"].strip().startswith("height")
        explained = await execute(client, "coda.explain", {"uri": uri})
        assert explained["text"] == "explained"
        assert client.progress_reports == {} and client.shown_documents == []
    finally:
        await client.shutdown_session()
        await client.stop()


async def test_the_map_progress_has_two_stages(lsp: Session) -> None:
    """Issue 16: "indexing for questions" once the map is served, then the end ("mapped")
    once a question would not wait for the ranking worker's graph and words index."""
    client, _ = lsp
    tokens: list[str] = []
    for _ in range(1200):
        tokens = [str(t) for t in client.progress_reports if str(t).startswith("coda-map-")]
        if tokens and isinstance(client.progress_reports[tokens[0]][-1], types.WorkDoneProgressEnd):
            break
        await asyncio.sleep(0.05)
    reports = client.progress_reports[tokens[0]]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    end = reports[-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and end.message == "mapped"
    stages = [r for r in reports if getattr(r, "message", None) == "indexing for questions"]
    assert len(stages) == 1 and isinstance(stages[0], types.WorkDoneProgressReport)
    assert reports.index(stages[0]) == len(reports) - 2  # the last report before the end
