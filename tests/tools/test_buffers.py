"""With an editor's open documents (`Buffers`), the file tools work on what the user sees:
an open file is read from its buffer and changed through the editor, never on disk."""

from __future__ import annotations

import re
from pathlib import Path

from coda_ls.tools import Decision, Toolbox
from tests.tools.conftest import ScriptedAsker, call, make_settings

ON_DISK = "def main():\n    print('hello')\n\nmain()\n"
UNSAVED = "def main():\n    print('hello, unsaved')\n\nmain()\n"


class MemoryBuffers:
    """An editor in memory: open documents by resolved path, and the edits it was asked
    to apply (it applies them, unless told to refuse)."""

    def __init__(self, documents: dict[Path, str], *, accept: bool = True) -> None:
        self.documents = documents
        self.accept = accept
        self.applied: list[tuple[Path, str]] = []

    def text(self, path: Path) -> str | None:
        return self.documents.get(path)

    def paths(self) -> list[Path]:
        return list(self.documents)

    async def apply(self, path: Path, new_text: str) -> bool:
        if not self.accept:
            return False
        self.applied.append((path, new_text))
        self.documents[path] = new_text
        return True


def _box(workspace: Path, buffers: MemoryBuffers, asker: ScriptedAsker | None = None) -> Toolbox:
    permissions = {"read": "allow", "write": "ask" if asker else "allow"}
    return Toolbox(
        workspace, make_settings(**permissions), asker or ScriptedAsker(), buffers=buffers
    )


async def test_read_file_reads_the_unsaved_buffer(workspace: Path) -> None:
    app = (workspace / "src" / "app.py").resolve()
    box = _box(workspace, MemoryBuffers({app: UNSAVED}))
    result = await call(box, "read_file", path="src/app.py")
    assert not result.is_error, result.text
    assert "2│    print('hello, unsaved')" in result.text
    closed = await call(box, "read_file", path="README.md")  # not open: from disk
    assert closed.text.endswith("1│# Demo")


async def test_edit_file_edits_the_buffer_through_the_editor(workspace: Path) -> None:
    app = (workspace / "src" / "app.py").resolve()
    buffers = MemoryBuffers({app: UNSAVED})
    asker = ScriptedAsker(answer=Decision.YES)
    result = await call(
        _box(workspace, buffers, asker),
        "edit_file",
        path="src/app.py",
        edits=[{"search": "'hello, unsaved'", "replace": "'hello, edited'"}],
    )
    assert not result.is_error, result.text
    assert buffers.applied == [(app, UNSAVED.replace("unsaved", "edited"))]
    assert (workspace / "src" / "app.py").read_text() == ON_DISK
    # the user approved a diff of the buffer, not of the disk
    diff = asker.requests[0].diff or ""
    assert "-    print('hello, unsaved')" in diff and "+    print('hello, edited')" in diff


async def test_write_file_replaces_an_open_file_through_the_editor(workspace: Path) -> None:
    app = (workspace / "src" / "app.py").resolve()
    buffers = MemoryBuffers({app: UNSAVED})
    asker = ScriptedAsker(answer=Decision.YES)
    box = _box(workspace, buffers, asker)
    result = await call(box, "write_file", path="src/app.py", content="print(1)\n")
    assert result.text == "overwrote src/app.py (1 lines)"
    assert buffers.applied == [(app, "print(1)\n")]
    assert (workspace / "src" / "app.py").read_text() == ON_DISK
    assert "-    print('hello, unsaved')" in (asker.requests[0].diff or "")
    # a file that is not open is still written on disk
    created = await call(box, "write_file", path="notes.txt", content="n\n")
    assert created.text == "created notes.txt (1 lines)"
    assert (workspace / "notes.txt").read_text() == "n\n"
    assert len(buffers.applied) == 1


async def test_a_refused_edit_is_an_error_and_writes_nothing(workspace: Path) -> None:
    app = (workspace / "src" / "app.py").resolve()
    buffers = MemoryBuffers({app: UNSAVED}, accept=False)
    box = _box(workspace, buffers)
    edit = await call(
        box, "edit_file", path="src/app.py", edits=[{"search": "main()\n", "replace": "x()\n"}]
    )
    assert edit.is_error and "the editor refused the edit" in edit.text
    write = await call(box, "write_file", path="src/app.py", content="gone\n")
    assert write.is_error and "the editor refused the edit" in write.text
    assert buffers.documents[app] == UNSAVED
    assert (workspace / "src" / "app.py").read_text() == ON_DISK


async def test_workspace_confinement_comes_before_the_buffers(
    workspace: Path, tmp_path: Path
) -> None:
    outside = (tmp_path / "secret.txt").resolve()
    outside.write_text("on disk\n")
    buffers = MemoryBuffers({outside: "open in the editor\n"})
    box = _box(workspace, buffers)
    read = await call(box, "read_file", path="../secret.txt")
    assert read.is_error and "outside" in read.text
    write = await call(box, "write_file", path="../secret.txt", content="x\n")
    assert write.is_error and buffers.applied == []
    assert outside.read_text() == "on disk\n"


async def test_search_finds_unsaved_text_of_open_files(workspace: Path) -> None:
    app = (workspace / "src" / "app.py").resolve()
    box = _box(workspace, MemoryBuffers({app: UNSAVED}))
    found = await call(box, "search", pattern="hello, unsaved")
    assert not found.is_error, found.text
    assert "src/app.py:2:    print('hello, unsaved')" in found.text
    stale = await call(box, "search", pattern=re.escape("print('hello')"))  # disk only
    assert "src/app.py" not in stale.text  # the buffer, not the disk, is what is searched
