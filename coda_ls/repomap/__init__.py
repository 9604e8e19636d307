"""The repo map: tags from tree-sitter queries, ranked by references, fitted to a budget."""

from __future__ import annotations

from coda_ls.repomap.model import FileTags, RenderedMap, Tag

__all__ = ["FileTags", "RenderedMap", "RepoMap", "Tag"]


def __getattr__(name: str) -> object:
    # RepoMap pulls in sqlite3 and the cache; importing `Tag` alone should stay cheap.
    if name == "RepoMap":
        from coda_ls.repomap.repomap import RepoMap

        return RepoMap
    raise AttributeError(name)
