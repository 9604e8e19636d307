"""The project, model answers and server command every headless editor test uses."""

from __future__ import annotations

import sys
from pathlib import Path

SAMPLE = '''"""Geometry helpers."""


def area(width, height):
    """Area of a rectangle."""
    return width * height


def perimeter(width, height):
    return 2 * (width + height)
'''

EXPLANATION = ["`area` ", "multiplies ", "width ", "by ", "height ", "to ", "get ", "the ", "area."]
SUGGESTION = 'def perimeter(width, height):\n    """Perimeter."""\n    return 2 * (width + height)'
REVIEW = {
    "summary": "two small issues",
    "findings": [
        {
            "file": "geometry.py",
            "start_line": 9,
            "end_line": 10,
            "severity": "warning",
            "message": "perimeter lacks a docstring",
            "suggestion": SUGGESTION,
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
REFACTOR = {
    "summary": "swap factors",
    "edits": [{"search": "return width * height", "replace": "return height * width"}],
}


def server_command() -> list[str]:
    script = Path(sys.executable).with_name("coda-ls")
    return [str(script)] if script.exists() else [sys.executable, "-m", "coda_ls"]
