"""ACP's four permission answers as Coda's decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from acp import RequestError
from acp.schema import AllowedOutcome, DeniedOutcome, RequestPermissionResponse

from coda_ls.acp.tools import AcpAsker, ToolReporter
from coda_ls.tools import Decision, PermissionRequest


class Client:
    """Answers `session/request_permission` from a script; an exception is raised."""

    def __init__(self, *answers: str | Exception | None) -> None:
        self.answers = list(answers)
        self.asked = 0

    async def request_permission(self, **_: Any) -> RequestPermissionResponse:
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if answer is None:
            return RequestPermissionResponse(outcome=DeniedOutcome(outcome="cancelled"))
        return RequestPermissionResponse(
            outcome=AllowedOutcome(outcome="selected", option_id=answer)
        )


def _asker(client: Client) -> AcpAsker:
    reporter = ToolReporter(client, "s1", Path("/tmp"), None)  # type: ignore[arg-type]
    return AcpAsker(client, "s1", reporter)  # type: ignore[arg-type]


WRITE = PermissionRequest("write_file", "write", "Write a.py")
SHELL = PermissionRequest("shell", "shell", "Run: ls")


async def test_each_answer_maps_to_a_decision() -> None:
    client = Client("allow-once", "allow-always", "reject-once", None, "something-else")
    asker = _asker(client)
    got = [await asker.ask(WRITE) for _ in range(5)]
    assert got == [Decision.YES, Decision.ALWAYS, Decision.NO, Decision.NO, Decision.NO]


async def test_reject_always_is_remembered_per_tool() -> None:
    client = Client("reject-always", "allow-once")
    asker = _asker(client)
    assert await asker.ask(WRITE) is Decision.NO
    assert await asker.ask(WRITE) is Decision.NO
    assert client.asked == 1, "not asked again for the tool rejected always"
    assert await asker.ask(SHELL) is Decision.YES, "other tools are still asked"


async def test_a_client_that_cannot_answer_means_no() -> None:
    asker = _asker(Client(RequestError.method_not_found("session/request_permission")))
    assert await asker.ask(WRITE) is Decision.NO
