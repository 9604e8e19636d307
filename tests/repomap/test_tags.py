"""Tags per language on real snippets: definitions, kinds, parents and attached docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.repomap.languages import detect_language
from coda_ls.repomap.tags import extract, summarize

SAMPLES = Path(__file__).parent / "samples"

# file -> (kind, qualname, doc) that must be found; doc "" = no doc expected.
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "sample.py": [
        ("module", "tests.repomap.samples.sample", "Sample module."),
        ("constant", "MAX_SIZE", ""),
        ("class", "Color", "Colors we know."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("function", "compute", "Compute things for a shape."),
    ],
    "sample.js": [
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("function", "compute", "Compute things for a shape."),
        ("function", "arrow", "Arrow helper."),
        ("constant", "MAX_SIZE", ""),
    ],
    "sample.ts": [
        ("interface", "HasArea", "Something with an area."),
        ("enum", "Color", "Colors we know."),
        ("type", "Id", "Identifier alias."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("function", "compute", "Compute things for a shape."),
        ("module", "Geometry", ""),
        ("constant", "Geometry.PI", ""),
    ],
    "sample.tsx": [
        ("interface", "ButtonProps", "Props of the button."),
        ("function", "Button", "A button component."),
    ],
    "sample.go": [
        ("module", "sample", "Package sample has everything."),
        ("constant", "MaxSize", "MaxSize is the largest size."),
        ("struct", "Shape", "Shape is a shape on the canvas."),
        ("interface", "HasArea", "HasArea is something with an area."),
        ("type", "ID", "ID is an identifier."),
        ("method", "Shape.Area", "Area returns the area."),
        ("function", "Compute", "Compute computes things for a shape."),
    ],
    "sample.rs": [
        ("module", "sample", "Sample crate docs."),
        ("constant", "MAX_SIZE", "The largest size."),
        ("struct", "Shape", "A shape on the canvas."),
        ("enum", "Color", "Colors we know."),
        ("trait", "HasArea", "Something with an area."),
        ("method", "HasArea.area", "Return the area."),
        ("type", "Id", "An identifier."),
        ("method", "Shape.area", "Return the area."),
        ("function", "compute", "Compute things for a shape."),
        ("module", "geometry", "Geometry helpers."),
    ],
    "sample.c": [
        ("constant", "MAX_SIZE", "The largest size."),
        ("struct", "shape", "A shape on the canvas."),
        ("enum", "color", "Colors we know."),
        ("type", "shape_id", "An identifier."),
        ("function", "compute", "Compute things for a shape."),
    ],
    "sample.cpp": [
        ("module", "geo", "Geometry namespace."),
        ("class", "geo.Shape", "A shape on the canvas."),
        ("method", "geo.Shape.area", "Return the area."),
        ("enum", "geo.Color", "Colors we know."),
        ("struct", "geo.Point", "A point."),
        ("function", "geo.compute", "Compute things for a shape."),
        ("method", "Shape.perimeter", "Shape method out of line."),
    ],
    "Sample.java": [
        ("interface", "HasArea", "Something with an area."),
        ("enum", "Color", "Colors we know."),
        ("class", "Shape", "A shape on the canvas."),
        ("constant", "Shape.MAX_SIZE", "The largest size."),
        ("method", "Shape.area", "Return the area."),
    ],
    "Sample.cs": [
        ("module", "Sample", ""),
        ("interface", "Sample.IHasArea", "Something with an area."),
        ("enum", "Sample.Color", "Colors we know."),
        ("struct", "Sample.Point", "A point."),
        ("class", "Sample.Shape", "A shape on the canvas."),
        ("method", "Sample.Shape.Area", "Return the area."),
    ],
    "sample.rb": [
        ("module", "Geometry", "Geometry helpers."),
        ("constant", "Geometry.MAX_SIZE", "The largest size."),
        ("class", "Geometry.Shape", "A shape on the canvas."),
        ("method", "Geometry.Shape.area", "Return the area."),
        ("method", "Geometry.Shape.build", "Build one."),
    ],
    "sample.php": [
        ("module", "Sample", ""),
        ("interface", "HasArea", "Something with an area."),
        ("trait", "Helpers", "Shared helpers."),
        ("enum", "Color", "Colors we know."),
        ("class", "Shape", "A shape on the canvas."),
        ("constant", "Shape.MAX_SIZE", ""),
        ("method", "Shape.area", "Return the area."),
        ("function", "compute", "Compute things for a shape."),
    ],
    "sample.kt": [
        ("interface", "HasArea", "Something with an area."),
        ("enum", "Color", "Colors we know."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("class", "Registry", "The singleton."),
        ("type", "Id", "An identifier."),
        ("constant", "MAX_SIZE", "The largest size."),
        ("function", "compute", "Compute things for a shape."),
    ],
    "sample.swift": [
        ("interface", "HasArea", "Something with an area."),
        ("enum", "Color", "Colors we know."),
        ("struct", "Point", "A point."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("type", "Id", "An identifier."),
        ("function", "compute", "Compute things for a shape."),
    ],
    "sample.scala": [
        ("trait", "HasArea", "Something with an area."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("class", "Geometry", "Geometry helpers."),
        ("method", "Geometry.compute", "Compute things for a shape."),
        ("class", "Point", "A point."),
        ("type", "Id", "An identifier."),
    ],
    "sample.lua": [
        ("function", "M.compute", "Compute things for a shape."),
        ("method", "M.area", "Return the area."),
        ("function", "tidy", "A local helper."),
    ],
    "sample.sh": [
        ("function", "build", "Build the project."),
        ("function", "run_tests", "Run the tests."),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_definitions_and_docs(name: str) -> None:
    path = SAMPLES / name
    data = path.read_bytes()
    language = detect_language(path, data[:128])
    rel = f"tests/repomap/samples/{name}"
    tags = extract(rel, data, language)
    found = {(t.kind, t.qualname): t.doc for t in tags.definitions}
    for kind, qualname, doc in EXPECTED[name]:
        assert (kind, qualname) in found, f"{name}: no {kind} {qualname} in {sorted(found)}"
        assert found[(kind, qualname)] == doc, f"{name}: doc of {qualname}"
    assert all(t.path == rel and 1 <= t.line <= t.end_line for t in tags.definitions)


@pytest.mark.parametrize(
    ("name", "callee"),
    [("sample.py", "helper"), ("sample.go", "helper"), ("sample.rs", "helper"),
     ("Sample.java", "compute"), ("sample.sh", "compile_all"), ("sample.tsx", "track")],
)  # fmt: skip
def test_references_are_counted(name: str, callee: str) -> None:
    path = SAMPLES / name
    data = path.read_bytes()
    tags = extract(name, data, detect_language(path, data[:128]))
    assert tags.references.get(callee, 0) >= 1
    assert any(t.name == callee and t.role == "reference" for t in tags.reference_tags())


def test_signature_and_parent() -> None:
    data = (SAMPLES / "sample.py").read_bytes()
    tags = {t.qualname: t for t in extract("sample.py", data, "python").definitions}
    assert tags["Shape.area"].signature == "def area(self) -> float"
    assert tags["Shape.area"].parent == "Shape"
    assert tags["compute"].signature == "def compute(shape: Shape) -> float"


def test_multiline_signature_is_kept_whole() -> None:
    code = b"def f(\n    a: int,\n    b: int,\n) -> int:  # trailing\n    return a\n"
    (tag,) = extract("f.py", code, "python").definitions
    assert tag.signature == "def f(a: int, b: int) -> int"  # issue 15: no "( a" or ", )"


@pytest.mark.parametrize(
    ("raw", "summary"),
    [
        ('"""Return the area. More text."""', "Return the area."),
        ("/**\n * A shape.\n * @param x the x\n */", "A shape."),
        ("/// <summary>Colors we know.</summary>", "Colors we know."),
        ("# one\n# two. three", "one two."),
        ("--- Lua doc", "Lua doc"),
    ],
)
def test_summarize(raw: str, summary: str) -> None:
    assert summarize(raw) == summary


@pytest.mark.parametrize(
    ("name", "head", "language"),
    [
        ("a.py", None, "python"),
        ("a.tsx", None, "tsx"),
        ("a.H", None, "c"),
        ("Rakefile", None, "ruby"),
        ("tool", b"#!/usr/bin/env python3\n", "python"),
        ("tool", b"#!/bin/bash -e\n", "bash"),
        ("tool", b"#!/usr/bin/env -S node --flag\n", "javascript"),
        ("tool", b"plain text", None),
        ("notes.txt", None, None),
    ],
)
def test_detect_language(name: str, head: bytes | None, language: str | None) -> None:
    assert detect_language(name, head) == language


def test_syntax_errors_keep_what_parses() -> None:
    code = b"def good():\n    pass\n\ndef broken(:\n    pass\n\nclass Fine:\n    pass\n"
    tags = extract("x.py", code, "python")
    names = {t.name for t in tags.definitions}
    assert {"good", "Fine"} <= names
    assert tags.note is not None and "syntax" in tags.note


def test_non_utf8_still_tags() -> None:
    code = "# café\ndef f():\n    return 'é'\n".encode("latin-1")
    tags = extract("x.py", code, "python")
    assert [t.name for t in tags.definitions] == ["f"]
