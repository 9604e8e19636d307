"""Edits the server sends to the editor: the WorkspaceEdit turning one document's text
into another (versioned when the client can), and `workspace/applyEdit`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coda_ls.server.convert import replacement_edit

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer


def text_change_edit(
    ls: CodaServer, uri: str, version: int | None, before: str, after: str
) -> types.WorkspaceEdit:
    """The WorkspaceEdit turning `before` into `after` (versioned when the client can)."""
    edit = replacement_edit(before, after)
    workspace = ls.client_capabilities.workspace
    document_changes = bool(
        workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes
    )
    if document_changes:
        ws_edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version
                    ),
                    edits=[edit],
                )
            ]
        )
    else:
        ws_edit = types.WorkspaceEdit(changes={uri: [edit]})
    return ws_edit


async def apply_text_change(
    ls: CodaServer, uri: str, version: int | None, before: str, after: str, label: str
) -> bool:
    """Send workspace/applyEdit; True if the editor applied it. A client that does not
    accept workspace edits, or fails the request, gets nothing applied (False)."""
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.apply_edit):
        ls.log("[coda] this client does not accept workspace/applyEdit; edit not applied")
        return False
    ws_edit = text_change_edit(ls, uri, version, before, after)
    try:
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=ws_edit, label=label)
        )
    except Exception as exc:  # the client's failure is a refusal, not a server crash
        ls.log(f"[coda] workspace/applyEdit failed: {exc!r}", types.MessageType.Warning)
        return False
    if not result.applied:
        ls.log(f"[coda] the editor refused the edit: {result.failure_reason}")
    return bool(result.applied)
