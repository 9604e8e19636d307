"""Ask the model for a fix, as a unified diff or a text, and check what it returns.

One request, no tools, no session: a check proposes, the user applies. A proposed diff is
tried against the file's current text (`apply_unified`), so a diff that does not apply is
reported as such instead of being shown as if it would work.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coda_ls.errors import EditError

if TYPE_CHECKING:
    from coda_ls.engine import Engine

_DIFF_BLOCK = re.compile(r"```(?:diff|patch)?\s*\n(.*?)```", re.S)
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


async def ask_model(engine: Engine, system: str, prompt: str, model: str | None = None) -> str:
    """The model's whole reply to one system + user message (the usual provider choice)."""
    from coda_ls.wire import ChatRequest, Message

    chosen = await engine.selection(None, None, model)
    request = ChatRequest(
        messages=[Message(role="system", content=system), Message(role="user", content=prompt)],
        model=chosen.model,
        temperature=0.0,
    )
    response = await chosen.provider.chat(request)
    return response.message.content


def extract_diff(reply: str) -> str:
    """The unified diff in a reply: its ```diff block, else the reply from its first
    `--- ` line; empty when there is none."""
    block = _DIFF_BLOCK.search(reply)
    text = block.group(1) if block else reply
    start = text.find("--- ")
    if start < 0:
        start = text.find("@@ ")
    return text[start:].rstrip() + "\n" if start >= 0 else ""


def apply_unified(text: str, diff: str) -> str:
    """`text` with the hunks of a one-file unified diff applied. Hunks are placed by their
    context (the line numbers are only a hint: models miscount); raises EditError when a
    hunk's context is not in the text."""
    lines = text.splitlines()
    out: list[str] = []
    cursor = 0
    hunks = _hunks(diff)
    if not hunks:
        raise EditError("the proposed diff has no hunks", "ask again or edit by hand")
    for hint, old, new in hunks:
        at = _find(lines, old, cursor, hint)
        if at is None:
            shown = old[0] if old else "(empty)"
            raise EditError(
                f"a hunk of the proposed diff does not apply (context {shown!r} not found)",
                "the document may have changed; run the check again",
            )
        out.extend(lines[cursor:at])
        out.extend(new)
        cursor = at + len(old)
    out.extend(lines[cursor:])
    return "\n".join(out) + ("\n" if text.endswith("\n") or not text else "")


def _hunks(diff: str) -> list[tuple[int, list[str], list[str]]]:
    hunks: list[tuple[int, list[str], list[str]]] = []
    current: tuple[int, list[str], list[str]] | None = None
    for line in diff.splitlines():
        match = _HUNK.match(line)
        if match:
            current = (int(match.group(1)) - 1, [], [])
            hunks.append(current)
            continue
        if current is None or line.startswith(("--- ", "+++ ", "\\")):
            continue
        tag, body = line[:1], line[1:]
        if tag in (" ", ""):
            current[1].append(body)
            current[2].append(body)
        elif tag == "-":
            current[1].append(body)
        elif tag == "+":
            current[2].append(body)
    return hunks


def _find(lines: list[str], old: list[str], start: int, hint: int) -> int | None:
    if not old:
        return max(start, min(hint, len(lines)))
    candidates = [
        i for i in range(start, len(lines) - len(old) + 1) if lines[i : i + len(old)] == old
    ]
    if not candidates:
        stripped = [o.rstrip() for o in old]  # models drop trailing spaces
        candidates = [
            i
            for i in range(start, len(lines) - len(old) + 1)
            if [x.rstrip() for x in lines[i : i + len(old)]] == stripped
        ]
    return min(candidates, key=lambda i: abs(i - hint)) if candidates else None
