"""`textDocument/inlineCompletion` (LSP 3.18): ghost text from `Workspace.complete`.

The handler reads the buffer the user sees (unsaved), turns the cursor into an index,
and answers items that replace the cursor's line up to the cursor with that text plus
the suggestion: clients that filter inline items as the user types (VS Code) keep them
while the typed text agrees. `$/cancelRequest` cancels the handler's task and with it
the model call; a newer request for the document supersedes an older one (empty answer).
A client that sets the experimental capability `codaCompletionStatus` gets
`coda/completionStatus` notifications (`pending` / `done`) for a status indicator.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.workspace import TextDocument

from coda_ls.completion import CompletionRequest
from coda_ls.errors import CodaError
from coda_ls.server.convert import uri_to_path

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer

log = logging.getLogger(__name__)

STATUS_CAPABILITY = "codaCompletionStatus"
STATUS_NOTIFICATION = "coda/completionStatus"


def register(server: CodaServer) -> None:
    logged: set[str] = set()  # failures already reported, once per server

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(
        ls: CodaServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList:
        return await inline_items(ls, params, logged)


def wants_status(ls: CodaServer) -> bool:
    experimental = ls.client_capabilities.experimental
    return isinstance(experimental, dict) and experimental.get(STATUS_CAPABILITY) is True


def _document(ls: CodaServer, uri: str) -> TextDocument:
    documents: dict[str, TextDocument] = ls.workspace.text_documents
    document = documents.get(uri)
    if document is not None:
        return document
    text, version = ls.document_text(uri)  # not open: the file on disk
    return TextDocument(uri, text, version=version)


async def inline_items(
    ls: CodaServer, params: types.InlineCompletionParams, logged: set[str]
) -> types.InlineCompletionList:
    uri = params.text_document.uri
    empty = types.InlineCompletionList(items=[])
    if not uri.startswith("file:"):
        return empty
    document = _document(ls, uri)
    lines = document.lines
    position = document.position_codec.position_from_client_units(lines, params.position)
    offset = sum(len(line) for line in lines[: position.line]) + position.character
    source = document.source
    # The cursor's line starts after the last newline before it: on the empty last line of
    # a file that ends with one, pygls maps the position to the end of the line above.
    line_start = source.rfind("\n", 0, offset) + 1
    request = CompletionRequest(
        key=uri,
        path=uri_to_path(uri),
        text=source,
        offset=offset,
        language=document.language_id,
        invoked=params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked,
    )
    core = ls.workspace_for(request.path).core
    status = wants_status(ls)
    if status:
        _status(ls, uri, "pending")
    outcome = "done"
    try:
        result = await core.complete(request)
    except CodaError as exc:
        outcome = "error"
        _log_once(ls, exc, logged)
        return empty
    finally:
        if status:
            _status(ls, uri, outcome)
    line_prefix = source[line_start:offset]
    replaced = types.Range(
        start=types.Position(line=params.position.line, character=0), end=params.position
    )
    return types.InlineCompletionList(
        items=[
            types.InlineCompletionItem(insert_text=line_prefix + text, range=replaced)
            for text in result.items
        ]
    )


def _status(ls: CodaServer, uri: str, state: str) -> None:
    payload: dict[str, Any] = {"uri": uri, "state": state}
    ls.protocol.notify(STATUS_NOTIFICATION, payload)


def _log_once(ls: CodaServer, exc: CodaError, logged: set[str]) -> None:
    """A failing completion model would otherwise log on every keystroke."""
    text = exc.message + (f" ({exc.hint})" if exc.hint else "")
    if text in logged:
        return
    logged.add(text)
    log.warning("inline completion failed: %s", text)
    ls.log(f"[coda] inline completion failed: {text}", types.MessageType.Warning)
