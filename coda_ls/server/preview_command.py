"""`coda.preview`: the token count and estimated cost of a question before it is asked
(the same context `coda.ask` would assemble: session history, selection, repo map)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from coda_ls.server.app import parse_args
from coda_ls.server.arguments import LLMArgs, RangeArg

if TYPE_CHECKING:
    from coda_ls.server.app import CodaServer


class PreviewArgs(LLMArgs):
    question: str = Field(min_length=1)
    uri: str | None = None
    range: RangeArg | None = None
    mode: str | None = None


async def preview(ls: CodaServer, *args: Any) -> dict[str, Any]:
    from coda_ls.server.commands import _request, _selection
    from coda_ls.server.convert import uri_to_path

    a = parse_args(PreviewArgs, args)
    selection = _selection(ls, a.uri, a.range) if a.uri else None
    request = _request(ls, a, question=a.question, mode=a.mode, selection=selection)
    core = ls.workspace_for(uri_to_path(a.uri) if a.uri else None).core
    result = await core.engine.preview(request)
    engine = core.engine
    spent: list[str] = []
    if engine.store is not None:  # usage toward the budget, for the editor to show
        from coda_ls import budget

        spent = budget.usage(engine.settings, engine.store, engine.workspace).lines()
    return {**result.as_json(), "text": result.describe(), "budget": spent}
