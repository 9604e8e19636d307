"""Each file's tags kept as the cache's bytes until something reads them.

A warm build loads every row of the cache; decoding all of them into `Tag` objects was
most of its time and most of the server's memory (issue 16), while a map whose ranking is
persisted reads only the few files that make the cut. `LazyFiles` is the map's file set:
a mapping path -> FileTags in build order (the order the ranking sums in), whose values
are decoded on access and not kept (the reference graph keeps what it decoded while it
lives); tags given already decoded (an edited buffer, one updated file) are kept as they
are.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from coda_ls.repomap.cache import decode
from coda_ls.repomap.model import FileTags


class Raw(NamedTuple):
    """A file's row as the cache stores it: decoded on demand."""

    language: str | None
    note: str | None
    blob: bytes


class LazyFiles(Mapping[str, FileTags]):
    """path -> FileTags, insertion-ordered; values stored raw or decoded."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, FileTags | Raw] | None = None) -> None:
        self._items: dict[str, FileTags | Raw] = items if items is not None else {}

    def __getitem__(self, path: str) -> FileTags:
        value = self._items[path]
        if isinstance(value, Raw):
            return decode(path, value.language, value.note, value.blob)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, path: object) -> bool:
        return path in self._items

    def summary(self, path: str) -> tuple[list[str], Mapping[str, int], Mapping[str, str]]:
        """What ranking reads of a file, without making its `Tag` objects: its
        definitions' names (in order), the names it references with counts, and where
        its imported names come from."""
        value = self._items[path]
        if isinstance(value, Raw):
            # `cache.encode`'s layout: (definitions as Tag field tuples, counts, imports);
            # a definition's name is Tag's second field.
            defs, counts, imports = marshal.loads(value.blob)
            return [row[1] for row in defs], counts, imports
        return [tag.name for tag in value.definitions], value.references, value.imports

    def put(self, path: str, tags: FileTags) -> None:
        self._items[path] = tags

    def put_raw(self, path: str, language: str | None, note: str | None, blob: bytes) -> None:
        self._items[path] = Raw(language, note, blob)

    def pop(self, path: str) -> None:
        self._items.pop(path, None)

    def language(self, path: str) -> str | None:
        """The file's language without decoding it (None: listed without a grammar)."""
        value = self._items[path]
        return value.language

    def note(self, path: str) -> str | None:
        value = self._items[path]
        return value.note

    def decode_all(self) -> tuple[dict[str, FileTags], list[tuple[str, Raw, FileTags]]]:
        """Every file decoded (this object unchanged), and which raw entries became which
        tags, for `keep` to store on the live file set."""
        out: dict[str, FileTags] = {}
        done: list[tuple[str, Raw, FileTags]] = []
        for path, value in self._items.items():
            if isinstance(value, Raw):
                tags = decode(path, value.language, value.note, value.blob)
                done.append((path, value, tags))
                out[path] = tags
            else:
                out[path] = value
        return out, done

    def keep(self, decoded: list[tuple[str, Raw, FileTags]]) -> None:
        """Store decoded tags in place of the raw entries they came from, where those are
        still current: later readers get the same objects."""
        items = self._items
        for path, raw, tags in decoded:
            if items.get(path) is raw:
                items[path] = tags

    def copy(self) -> LazyFiles:
        """A snapshot of the file set (values shared, nothing decoded)."""
        return LazyFiles(dict(self._items))
