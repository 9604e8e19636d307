"""Suggestions shown recently, so typing their first characters does not ask again.

When the user types `wid` and the suggestion shown was `width * height`, the next
request's prefix is the old prefix plus `wid` and its suffix is unchanged: the answer is
the rest of the shown suggestion, `th * height`, at once and without a model call. The
same cursor asked again (a client re-requesting on focus) gets the same answer.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shown:
    prefix: str
    suffix: str
    text: str


class SuggestionCache:
    """The last suggestions per document (a few documents, least recently used out)."""

    def __init__(self, documents: int = 32, per_document: int = 4) -> None:
        self._documents = documents
        self._per_document = per_document
        self._entries: OrderedDict[str, list[Shown]] = OrderedDict()

    def put(self, key: str, prefix: str, suffix: str, text: str) -> None:
        if not text:
            return
        shown = self._entries.pop(key, [])
        shown = [s for s in shown if not (s.prefix == prefix and s.suffix == suffix)]
        shown.insert(0, Shown(prefix, suffix, text))
        self._entries[key] = shown[: self._per_document]
        while len(self._entries) > self._documents:
            self._entries.popitem(last=False)

    def get(self, key: str, prefix: str, suffix: str) -> str | None:
        """The rest of a shown suggestion the user is typing along, or None."""
        for shown in self._entries.get(key, ()):
            if shown.suffix != suffix or len(prefix) < len(shown.prefix):
                continue
            # The typed part is checked on its own first: a long buffer's prefix is
            # compared only when its tail matches.
            typed = prefix[len(shown.prefix) :]
            if not shown.text.startswith(typed) or len(typed) >= len(shown.text):
                continue
            if prefix.startswith(shown.prefix):
                self._entries.move_to_end(key)
                return shown.text[len(typed) :]
        return None

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)
