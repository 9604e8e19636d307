"""The 22 languages added for issue 15 (those aider maps beyond the first 17): each sample's
definitions, kinds, docs and references; extension sniffing; offline, lazy grammars."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from coda_ls.repomap.languages import (
    LANGUAGES,
    LanguageSpec,
    _as_capsule,
    detect_language,
    load_language,
)
from coda_ls.repomap.tags import extract, load_query

SAMPLES = Path(__file__).parent / "samples" / "languages"

# file -> (language, [(kind, qualname, doc)], [referenced names]); doc "" = none expected.
EXPECTED: dict[str, tuple[str, list[tuple[str, str, str]], list[str]]] = {
    "blink.ino": ("arduino", [
        ("class", "Blinker", "A blinking light."),
        ("method", "Blinker.toggle", "Toggle the light."),
        ("function", "setup", "Set up the board."),
        ("function", "loop", "Run forever."),
    ], ["pinMode", "digitalWrite", "blink"]),
    "bot.chatito": ("chatito", [
        ("class", "ask_weather", "Ask for the weather in a city."),
        ("type", "city", "Cities we know."),
        ("constant", "hi", ""),
    ], ["city", "hi"]),
    "shapes.clj": ("clojure", [
        ("module", "geometry.shapes", "Geometry helpers."),
        ("constant", "max-size", "The largest size."),
        ("interface", "HasArea", "Something with an area."),
        ("method", "HasArea.area", "Return the area."),
        ("class", "Circle", ""),
        ("method", "Circle.area", ""),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", ""),
        ("function", "with-shape", ""),
        ("function", "draw", ""),
    ], ["helper", "area", "trim"]),
    "shapes.lisp": ("commonlisp", [
        ("module", "geometry", ""),
        ("constant", "*max-size*", "The largest size."),
        ("class", "shape", "A shape on the canvas."),
        ("function", "area", "Return the area."),
        ("method", "shape.area", ""),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", "A local helper."),
        ("function", "with-shape", "Bind VAR to a shape."),
        ("struct", "point", ""),
    ], ["helper", "area", "make-instance"]),
    "shapes.d": ("d", [
        ("module", "geometry.shapes", "Geometry helpers."),
        ("constant", "MAX_SIZE", "The largest size."),
        ("interface", "HasArea", "Something with an area."),
        ("method", "HasArea.area", "Return the area."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("struct", "Point", "A point."),
        ("enum", "Color", "Colors we know."),
        ("function", "compute", "Compute things for a shape."),
        ("type", "Id", "An identifier."),
    ], ["helper", "area", "HasArea"]),
    "shapes.dart": ("dart", [
        ("constant", "maxSize", "The largest size."),
        ("class", "HasArea", "Something with an area."),
        ("method", "HasArea.area", "Return the area."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.Shape", "Make a shape."),
        ("method", "Shape.area", "Return the area."),
        ("method", "Shape.label", "The label."),
        ("enum", "Color", "Colors we know."),
        ("class", "Drawable", "Helpers for shapes."),
        ("class", "Shout", "More on strings."),
        ("type", "Id", "An identifier."),
        ("function", "compute", "Compute things for a shape."),
    ], ["helper", "area", "toUpperCase", "HasArea"]),
    "shapes.el": ("elisp", [
        ("module", "shapes", "Geometry helpers"),
        ("constant", "shapes-max-size", "The largest size."),
        ("constant", "shapes-color", "Default color of a shape."),
        ("function", "shapes-compute", "Compute things for a shape."),
        ("function", "shapes--helper", "A private helper."),
        ("function", "shapes-with", "Bind VAR to a shape."),
        ("class", "shapes-circle", "A round shape."),
        ("method", "shapes-circle.shapes-area", "Return the area."),
    ], ["shapes--helper", "shapes-area", "oref"]),
    "shapes.ex": ("elixir", [
        ("module", "Geometry.Shapes", "Geometry helpers."),
        ("function", "Geometry.Shapes.compute", "Compute things for a shape."),
        ("function", "Geometry.Shapes.area", "Return the area."),
        ("function", "Geometry.Shapes.helper", ""),
        ("function", "Geometry.Shapes.twice", ""),
        ("interface", "Geometry.HasArea", "Something with an area."),
        ("method", "Geometry.HasArea.area", ""),
    ], ["area", "helper", "sum", "Enum"]),
    "Shapes.elm": ("elm", [
        ("module", "Shapes", "Geometry helpers."),
        ("type", "Shape", "A shape on the canvas."),
        ("type", "Id", "An identifier."),
        ("constant", "maxSize", "The largest size."),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", ""),
        ("function", "area", ""),
        ("function", "twice", "Not annotated."),
    ], ["helper", "area", "Shape"]),
    "shapes.gleam": ("gleam", [
        ("module", "shapes", "Geometry helpers."),
        ("type", "Shape", "A shape on the canvas."),
        ("type", "Id", "An identifier."),
        ("constant", "max_size", "The largest size."),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", ""),
        ("function", "area", "Return the area."),
        ("function", "pi", ""),
    ], ["area", "helper", "fold", "Shape"]),
    "Shapes.hs": ("haskell", [
        ("module", "Geometry.Shapes", "Geometry helpers."),
        ("type", "Shape", "A shape on the canvas."),
        ("type", "Id", "An identifier."),
        ("type", "Name", "A wrapped name."),
        ("class", "HasArea", "Something with an area."),
        ("method", "HasArea.area", "Return the area."),
        ("function", "maxSize", "The largest size."),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", ""),
        ("function", "twice", "No signature here."),
    ], ["helper", "area", "Shape"]),
    "main.tf": ("hcl", [
        ("constant", "region", "The region to deploy to."),
        ("module", "aws", ""),
        ("class", "aws_instance.web", "The web server."),
        ("type", "aws_ami.ubuntu", ""),
        ("module", "network", ""),
        ("constant", "size", ""),
        ("constant", "ip", "The server's address."),
    ], ["region", "size", "ubuntu", "web", "lower"]),
    "shape_area.m": ("matlab", [
        ("function", "shape_area", "SHAPE_AREA Compute things for a shape."),
        ("function", "helper", "A local helper."),
    ], ["helper", "disp"]),
    "Shape.m": ("matlab", [
        ("class", "Shape", "A shape on the canvas."),
        ("constant", "Shape.W", ""),
        ("method", "Shape.area", "Return the area."),
    ], ["compute", "handle"]),
    "under.m": ("matlab", [("function", "scale", "SCALE Multiply by a factor.")], []),
    "shapes.ml": ("ocaml", [
        ("module", "shapes", "Geometry helpers."),
        ("constant", "max_size", "The largest size."),
        ("type", "shape", "A shape on the canvas."),
        ("function", "area", "Return the area."),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", ""),
        ("module", "Geometry", "Geometry module."),
        ("type", "Geometry.point", "A point."),
        ("interface", "HAS_AREA", "Something with an area."),
        ("class", "counter", "A counter."),
        ("method", "counter.incr", "Add one."),
    ], ["helper", "area", "compute", "print_float"]),
    "shapes.mli": ("ocaml_interface", [
        ("module", "shapes", "Geometry helpers."),
        ("type", "shape", "A shape on the canvas."),
        ("function", "compute", "Compute things for a shape."),
        ("interface", "HAS_AREA", "Something with an area."),
        ("method", "HAS_AREA.area", "Return the area."),
        ("module", "Geometry", "Geometry module."),
        ("function", "raw", ""),
    ], ["shape"]),
    "shapes.pony": ("pony", [
        ("module", "shapes", "Geometry helpers."),
        ("interface", "HasArea", "Something with an area."),
        ("class", "Shape", "A shape on the canvas."),
        ("method", "Shape.create", "Make a shape."),
        ("method", "Shape.area", "Return the area."),
        ("method", "Shape.helper", ""),
        ("class", "Main", "The program."),
        ("method", "Main.tick", ""),
        ("class", "Red", ""),
        ("type", "Color", ""),
    ], ["helper", "area", "print", "Shape"]),
    "app.properties": ("properties", [
        ("constant", "app.name", "The application name."),
        ("constant", "app.title", ""),
        ("constant", "server.port", "The port to listen on."),
    ], ["app.name"]),
    "shapes.R": ("r", [
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", "A local helper."),
        ("function", "area", ""),
        ("constant", "MAX_SIZE", ""),
    ], ["helper", "area", "median"]),
    "shapes.rkt": ("racket", [
        ("constant", "max-size", "The largest size."),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", ""),
        ("function", "area", ""),
        ("struct", "shape", "A shape on the canvas."),
    ], ["helper", "area"]),
    "Token.sol": ("solidity", [
        ("interface", "IBalance", "Something with a balance."),
        ("method", "IBalance.balanceOf", "Return the balance."),
        ("module", "SafeMath", "Math helpers."),
        ("class", "Token", "A simple token."),
        ("constant", "Token.MAX_SUPPLY", "The largest supply."),
        ("struct", "Token.Holder", "A holder."),
        ("enum", "Token.Color", "Colors we know."),
        ("type", "Token.Transfer", "Emitted on transfer."),
        ("method", "Token.onlyOwner", "Only the owner."),
        ("method", "Token.balanceOf", "Return the balance."),
        ("method", "Token.transfer", "Move tokens."),
    ], ["add", "Transfer", "onlyOwner", "IBalance"]),
    "99-usb.rules": ("udev", [
        ("constant", "BOARD", "Rules for the board."),
        ("function", "board_end", "End of the board rules."),
    ], ["board_end", "BOARD"]),
    "shapes.zig": ("zig", [
        ("module", "shapes", "Geometry helpers."),
        ("constant", "max_size", "The largest size."),
        ("struct", "Shape", "A shape on the canvas."),
        ("method", "Shape.area", "Return the area."),
        ("enum", "Color", "Colors we know."),
        ("struct", "Value", "A value or nothing."),
        ("function", "compute", "Compute things for a shape."),
        ("function", "helper", ""),
    ], ["helper", "area", "expect"]),
}  # fmt: skip

ADDED = {
    "arduino", "chatito", "clojure", "commonlisp", "d", "dart", "elisp", "elixir", "elm",
    "gleam", "haskell", "hcl", "matlab", "ocaml", "ocaml_interface", "pony", "properties",
    "r", "racket", "solidity", "udev", "zig",
}  # fmt: skip


def test_every_added_language_has_a_sample() -> None:
    assert {language for language, _, _ in EXPECTED.values()} == ADDED
    assert set(LANGUAGES) >= ADDED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_definitions_docs_and_references(name: str) -> None:
    language, definitions, references = EXPECTED[name]
    data = (SAMPLES / name).read_bytes()
    assert detect_language(name, data[:128]) == language
    tags = extract(name, data, language)
    assert tags.note is None, tags.note  # parsed cleanly, grammar and query loaded
    found = {(t.kind, t.qualname): t.doc for t in tags.definitions}
    for kind, qualname, doc in definitions:
        assert (kind, qualname) in found, f"{name}: no {kind} {qualname} in {sorted(found)}"
        assert found[(kind, qualname)] == doc, f"{name}: doc of {qualname}"
    for callee in references:
        assert tags.references.get(callee, 0) >= 1, f"{name}: no reference to {callee}"
    assert all(1 <= t.line <= t.end_line for t in tags.definitions)
    # Every definition but a file's doc-only module has a signature to show.
    assert all(t.signature for t in tags.definitions if t.kind != "module" or t.line > 5)


@pytest.mark.parametrize(
    ("name", "qualname", "signature"),
    [
        ("Shapes.hs", "compute", "compute :: Shape -> Double"),
        ("Shapes.elm", "compute", "compute : Shape -> Float"),
        ("shapes.lisp", "compute", "(defun compute (shape)"),
        ("shapes.clj", "compute", "(defn compute"),
        ("shapes.ml", "Geometry.point", "type point = { x : float; y : float }"),
        ("main.tf", "aws_instance.web", 'resource "aws_instance" "web"'),
        ("shapes.gleam", "compute", "pub fn compute(shape: Shape) -> Float"),
        ("shapes.ex", "Geometry.Shapes.compute", "def compute(shape)"),
    ],
)
def test_signatures_read_like_declarations(name: str, qualname: str, signature: str) -> None:
    """Lisp forms stop at their first line; Haskell and Elm show the type signature."""
    data = (SAMPLES / name).read_bytes()
    tags = extract(name, data, detect_language(name, data[:128]))
    assert {t.qualname: t.signature for t in tags.definitions}[qualname] == signature


@pytest.mark.parametrize(
    ("name", "head", "language"),
    [
        ("a.ino", None, "arduino"),
        ("intents.chatito", None, "chatito"),
        ("a.cljs", None, "clojure"),
        ("deps.edn", None, "clojure"),
        ("a.lsp", None, "commonlisp"),
        ("a.cl", b";;; utils\n(defun f ())", "commonlisp"),
        ("kernel.cl", b"__kernel void add(global float *a) {}", None),  # OpenCL
        ("kernel.cl", b"/* OpenCL */\n", None),
        ("app.d", b"module app;\n", "d"),
        ("build/app.d", b"build/app.o: src/app.c src/app.h\n", None),  # make dependencies
        ("main.dart", None, "dart"),
        ("init.el", None, "elisp"),
        ("mix.exs", None, "elixir"),
        ("Main.elm", None, "elm"),
        ("app.gleam", None, "gleam"),
        ("Main.hs", None, "haskell"),
        ("prod.tfvars", None, "hcl"),
        ("config.hcl", None, "hcl"),
        ("plot.m", b"% PLOT draw things\nfunction plot()", "matlab"),
        ("plot.m", b"\n\nfunction y = f(x)\n", "matlab"),
        ("octave.m", b"# an Octave comment\n1;\n", "matlab"),
        ("AppDelegate.m", b"//\n//  AppDelegate.m\n", None),  # Objective-C
        ("Foo.m", b"#import <Foundation/Foundation.h>\n", None),
        ("Foo.m", b"\n@implementation Foo\n@end\n", None),
        ("a.ml", None, "ocaml"),
        ("a.mli", None, "ocaml_interface"),
        ("main.pony", None, "pony"),
        ("app.properties", None, "properties"),
        ("analysis.R", None, "r"),
        ("analysis.r", None, "r"),
        ("main.rkt", None, "racket"),
        ("Token.sol", None, "solidity"),
        ("99-usb.rules", b'SUBSYSTEM=="usb", MODE="0666"\n', "udev"),
        ("99-usb.rules", b"# udev rules\n", "udev"),
        ("50-default.rules", b"polkit.addRule(function(action, subject) {\n", None),
        ("firestore.rules", b"rules_version = '2';\n", None),
        ("main.zig", None, "zig"),
        # `.h`: C unless it reads as C++ (fmt's headers were parsed as C)
        ("jv.h", b"#ifndef JV_H\n#include <stdio.h>\ntypedef struct jv jv;\n", "c"),
        ("jv.h", b'#ifdef __cplusplus\nextern "C" {\n#endif\nint jv_f(void);\n', "c"),
        ("base.h", b"// license\n#  include <stdio.h>\n#  include <type_traits>\n", "cpp"),
        ("a.h", b"namespace fmt {\nint f();\n}\n", "cpp"),
        ("a.h", b"template <typename T> struct box;\n", "cpp"),
        ("a.h", b"class Widget : public Base {\n public:\n  Widget();\n};\n", "cpp"),
        ("color.h", b'#include "format.h"\nenum class color : uint32_t {\n', "cpp"),
        ("a.h", b"/* " + b"x" * 9000 + b" */\nnamespace late {}\n", "c"),  # past 8 KB
        ("a.h", None, "c"),
        ("tool", b"#!/usr/bin/env elixir\n", "elixir"),
        ("tool", b"#!/usr/bin/env Rscript\n", "r"),
        ("tool", b"#!/usr/bin/env runhaskell\n", "haskell"),
        ("tool", b"#!/usr/bin/env racket\n", "racket"),
    ],
)
def test_detect_language(name: str, head: bytes | None, language: str | None) -> None:
    assert detect_language(name, head) == language


@pytest.mark.parametrize("language", sorted(ADDED))
def test_grammar_loads_offline_and_query_compiles(language: str) -> None:
    """Every grammar is ABI-compatible with the pinned tree-sitter and needs no download;
    no DeprecationWarning either (some wheels hand out a raw int pointer)."""
    from tree_sitter import LANGUAGE_VERSION, MIN_COMPATIBLE_LANGUAGE_VERSION

    load_language.cache_clear()
    load_query.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grammar = load_language(language)
        assert grammar is not None
        assert load_query(language) is not None
    assert MIN_COMPATIBLE_LANGUAGE_VERSION <= grammar.abi_version <= LANGUAGE_VERSION


def test_int_pointer_becomes_a_capsule() -> None:
    import tree_sitter_solidity
    from tree_sitter import Language

    pointer = tree_sitter_solidity.language()
    assert isinstance(pointer, int)  # the reason for _as_capsule; drop it when this fails
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Language(_as_capsule(pointer)).abi_version >= 14


def test_missing_grammar_is_a_listing_with_a_one_line_hint(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    spec = LanguageSpec("nolang", "tree_sitter_language_pack.bindings.nolang", extra="languages")
    monkeypatch.setitem(LANGUAGES, "nolang", spec)
    with caplog.at_level(logging.WARNING, logger="coda_ls.repomap.languages"):
        tags = extract("a.nolang", b"whatever", "nolang")
    assert tags.definitions == () and tags.note == "no grammar or query for nolang"
    (record,) = [r for r in caplog.records if "nolang" in r.getMessage()]
    message = record.getMessage()
    assert "\n" not in message and "pip install 'coda-assistant[languages]'" in message
    load_language.cache_clear()
    load_query.cache_clear()


def test_grammars_load_lazily() -> None:
    """Importing the map and tagging a Python file loads no other grammar."""
    code = (
        "import sys\n"
        "from coda_ls.repomap.tags import extract\n"
        "extract('a.py', b'def f():\\n    pass\\n', 'python')\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules}))) \n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    grammars = [m for m in done.stdout.split() if m.startswith("tree_sitter_")]
    assert grammars == ["tree_sitter_python"]


def test_coda_map_on_a_mixed_project(tmp_path: Path) -> None:
    """`coda map` as a user runs it, over a project with a file of every added language."""
    for name in EXPECTED:
        shutil.copy(SAMPLES / name, tmp_path / name)
    (tmp_path / "main.py").write_text("from shapes import compute\n\nprint(compute(1))\n")
    done = subprocess.run(
        [sys.executable, "-m", "coda_cli", "map", str(tmp_path), "--tokens", "8000", "--json"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(EXPECTED) <= set(data["files"])
    shown = {(t["path"], t["name"]) for t in data["tags"]}
    for expected in [
        ("Token.sol", "Token"), ("Shapes.hs", "compute"), ("shapes.ex", "compute"),
        ("main.tf", "web"), ("shapes.zig", "Shape"), ("bot.chatito", "ask_weather"),
        ("shapes.clj", "compute"), ("shapes.R", "compute"), ("99-usb.rules", "board_end"),
    ]:  # fmt: skip
        assert expected in shown, expected


@pytest.mark.parametrize(
    ("name", "language", "code"),
    [
        # These grammars end a comment with its newline: a blank line must still end the doc.
        ("a.lisp", "commonlisp", b";; Not a doc.\n\n(defun f () 1)\n"),
        ("a.chatito", "chatito", b"# Not a doc.\n\n%[f]\n    hello\n"),
        ("a.gleam", "gleam", b"/// Not a doc.\n\nfn f() { 1 }\n"),
    ],
)
def test_blank_line_ends_a_doc(name: str, language: str, code: bytes) -> None:
    (tag,) = extract(name, code, language).definitions
    assert tag.name == "f" and tag.doc == ""


@pytest.mark.parametrize(
    ("raw", "summary"),
    [
        ("(** A shape. *)", "A shape."),
        ("{-| Geometry helpers.\n-}", "Geometry helpers."),
        ("-- | Compute things.", "Compute things."),
        (";;; A helper.", "A helper."),
        ("% SCALE Multiply.\n%   More.", "SCALE Multiply."),
        ("! The port.", "The port."),
        ("#' Compute things.\n#'\n#' @param x", "Compute things."),
        ("//// Geometry helpers.", "Geometry helpers."),
        ('@doc """\n  Compute things.\n\n  More.\n  """', "Compute things."),
        ('@moduledoc ~S"Something."', "Something."),
        ("/// @notice Return the balance.", "Return the balance."),
        ("/++ D doc. +/", "D doc."),
        (";;; shapes.el --- Geometry helpers  -*- lexical-binding: t -*-", "Geometry helpers"),
    ],
)
def test_summarize_new_comment_styles(raw: str, summary: str) -> None:
    from coda_ls.repomap.tags import summarize

    assert summarize(raw) == summary


def test_doctor_names_the_extra_for_a_missing_optional_grammar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coda_ls.doctor import grammar_check

    spec = LanguageSpec("nolang", "tree_sitter_language_pack.bindings.nolang", extra="languages")
    monkeypatch.setitem(LANGUAGES, "nolang", spec)
    check = grammar_check()
    assert check.ok is None  # informational: the core languages all load
    assert "nolang" in check.detail and "coda-assistant[languages]" in check.fix
    load_language.cache_clear()
    load_query.cache_clear()


@pytest.mark.timeout(20)  # the quadratic walk took 46 s on 2,000 lines; now ~0.1 s
@pytest.mark.parametrize(
    ("name", "language", "code"),
    [
        ("x.go", "go", b"package p\n\n" + b"// a comment line.\n" * 3000 + b"func F() {}\n"),
        ("x.el", "elisp", b";; a comment line.\n" * 3000 + b"(defun f () 1)\n"),
    ],
)
def test_a_long_run_of_comment_lines_is_linear(name: str, language: str, code: bytes) -> None:
    """Every line of a run is a doc candidate (Emacs's ps-print.el has 1,800 in a row)."""
    tags = extract(name, code, language)
    assert tags.definitions[-1].doc == "a comment line."
