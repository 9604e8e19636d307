"""Coda's `Buffers` over ACP's `fs/read_text_file` and `fs/write_text_file`.

The file tools ask `Buffers.text()` synchronously, while the client answers requests
asynchronously; so the session's `ToolReporter` loads the file a tool is about to touch
through the client first (`load`), and `text()` answers from what was loaded. Through
the client a tool reads what the user sees (unsaved changes included) and writes into the
editor, which then shows, saves and can undo the change.

What the client offers decides the way: reading through the client needs
`fs.readTextFile`; without it the file is read from disk. Writing through the client
needs `fs.writeTextFile`; without it the tool writes the disk (atomically), as it would
with no editor. A file that does not exist yet is created on disk by the tool.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from acp import RequestError

from coda_ls.errors import CodaError
from coda_ls.tools.textfile import read_text, write_atomic

if TYPE_CHECKING:
    from acp.interfaces import Client

log = logging.getLogger(__name__)


class AcpBuffers:
    """The files of one ACP session as the client has them."""

    def __init__(self, client: Client, session_id: str, *, read: bool, write: bool) -> None:
        self.client = client
        self.session_id = session_id
        self.can_read = read
        self.can_write = write
        self._texts: dict[Path, str] = {}

    def clear(self) -> None:
        """Forget what was loaded (at each new turn: the user may have edited since)."""
        self._texts.clear()

    async def load(self, path: Path) -> None:
        """Read `path` as the client has it, for the tool about to run; a file the client
        cannot give (missing, binary, refused) is left to the tool, which says why."""
        self._texts.pop(path, None)
        if self.can_read:
            try:
                response = await self.client.read_text_file(
                    session_id=self.session_id, path=str(path)
                )
            except (RequestError, ConnectionError, OSError) as exc:
                log.info("fs/read_text_file %s: %r", path, exc)
                return
            self._texts[path] = response.content
        elif self.can_write and path.is_file():
            # Reads from disk, but the file must count as "open" for its write to go to
            # the client's fs/write_text_file.
            try:
                self._texts[path] = await asyncio.to_thread(read_text, path, path.name)
            except (CodaError, OSError) as exc:  # the tool reads it again and says why
                log.info("could not read %s: %r", path, exc)

    def text(self, path: Path) -> str | None:
        return self._texts.get(path)

    def paths(self) -> list[Path]:
        return list(self._texts)

    async def apply(self, path: Path, new_text: str) -> bool:
        if not self.can_write:
            await asyncio.to_thread(write_atomic, path, new_text)
            self._texts[path] = new_text
            return True
        try:
            await self.client.write_text_file(
                session_id=self.session_id, path=str(path), content=new_text
            )
        except (RequestError, ConnectionError, OSError) as exc:
            log.info("fs/write_text_file %s refused: %r", path, exc)
            return False
        self._texts[path] = new_text
        return True
