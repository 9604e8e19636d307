"""Mermaid call graphs and class diagrams computed from the repo map's tags: exact text
for a small project, facts about a real module (the standard library's textwrap), and
what a selection keeps."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from coda_ls.diagrams import build_diagram, file_diagram, has_diagram, request_parts
from coda_ls.errors import ConfigError
from coda_ls.repomap.tags import extract

SHAPES = '''\
"""Shapes and their areas."""

import math


class Shape:
    def __init__(self, name):
        self.name = name

    def area(self):
        raise NotImplementedError

    def describe(self):
        return f"{self.name}: {self.area():.2f}"


class Circle(Shape):
    def __init__(self, radius):
        super().__init__("circle")
        self.radius = radius

    def area(self):
        return math.pi * square(self.radius)


class Square(Shape):
    def __init__(self, side):
        super().__init__("square")
        self.side = side

    def area(self):
        return square(self.side)

    def _grow(self, by):
        return Square(self.side + by)


def square(x):
    return x * x


def report(shapes):
    return [shape.describe() for shape in shapes]


def main():
    print("\\n".join(report([Circle(1), Square(2)])))


if __name__ == "__main__":
    main()
'''

CALL_GRAPH = """\
flowchart LR
    n_module["(module)"]
    n_Shape___init["Shape.__init__()"]
    n_Shape_area["Shape.area()"]
    n_Shape_describe["Shape.describe()"]
    n_Circle["Circle()"]
    n_Circle___init["Circle.__init__()"]
    n_Circle_area["Circle.area()"]
    n_Square["Square()"]
    n_Square___init["Square.__init__()"]
    n_Square_area["Square.area()"]
    n_Square__grow["Square._grow()"]
    n_square["square()"]
    n_report["report()"]
    n_main["main()"]
    n_module --> n_main
    n_Shape_describe --> n_Shape_area
    n_Circle_area --> n_square
    n_Square_area --> n_square
    n_Square__grow --> n_Square
    n_report --> n_Shape_describe
    n_main --> n_Circle
    n_main --> n_Square
    n_main --> n_report"""

CLASS_DIAGRAM = """\
classDiagram
    class Shape {
        +__init__(name)
        +area()
        +describe()
    }
    class Circle {
        +__init__(radius)
        +area()
    }
    class Square {
        +__init__(side)
        +area()
        -_grow(by)
    }
    Shape <|-- Circle
    Shape <|-- Square"""


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    project = tmp_path / "shapes"
    (project / "shapes").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "shapes"\n')
    path = project / "shapes" / "geometry.py"
    path.write_text(SHAPES)
    return path


def test_call_graph_of_a_small_project_is_exact(shapes: Path) -> None:
    diagram = file_diagram(shapes, "call", root=shapes.parents[1])
    assert diagram.path == "shapes/geometry.py"
    assert diagram.mermaid == CALL_GRAPH
    assert (diagram.nodes, diagram.edges) == (14, 9)
    assert diagram.title == "Call graph of shapes/geometry.py, computed from the repo map's tags"


def test_class_diagram_of_a_small_project_is_exact(shapes: Path) -> None:
    diagram = file_diagram(shapes, "class", root=shapes.parents[1])
    assert diagram.mermaid == CLASS_DIAGRAM
    assert diagram.block() == f"```mermaid\n{CLASS_DIAGRAM}\n```"


def test_same_file_same_text(shapes: Path) -> None:
    runs = {file_diagram(shapes, kind).mermaid for kind in ("call", "call", "call")}
    assert len(runs) == 1


def test_a_selection_keeps_itself_and_one_hop(shapes: Path) -> None:
    # lines 39-40: square(); who calls it comes along, nothing else does
    diagram = build_diagram(extract("g.py", shapes.read_bytes(), "python"), "call", 39, 40)
    assert diagram.mermaid.splitlines()[1:] == [
        '    n_Circle_area["Circle.area()"]',
        '    n_Square_area["Square.area()"]',
        '    n_square["square()"]',
        "    n_Circle_area --> n_square",
        "    n_Square_area --> n_square",
    ]
    # a class selected: its base comes along, its sibling does not
    diagram = build_diagram(extract("g.py", shapes.read_bytes(), "python"), "class", 17, 23)
    assert "class Circle" in diagram.mermaid and "class Shape" in diagram.mermaid
    assert "Square" not in diagram.mermaid


def test_a_real_module_textwrap() -> None:
    diagram = file_diagram(Path(textwrap.__file__), "call")
    edges = set(diagram.mermaid.splitlines())
    for edge in (
        "    n_TextWrapper_fill --> n_TextWrapper_wrap",
        "    n_TextWrapper_wrap --> n_TextWrapper__wrap_chunks",
        "    n_TextWrapper__wrap_chunks --> n_TextWrapper__handle_long_word",
        "    n_wrap --> n_TextWrapper",
    ):
        assert edge in edges
    classes = file_diagram(Path(textwrap.__file__), "class").mermaid
    assert "class TextWrapper {" in classes and "+fill(text)" in classes


def test_nothing_to_draw_says_so(tmp_path: Path) -> None:
    path = tmp_path / "consts.py"
    path.write_text("A = 1\n")
    diagram = file_diagram(path, "class")
    assert diagram.note == "no classes found in consts.py" and diagram.nodes == 0
    (tmp_path / "data.bin").write_bytes(b"\0\1")
    with pytest.raises(ConfigError, match="no grammar"):
        file_diagram(tmp_path / "data.bin", "call")


def test_request_parts_and_detection(shapes: Path) -> None:
    diagram = file_diagram(shapes, "class")
    (title, body), instruction = request_parts(diagram)
    assert title.startswith("Class diagram of geometry.py") and title.endswith("(Mermaid)")
    assert body == diagram.mermaid
    assert "```mermaid" in instruction
    assert has_diagram("Here:\n```mermaid\nflowchart LR\n```")
    assert has_diagram("```dot\ndigraph {}\n```")
    assert not has_diagram("no diagram, just `mermaid` mentioned")


def test_a_name_many_classes_define_gives_dashed_edges() -> None:
    source = (
        b"class A:\n    def run(self): ...\n"
        b"class B:\n    def run(self): ...\n"
        b"def go(x):\n    x.run()\n"
    )
    diagram = build_diagram(extract("m.py", source, "python"), "call")
    assert "    n_go -.-> n_A_run" in diagram.mermaid.splitlines()
    assert "    n_go -.-> n_B_run" in diagram.mermaid.splitlines()
