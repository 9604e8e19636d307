"""Render ranked tags as an outline per file, fitted to a token budget by binary search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coda_ls.repomap.model import RenderedMap, Tag
from coda_ls.tokens import count_tokens, token_counter


@dataclass(frozen=True, slots=True)
class Entry:
    """One item to show: a tag, or a file listed without tags (`note` says why)."""

    path: str
    tag: Tag | None = None
    note: str | None = None


def outline(entries: Sequence[Entry]) -> str:
    """Files in the order they first appear; in each, tags by line, nested by parent."""
    by_file: dict[str, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(entry.path, []).append(entry)
    chunks: list[str] = []
    for path, items in by_file.items():
        tags = sorted((e.tag for e in items if e.tag is not None), key=lambda t: t.line)
        notes = [e.note for e in items if e.tag is None and e.note]
        header = f"{path}:" if not notes else f"{path}: ({notes[0]})"
        lines = [header]
        shown = {t.qualname for t in tags}
        for tag in tags:
            depth = 1 + _depth(tag, shown)
            text = tag.signature or f"{tag.kind} {tag.name}"
            if tag.doc:
                text = f"{text}  # {tag.doc}"
            lines.append(f"{'  ' * depth}{text}")
        chunks.append("\n".join(lines))
    return "\n".join(chunks) + ("\n" if chunks else "")


def _depth(tag: Tag, shown: set[str]) -> int:
    depth, parent = 0, tag.parent
    while parent:
        if parent in shown:
            depth += 1
        parent = parent.rpartition(".")[0] or None
    return depth


def max_entries(budget: int) -> int:
    """The most entries fit() tries: each line costs at least two tokens."""
    return max(1, budget // 2)


def fit(entries: Sequence[Entry], budget: int) -> RenderedMap:
    """The most entries (in rank order) whose outline fits in `budget` tokens."""
    exact = token_counter()[1]
    count = count_tokens  # cached: the same ranking is often fitted again
    best_text, best_tokens, best_n = "", 0, 0
    lo, hi = 1, min(len(entries), max_entries(budget))
    while lo <= hi:
        mid = (lo + hi) // 2
        text = outline(entries[:mid])
        tokens = count(text)
        if tokens <= budget:
            best_text, best_tokens, best_n = text, tokens, mid
            lo = mid + 1
        else:
            hi = mid - 1
    chosen = entries[:best_n]
    files = tuple(dict.fromkeys(e.path for e in chosen))
    tags = tuple(e.tag for e in chosen if e.tag is not None)
    return RenderedMap(best_text, best_tokens, tags, files, budget, exact)
