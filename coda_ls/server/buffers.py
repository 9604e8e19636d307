"""The editor's open documents as the tools' `Buffers`: the model reads what the user sees
and changes an open file with workspace/applyEdit, never behind the editor's back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pygls.workspace import TextDocument

from coda_ls.server.convert import path_to_uri, uri_to_path
from coda_ls.server.editing import apply_text_change

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer


class ServerBuffers:
    """`coda_ls.tools.Buffers` over the server's synchronized text documents."""

    def __init__(self, server: CodaServer) -> None:
        self.server = server

    def _document(self, path: Path) -> TextDocument | None:
        documents: dict[str, TextDocument] = self.server.workspace.text_documents
        document = documents.get(path_to_uri(path))
        if document is not None:
            return document
        # The client's URI may spell the path differently (a symlinked folder, percent
        # encoding, a drive letter's case): compare resolved paths. Few documents are open.
        for uri, candidate in documents.items():
            if uri.startswith("file:") and uri_to_path(uri).resolve() == path:
                return candidate
        return None

    def paths(self) -> list[Path]:
        return [
            uri_to_path(uri).resolve()
            for uri in self.server.workspace.text_documents
            if uri.startswith("file:")
        ]

    def text(self, path: Path) -> str | None:
        document = self._document(path)
        return None if document is None else document.source

    async def apply(self, path: Path, new_text: str) -> bool:
        document = self._document(path)
        if document is None:
            return False
        # The tool computed `new_text` from this same source (no await in between); the
        # version makes the editor refuse the edit if its buffer has moved on meanwhile
        # (a change not received here yet) instead of applying it to other text.
        return await apply_text_change(
            self.server,
            document.uri,
            document.version,
            document.source,
            new_text,
            f"Coda: edit {path.name}",
        )
