"""The JSON-RPC protocol with Coda's fixes over pygls 2.1.1.

pygls 2.1.1 drops a request whose params fail to deserialize: it logs
`JsonRpcInvalidParams` and sends no response, so the client waits forever. Coda answers
every request: a request that cannot be structured gets `-32602 InvalidParams` with the
same id, and a notification that cannot be structured is logged and ignored.

pygls 2.1.1 also drops every request after `shutdown` without an answer, runs handlers
for requests sent before `initialize` (they fail with an internal error), and lets a
second `initialize` replace the workspace (open documents and roots). As the LSP
specification asks, Coda answers the first with `InvalidRequest`, the second with
`ServerNotInitialized` and refuses a second `initialize` with `InvalidRequest`.
"""

from __future__ import annotations

import logging
from typing import Any

from cattrs import ClassValidationError, transform_error
from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification

log = logging.getLogger(__name__)

IGNORED_METHOD = "$/coda/ignored"


def _describe(cause: BaseException | None) -> str:
    """What was wrong with the params, in cattrs' own words ("invalid value for type,
    expected str @ $.params.textDocument.uri"), shortened for a message."""
    if cause is None:
        return "invalid params"
    if isinstance(cause, ClassValidationError):
        problems = transform_error(cause, path="$")
        return "; ".join(problems[:3]) + (
            f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        )
    return str(cause).splitlines()[0]


class CodaProtocol(LanguageServerProtocol):
    """LanguageServerProtocol that answers malformed requests and routes cancellation."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except (JsonRpcInvalidParams, JsonRpcInternalError) as exc:
            if not isinstance(data, dict) or "jsonrpc" not in data:
                raise
            method = data.get("method", "")
            if "id" in data and method:
                detail = _describe(exc.__cause__)
                log.warning("invalid params for %s (id %s): %s", method, data["id"], detail)
                self._send_response(
                    data["id"],
                    None,
                    types.ResponseError(
                        code=types.ErrorCodes.InvalidParams,
                        message=f"invalid params for {method}: {detail}",
                    ),
                )
            else:
                log.warning("ignoring malformed %s notification", method or "unknown")
            return JsonRPCNotification(jsonrpc="2.0", method=IGNORED_METHOD, params=None)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        super()._handle_cancel_notification(msg_id)
        on_cancel = getattr(self._server, "on_request_cancelled", None)
        if on_cancel is not None:
            on_cancel(msg_id)

    def handle_message(self, message: Any) -> None:
        method = getattr(message, "method", None)
        if method == IGNORED_METHOD:
            return
        msg_id = getattr(message, "id", None)
        if method is not None and msg_id is not None:  # a request, not a notification
            refusal = self._refusal(method)
            if refusal is not None:
                log.warning("refusing %s (id %s): %s", method, msg_id, refusal.message)
                self._send_response(msg_id, None, refusal)
                return
        super().handle_message(message)

    def _refusal(self, method: str) -> types.ResponseError | None:
        """The error for a request that comes at the wrong time, or None to handle it."""
        if self._shutdown:
            return types.ResponseError(
                code=types.ErrorCodes.InvalidRequest,
                message=f"{method}: the server is shutting down (only `exit` is accepted)",
            )
        initialized = self._workspace is not None
        if method == types.INITIALIZE and initialized:
            return types.ResponseError(
                code=types.ErrorCodes.InvalidRequest,
                message="the server is already initialized; `initialize` may be sent only once",
            )
        if method != types.INITIALIZE and not initialized:
            return types.ResponseError(
                code=types.ErrorCodes.ServerNotInitialized,
                message=f"{method}: the server has not been initialized; send `initialize` first",
            )
        return None
