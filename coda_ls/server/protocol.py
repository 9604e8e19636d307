"""The JSON-RPC protocol with Coda's fixes over pygls 2.1.1.

pygls 2.1.1 drops a request whose params fail to deserialize: it logs
`JsonRpcInvalidParams` and sends no response, so the client waits forever. Coda answers
every request: a request that cannot be structured gets `-32602 InvalidParams` with the
same id, and a notification that cannot be structured is logged and ignored.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import JsonRPCNotification

log = logging.getLogger(__name__)

IGNORED_METHOD = "$/coda/ignored"


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
                cause = exc.__cause__
                detail = str(cause).splitlines()[0] if cause else "invalid params"
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
        if getattr(message, "method", None) == IGNORED_METHOD:
            return
        super().handle_message(message)
