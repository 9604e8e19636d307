"""Render ranked tags as an outline per file, fitted to a token budget by binary search."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coda_ls.repomap.model import RenderedMap, Tag
from coda_ls.tokens import count_tokens, token_counter


@dataclass(frozen=True, slots=True)
class Entry:
    """One item to show: a tag, or a file listed without tags (`note` says why)."""

    path: str
    tag: Tag | None = None
    note: str | None = None


Parents = Callable[[str, str], Tag | None]  # (path, qualname) -> that definition


def _no_parents(path: str, qualname: str) -> Tag | None:
    return None


def outline(entries: Sequence[Entry], parents: Parents = _no_parents) -> str:
    """Files in the order they first appear; in each, tags by line, nested by parent.

    A method shown without its class gets the class line once as a header (`parents`
    finds it), so the reader knows whose method it is; definitions sharing a qualified
    name (overloads, redeclarations) are shown once with a count."""
    by_file: dict[str, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(entry.path, []).append(entry)
    chunks: list[str] = []
    for path, items in by_file.items():
        tags = [e.tag for e in items if e.tag is not None]
        copies = Counter(t.qualname for t in tags)
        unique = list({t.qualname: t for t in reversed(tags)}.values())  # first of each
        shown = {t.qualname for t in unique}
        for tag in list(unique):
            parent = tag.parent
            while parent and parent not in shown:
                header = parents(path, parent)
                if header is None:
                    break
                unique.append(header)
                shown.add(parent)
                parent = header.parent
        unique.sort(key=lambda t: (t.line, t.qualname))
        notes = [e.note for e in items if e.tag is None and e.note]
        lines = [f"{path}:" if not notes else f"{path}: ({notes[0]})"]
        for tag in unique:
            depth = 1 + _depth(tag, shown)
            text = tag.signature or f"{tag.kind} {tag.name}"
            if copies[tag.qualname] > 1:
                text = f"{text}  (×{copies[tag.qualname]})"
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


def fit(entries: Sequence[Entry], budget: int, parents: Parents = _no_parents) -> RenderedMap:
    """The most entries (in rank order) whose outline fits in `budget` tokens."""
    exact = token_counter()[1]
    count = count_tokens  # cached: the same ranking is often fitted again
    best_text, best_tokens, best_n = "", 0, 0
    lo, hi = 1, min(len(entries), max_entries(budget))
    while lo <= hi:
        mid = (lo + hi) // 2
        text = outline(entries[:mid], parents)
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
