"""Permission prompts in the editor: window/showMessageRequest with Yes / No / Always."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from coda_ls.tools import Decision, PermissionRequest

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer

log = logging.getLogger(__name__)
MAX_DIFF_CHARS = 4000  # a message box is no place for a whole file
ANSWER_TIMEOUT = 300.0  # seconds; an unanswered prompt is a "no"
_DECISIONS = {"Yes": Decision.YES, "Always": Decision.ALWAYS, "No": Decision.NO}


class LspAsker:
    """Asks the editor's user. A client that cannot show the request, or a dismissed
    prompt, counts as "no": nothing runs without an explicit yes."""

    def __init__(self, server: CodaServer) -> None:
        self.server = server

    async def ask(self, request: PermissionRequest) -> Decision:
        message = f"Coda wants to: {request.summary}"
        if request.diff:
            diff = request.diff
            if len(diff) > MAX_DIFF_CHARS:
                diff = diff[:MAX_DIFF_CHARS] + "\n… (diff truncated)"
            message += f"\n\n{diff}"
        params = types.ShowMessageRequestParams(
            type=types.MessageType.Warning,
            message=message,
            actions=[types.MessageActionItem(title=title) for title in _DECISIONS],
        )
        try:
            answer = await asyncio.wait_for(
                self.server.window_show_message_request_async(params), ANSWER_TIMEOUT
            )
        except (TimeoutError, JsonRpcException, OSError) as exc:  # no answer is a "no"
            log.info("permission request for %s not answered: %r", request.tool, exc)
            return Decision.NO
        if answer is None:
            return Decision.NO
        return _DECISIONS.get(answer.title, Decision.NO)
