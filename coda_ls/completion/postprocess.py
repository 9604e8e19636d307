"""Turn what the model wrote into what the editor should show.

Users notice four things: a suggestion that runs past the statement or block it belongs
to, one that repeats text already after the cursor (a second `)`, the next line again),
one with the wrong indentation, and a multi-line block when one line was wanted. Each
rule here addresses one of them; `clean` applies them in order.
"""

from __future__ import annotations

import re

from coda_ls.completion.formats import all_stop_tokens

MAX_LINES = 16
_OPENERS = (":", "{", "(", "[", "=>", " do", " then")
_FENCE = re.compile(r"^```[\w+-]*\n(.*?)(?:\n```|$)", re.S)
_PAIRS = {"(": ")", "[": "]", "{": "}"}
_STOPS = sorted(all_stop_tokens(), key=len, reverse=True)


def cut_at_stop(text: str, stops: tuple[str, ...] = ()) -> str:
    """Cut at the first stop or sentinel token (servers that ignore `stop` send them)."""
    end = len(text)
    for token in (*stops, *_STOPS):
        at = text.find(token)
        if 0 <= at < end:
            end = at
    return text[:end]


def unfence(text: str) -> str:
    """A chat model's ```lang ... ``` block -> its content."""
    stripped = text.strip("\n")
    match = _FENCE.match(stripped)
    return match.group(1) if match else text


def wants_multiline(line_prefix: str, line_suffix: str) -> bool:
    """Multi-line only when the cursor starts a body or a statement on an empty line; in
    the middle of a line, the suggestion finishes that line."""
    if line_suffix.strip() and not _only_closers(line_suffix):
        return False
    if not line_prefix.strip():
        return True  # an empty (indented) line: a statement or a block may follow
    # A line that opens a block (`def f():`, `if x {`, `foo(`) may be followed by its
    # body; a statement being typed (`x = `, `ret`) is finished on its own line.
    return line_prefix.rstrip().endswith(_OPENERS)


def _only_closers(text: str) -> bool:
    return all(ch in ")]};,\"' \t" for ch in text.strip())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def trim_block(text: str, line_prefix: str) -> str:
    """Keep the lines that belong to the block started at the cursor: stop at the first
    line indented less than the cursor's line (the block ended), or after MAX_LINES."""
    lines = text.split("\n")
    base = _indent(line_prefix)
    kept = [lines[0]]
    for line in lines[1:MAX_LINES]:
        if line.strip() and _indent(line) < base:
            break
        if line.strip() and _indent(line) == base and base == 0 and kept[-1].strip() == "":
            break  # a new top-level statement after a blank line: another unit
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def _imbalance(text: str) -> int:
    total = 0
    for opener, closer in _PAIRS.items():
        total += abs(text.count(opener) - text.count(closer))
    return total


def dedupe_line_suffix(completion: str, line_prefix: str, line_suffix: str) -> str:
    """Drop the end of the completion that the rest of the cursor's line already has
    (the model wrote `x)` before an existing `)`), unless brackets say it belongs."""
    rest = line_suffix.rstrip()
    if not rest.strip():
        return completion
    last = completion.rsplit("\n", 1)[-1]
    for size in range(len(rest), 0, -1):
        overlap = rest[:size]
        if not overlap.strip() or not last.endswith(overlap):
            continue
        stripped = completion[: len(completion) - size]
        head = line_prefix if "\n" not in completion else ""
        before = _imbalance(head + last + rest)
        after = _imbalance(head + stripped.rsplit("\n", 1)[-1] + rest)
        return stripped if after <= before else completion
    return completion


def dedupe_following_lines(completion: str, following: list[str]) -> str:
    """Drop completion lines that repeat the lines after the cursor's line."""
    nonblank = [line.strip() for line in following if line.strip()]
    if not nonblank:
        return completion
    lines = completion.split("\n")
    for index in range(1, len(lines)):
        if lines[index].strip() and lines[index].strip() == nonblank[0]:
            return "\n".join(lines[:index]).rstrip()
    return completion


def clean(
    raw: str,
    prefix: str,
    suffix: str,
    *,
    stops: tuple[str, ...] = (),
    from_chat: bool = False,
) -> str:
    """The text to insert at the cursor ("" when nothing worth showing is left)."""
    text = cut_at_stop(raw, stops).replace("\r\n", "\n")
    line_prefix = prefix.rsplit("\n", 1)[-1]
    line_suffix, _, after = suffix.partition("\n")
    if from_chat:
        text = unfence(text)
        text = _drop_echoed_prefix(text, line_prefix)
    if not text.strip():
        return ""
    if wants_multiline(line_prefix, line_suffix):
        text = trim_block(text, line_prefix)
        text = dedupe_following_lines(text, after.split("\n"))
    else:
        text = text.split("\n", 1)[0]
    text = dedupe_line_suffix(text.rstrip(), line_prefix, line_suffix)
    if not text.strip():
        return ""
    return text


def _drop_echoed_prefix(text: str, line_prefix: str) -> str:
    """Chat models often write the whole line again, indentation included."""
    body = text.lstrip("\n")
    stripped_prefix = line_prefix.strip()
    first = body.split("\n", 1)[0]
    if stripped_prefix and first.lstrip().startswith(stripped_prefix):
        cut = first.index(stripped_prefix) + len(stripped_prefix)
        return body[cut:]
    if not stripped_prefix and line_prefix:
        # The cursor is after indentation already typed: keep the model's relative shape.
        return body[min(_indent(first), len(line_prefix)) :]
    return body
