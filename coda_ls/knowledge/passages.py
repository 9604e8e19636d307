"""Splitting a Markdown note into passages: the unit the index ranks and the context adds.

A passage is one section (the text under a heading) or, when a section is long, a run of
its paragraphs up to `MAX_CHARS`. Each carries its heading path ("Deploy > Rollback") so a
passage read alone still says what it is about. Code fences are never split (a blank line
inside a fence is not a paragraph break); HTML comments (where `coda knowledge add`
records the note's origin) and YAML front matter are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 1200  # ~300 tokens: several fit a typical budget, each is still self-contained
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Chunk:
    """A passage of one note before it is indexed: heading path and text."""

    heading: str
    text: str


def split_note(text: str, title: str = "") -> list[Chunk]:
    """The passages of a Markdown note. `title` (the file name) heads text that comes
    before any heading."""
    text = _COMMENT.sub("", _FRONT_MATTER.sub("", text.replace("\r\n", "\n")))
    sections: list[tuple[str, list[str]]] = []
    trail: list[tuple[int, str]] = []
    current: list[str] = []
    heading = title
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            current.append(line)
            continue
        sections.append((heading, current))
        level, name = len(match.group(1)), match.group(2)
        trail = [(lvl, n) for lvl, n in trail if lvl < level] + [(level, name)]
        heading = " > ".join(n for _, n in trail)
        current = []
    sections.append((heading, current))
    chunks: list[Chunk] = []
    for name, lines in sections:
        for body in _pack(_paragraphs(lines)):
            chunks.append(Chunk(name, body))
    return chunks


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated blocks; a fenced block stays whole."""
    blocks: list[str] = []
    block: list[str] = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        if not line.strip() and not in_fence:
            if block:
                blocks.append("\n".join(block))
                block = []
            continue
        block.append(line)
    if block:
        blocks.append("\n".join(block))
    return [b.strip("\n") for b in blocks if b.strip()]


def _pack(paragraphs: list[str]) -> list[str]:
    """Paragraphs joined into passages of at most MAX_CHARS (a longer single paragraph
    is cut at line ends, so no passage is unbounded)."""
    out: list[str] = []
    current = ""
    for para in paragraphs:
        for piece in _cut(para):
            if current and len(current) + 2 + len(piece) > MAX_CHARS:
                out.append(current)
                current = piece
            else:
                current = f"{current}\n\n{piece}" if current else piece
    if current:
        out.append(current)
    return out


def _cut(paragraph: str) -> list[str]:
    if len(paragraph) <= MAX_CHARS:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for line in paragraph.split("\n"):
        while len(line) > MAX_CHARS:  # one enormous line (minified text): hard cut
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:MAX_CHARS])
            line = line[MAX_CHARS:]
        if current and len(current) + 1 + len(line) > MAX_CHARS:
            pieces.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        pieces.append(current)
    return pieces
