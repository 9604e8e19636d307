"""Which refactor answers become edits (issue #18: only what the refactor format allows)."""

from __future__ import annotations

import json

import pytest

from coda_ls.edits import Replacement, apply_replacements
from coda_ls.structured import parse_refactor

SELECTION = "def area(width, height):\n    return width * height\n"
SOURCE = f'"""Geometry."""\n\n\n{SELECTION}'


def test_json_edits_are_taken() -> None:
    answer = json.dumps(
        {"summary": "swap", "edits": [{"search": "width * height", "replace": "height * width"}]}
    )
    refactor = parse_refactor(f"Here you go:\n```json\n{answer}\n```", "geometry.py", SELECTION)
    assert refactor.summary == "swap"
    assert [(e.file, e.search, e.replace) for e in refactor.edits] == [
        ("geometry.py", "width * height", "height * width")
    ]


def test_one_code_block_for_the_selection_replaces_it() -> None:
    block = "def rect_area(width, height):\n    return height * width\n"
    refactor = parse_refactor(f"Renamed it.\n```python\n{block}```\n", "g.py", SELECTION)
    assert refactor.summary == "Renamed it."
    edits = [Replacement(e.search, e.replace) for e in refactor.edits]
    assert apply_replacements(SOURCE, edits) == SOURCE.replace(SELECTION, block)


@pytest.mark.parametrize(
    "answer",
    [
        # a fenced JSON object without `edits` (it was taken as the new code before)
        '```json\n{"summary": "looks fine", "notes": ["nothing to change"]}\n```',
        '{"summary": "nothing to do"}',
        # prose with an unrelated code block
        "You need the dependency first:\n```bash\npip install numpy\n```\nthen it works.",
        # several blocks: which one is the new selection is a guess
        "Either\n```python\ndef area(width, height):\n    return width*height\n```\n"
        "or\n```python\ndef area(width, height):\n    return height*width\n```",
        # a JSON array in a block is not code for a Python selection
        '```json\n["area", "width", "height"]\n```',
        "I would not change this function.",
    ],
    ids=[
        "fenced-json-no-edits",
        "bare-json-no-edits",
        "unrelated-block",
        "two-blocks",
        "json-array",
        "prose-only",
    ],
)
def test_answers_outside_the_format_give_no_edit_and_keep_the_text(answer: str) -> None:
    refactor = parse_refactor(answer, "geometry.py", SELECTION)
    assert refactor.edits == []
    assert refactor.summary == answer.strip()


def test_a_block_without_a_selection_is_no_edit() -> None:
    refactor = parse_refactor("```python\nx = 1\n```", "g.py", None)
    assert refactor.edits == []
