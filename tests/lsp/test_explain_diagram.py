"""`coda.explain` with `diagram`: the diagram computed from the open buffer's tags (unsaved
text included) reaches the model through the real server over stdio."""

from __future__ import annotations

from pathlib import Path

from pytest_lsp import LanguageClient

from tests.diagrams.test_diagrams import CLASS_DIAGRAM, SHAPES
from tests.lsp.conftest import Recorder
from tests.lsp.test_server import execute, open_doc
from tests.support.model_server import Reply, ScriptedModelServer

Session = tuple[LanguageClient, Recorder]


async def test_explain_with_a_class_diagram_of_the_unsaved_buffer(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    path = workspace / "shapes.py"
    path.write_text("x = 1\n")  # on disk: nothing to draw; the buffer has the classes
    uri = open_doc(client, path, text=SHAPES)
    model_server.script(Reply(text="```mermaid\nclassDiagram\n  Shape <|-- Circle\n```"))
    result = await execute(
        client,
        "coda.explain",
        {"uri": uri, "requestId": "d1", "diagram": "class", "showDocument": False},
    )
    assert "Shape <|-- Circle" in result["text"]
    prompt = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "Class diagram of shapes.py, computed from the repo map's tags (Mermaid):" in prompt
    assert CLASS_DIAGRAM in prompt and "as one ```mermaid block" in prompt


async def test_a_selection_gives_a_call_graph_of_its_lines(
    lsp: Session, workspace: Path, model_server: ScriptedModelServer
) -> None:
    client, _ = lsp
    path = workspace / "shapes.py"
    path.write_text(SHAPES)
    uri = open_doc(client, path)
    model_server.script(Reply(text="ok"))
    square = {"start": {"line": 38, "character": 0}, "end": {"line": 39, "character": 16}}
    await execute(
        client,
        "coda.explain",
        {"uri": uri, "range": square, "requestId": "d2", "diagram": "call", "showDocument": False},
    )
    prompt = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "Call graph of shapes.py:39-40" in prompt
    assert "n_Circle_area --> n_square" in prompt and "n_main" not in prompt
