"""Getting an answer (explain, ask, chat) in front of the user in any client.

The answer is always written to a markdown file. A client with `window/showDocument`
opens it; a client that renders `coda/stream` (the bundled ones) has shown it live. Any
other client (eglot 1.9 has no showDocument and discards executeCommand results, issue
#18) gets the answer's first lines in `window/showMessage`, which every client displays,
and the full text in `window/logMessage`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coda_ls.server.capabilities import shows_documents, wants_stream

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer

PREVIEW_LINES = 8
PREVIEW_CHARS = 600


def preview(text: str, lines: int = PREVIEW_LINES, chars: int = PREVIEW_CHARS) -> str:
    """The first `lines` non-blank lines of `text`, at most `chars` characters, with an
    ellipsis when something was cut."""
    kept = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    shown = "\n".join(kept[:lines])
    cut = len(kept) > lines
    if len(shown) > chars:
        shown, cut = shown[:chars].rstrip(), True
    return shown + ("\n…" if cut else "")


def fallback_messages(title: str, text: str, document_uri: str | None) -> tuple[str, str]:
    """(showMessage text, logMessage text) for a client that cannot open the document."""
    where = f"\n(full answer: {document_uri})" if document_uri else ""
    shown = f"Coda — {title}\n{preview(text)}{where}"
    logged = f"[coda] {title}\n{text.strip()}\n[coda] end of answer"
    return shown, logged


def needs_fallback(capabilities: types.ClientCapabilities) -> bool:
    """True if the client neither opens documents nor renders the stream itself."""
    return not shows_documents(capabilities) and not wants_stream(capabilities)


def show_without_document(ls: CodaServer, title: str, text: str, document_uri: str | None) -> bool:
    """Show the answer by messages if the client has no better way; True if sent."""
    if not needs_fallback(ls.client_capabilities):
        return False
    shown, logged = fallback_messages(title, text, document_uri)
    ls.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=logged))
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=shown))
    return True


NO_EDIT = "no edit was produced: the answer was not a refactor edit (see the answer)"


def report_no_edit(ls: CodaServer, text: str) -> None:
    """A refactor answer without an acceptable edit: say so and show the answer (the
    bundled clients, which streamed it, say so from the command result instead)."""
    ls.window_log_message(
        types.LogMessageParams(
            type=types.MessageType.Info,
            message=f"[coda] refactor: {NO_EDIT}\n{text.strip()}\n[coda] end of answer",
        )
    )
    if not wants_stream(ls.client_capabilities):
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning,
                message=f"Coda: {NO_EDIT}\n{preview(text)}",
            )
        )
