"""LSP notifications and requests other than executeCommand: lifecycle, document sync,
configuration, code actions, progress cancellation."""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from coda_ls.errors import CodaError
from coda_ls.server.app import CodaServer
from coda_ls.server.commands import COMMANDS
from coda_ls.server.convert import to_json
from coda_ls.server.prompt_commands import KIND_PROMPT, prompt_actions

log = logging.getLogger(__name__)

KIND_EXPLAIN = "coda.explain"
KIND_REVIEW = "coda.review"
KIND_TEST = "coda.test"
ACTION_KINDS = [
    types.CodeActionKind.QuickFix,
    types.CodeActionKind.RefactorRewrite,
    KIND_EXPLAIN,
    KIND_REVIEW,
    KIND_PROMPT,
    KIND_TEST,
]
DEFAULT_REFACTOR = "Refactor this code for clarity and simplicity; keep its behaviour."


def register(server: CodaServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: CodaServer, params: types.InitializeParams) -> None:
        options = (
            params.initialization_options if isinstance(params.initialization_options, dict) else {}
        )
        try:
            ls.load(options)
        except CodaError as exc:  # bad options, or a broken config file: serve anyway
            log.warning("settings rejected: %s", exc)
            ls.pending_messages.append(exc)
            try:
                ls.load({})
            except CodaError:
                ls.load_defaults()

    @server.feature(types.INITIALIZED)
    def initialized(ls: CodaServer, params: types.InitializedParams) -> None:
        for exc in ls.pending_messages:
            ls.show_error(exc)
        ls.pending_messages.clear()
        ls.start_background_work()

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: CodaServer, params: Any) -> None:
        await ls.shutdown_state()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: CodaServer, params: types.DidChangeConfigurationParams
    ) -> None:
        settings = params.settings
        if not isinstance(settings, dict) or not settings:
            settings = await ls.pull_configuration()
        if settings is None:
            return
        try:
            ls.load(settings)
            ls.log("[coda] settings reloaded")
        except CodaError as exc:
            ls.show_error(exc)  # keep the previous settings

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CodaServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.document_changed(params.text_document.uri, params.text_document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CodaServer, params: types.DidChangeTextDocumentParams) -> None:
        document = ls.workspace.text_documents.get(params.text_document.uri)
        if document is not None:
            ls.document_changed(params.text_document.uri, document.source)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CodaServer, params: types.DidSaveTextDocumentParams) -> None:
        document = ls.workspace.text_documents.get(params.text_document.uri)
        ls.document_changed(params.text_document.uri, document.source if document else None)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CodaServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.document_changed(params.text_document.uri, None)  # disk is the truth again

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: CodaServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            if change.type == types.FileChangeType.Deleted:
                ls.document_removed(change.uri)
            elif change.uri not in ls.workspace.text_documents:
                ls.document_changed(change.uri, None)

    @server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def progress_cancel(ls: CodaServer, params: types.WorkDoneProgressCancelParams) -> None:
        ls.on_progress_cancelled(params.token)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=ACTION_KINDS, resolve_provider=False),
    )
    def code_action(ls: CodaServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)


def _wanted(kind: str, only: list[str] | None) -> bool:
    return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)


def code_actions(ls: CodaServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Commands only: the model runs when the command is executed, so this is instant."""
    uri = params.text_document.uri
    only = [str(k) for k in params.context.only] if params.context.only else None
    target = {"uri": uri, "range": to_json(params.range)}
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        if (
            diagnostic.source == "coda"
            and data.get("suggestion")
            and data.get("findingId")
            and _wanted(types.CodeActionKind.QuickFix, only)
        ):
            actions.append(
                types.CodeAction(
                    title="Coda: Apply suggestion",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=True,
                    command=types.Command(
                        title="Coda: Apply suggestion",
                        command="coda.applySuggestion",
                        arguments=[{"uri": uri, "findingId": data["findingId"]}],
                    ),
                )
            )
    if _wanted(KIND_EXPLAIN, only):
        actions.append(
            types.CodeAction(
                title="Coda: Explain",
                kind=KIND_EXPLAIN,
                command=types.Command(
                    title="Coda: Explain", command="coda.explain", arguments=[target]
                ),
            )
        )
    if _wanted(KIND_REVIEW, only):
        actions.append(
            types.CodeAction(
                title="Coda: Review",
                kind=KIND_REVIEW,
                command=types.Command(
                    title="Coda: Review", command="coda.review", arguments=[target]
                ),
            )
        )
    if _wanted(KIND_TEST, only):
        actions.append(_action("Coda: Generate tests", KIND_TEST, "coda.generateTests", target))
    if _wanted(types.CodeActionKind.RefactorRewrite, only):
        actions.append(
            types.CodeAction(
                title="Coda: Refactor…",
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(
                    title="Coda: Refactor…",
                    command="coda.refactor",
                    arguments=[{**target, "instruction": DEFAULT_REFACTOR}],
                ),
            )
        )
    actions += prompt_actions(ls, params, _wanted(KIND_PROMPT, only))
    return actions


def _action(title: str, kind: str, command: str, argument: dict[str, Any]) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=kind,
        command=types.Command(title=title, command=command, arguments=[argument]),
    )


__all__ = ["COMMANDS", "register"]
