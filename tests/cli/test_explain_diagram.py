"""`coda explain --diagram` end to end against the scripted model server: the diagram
computed from the tags is in the prompt, and a diagram is in the output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.diagrams.test_diagrams import CALL_GRAPH, CLASS_DIAGRAM, SHAPES
from tests.support.model_server import Reply, ScriptedModelServer

REFINED = "```mermaid\nflowchart LR\n    main --> report --> describe --> area\n```"


@pytest.fixture
def project(
    tmp_path: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    (tmp_path / "shapes").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shapes"\n')
    (tmp_path / "shapes" / "geometry.py").write_text(SHAPES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def prompt(server: ScriptedModelServer) -> str:
    content: str = server.chat_requests()[-1].body["messages"][-1]["content"]
    return content


def test_call_graph_in_the_prompt_and_the_models_diagram_in_the_output(
    project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=f"The entry point drives the report.\n\n{REFINED}\n"))
    result = CliRunner().invoke(cli, ["explain", "--diagram", "shapes/geometry.py"])
    assert result.exit_code == 0, result.output
    sent = prompt(model_server)
    assert "Call graph of shapes/geometry.py, computed from the repo map's tags" in sent
    assert f"tags (Mermaid):\n```\n{CALL_GRAPH}\n```" in sent
    assert "as one ```mermaid block" in sent
    assert "main --> report --> describe --> area" in result.stdout
    assert "computed from the repo map's tags" not in result.stdout  # not repeated


def test_class_diagram_of_a_selection_shown_when_the_model_draws_none(
    project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text="Circle derives from Shape."))
    result = CliRunner().invoke(
        cli,
        ["explain", "--diagram", "class", "shapes/geometry.py:17-23", "how", "is", "it", "built?"],
    )
    assert result.exit_code == 0, result.output
    sent = prompt(model_server)
    assert "Class diagram of shapes/geometry.py:17-23" in sent
    computed = sent.split("tags (Mermaid):\n```\n")[1].split("```")[0]
    assert "how is it built?" in sent
    assert "class Circle {" in computed and "Square" not in computed
    assert "Circle derives from Shape." in result.stdout
    assert (
        "Class diagram of shapes/geometry.py:17-23, computed from the repo map's tags"
        in result.stdout
    )
    assert "Shape <|-- Circle" in result.stdout


def test_whole_module_class_diagram(project: Path, model_server: ScriptedModelServer) -> None:
    model_server.script(Reply(text="ok"))
    result = CliRunner().invoke(cli, ["explain", "--diagram", "class", "shapes/geometry.py"])
    assert result.exit_code == 0, result.output
    assert CLASS_DIAGRAM in prompt(model_server)


def test_without_diagram_nothing_is_added(project: Path, model_server: ScriptedModelServer) -> None:
    model_server.script(Reply(text="ok"))
    result = CliRunner().invoke(cli, ["explain", "shapes/geometry.py"])
    assert result.exit_code == 0, result.output
    assert "mermaid" not in prompt(model_server)
