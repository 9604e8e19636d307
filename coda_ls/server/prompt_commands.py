"""The prompt library over LSP: `coda.prompts` lists it, `coda.runPrompt` fills one (the
selection is the range's text) and asks; prompts that work on a selection are offered
as code actions ("Coda: <description>")."""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pydantic import Field

from coda_ls.server.app import CodaServer, parse_args
from coda_ls.server.arguments import RangeArg, _TextArgs
from coda_ls.server.convert import to_json, uri_to_path
from coda_ls.workspace import CodeSelection, Prompt, split_arguments

KIND_PROMPT = "coda.prompt"


class PromptsArgs(_TextArgs):
    uri: str | None = None


class RunPromptArgs(_TextArgs):
    name: str = Field(min_length=1)
    # Positional values in declared order, or a mapping by argument name; `text` is the
    # words typed after the name (as in `/NAME words`), split like a shell.
    arguments: list[str] | dict[str, str] = Field(default_factory=list)
    text: str | None = None
    uri: str | None = None
    range: RangeArg | None = None
    mode: str | None = None


def _library(ls: CodaServer, uri: str | None) -> Any:
    path = uri_to_path(uri) if uri else None
    return ls.workspace_for(path).core.prompts()


async def list_prompts(ls: CodaServer, *args: Any) -> dict[str, Any]:
    a = parse_args(PromptsArgs, args)
    library = _library(ls, a.uri)
    return {
        "prompts": [prompt.to_dict() for prompt in library],
        "problems": [{"path": str(p.path), "message": p.message} for p in library.problems],
    }


async def run_prompt(ls: CodaServer, *args: Any) -> dict[str, Any]:
    import shlex

    from coda_ls.server import commands

    a = parse_args(RunPromptArgs, args)
    prompt: Prompt = _library(ls, a.uri).get(a.name)
    selection: CodeSelection | None = None
    if a.uri:
        selection = commands._selection(ls, a.uri, a.range)
    try:
        typed = shlex.split(a.text or "")
    except ValueError:  # an unbalanced quote: the words as typed
        typed = (a.text or "").split()
    if isinstance(a.arguments, dict):
        positional, named = typed, dict(a.arguments)
    else:
        positional, named = split_arguments(prompt, [*a.arguments, *typed])
    selected = selection.selected_text() if selection is not None else None
    question = prompt.fill(positional, named, selected)
    request_id = ls.new_request_id(a.request_id)
    request = commands._request(
        ls,
        a,
        question=question,
        mode=a.mode or prompt.mode,
        # The code is in the prompt already; without {{selection}} it is context.
        selection=None if prompt.takes_selection else selection,
    )
    outcome, cancelled = await commands.run_llm(ls, request_id, f"Coda: {prompt.name}", request)
    answer = outcome.answer if outcome else None
    document = await commands._show_markdown(
        ls, request_id, prompt.description or prompt.name, answer, a.show_document
    )
    return {**commands._text_result(request_id, answer, cancelled, document), "prompt": a.name}


def prompt_actions(
    ls: CodaServer, params: types.CodeActionParams, wanted: bool
) -> list[types.CodeAction]:
    """One action per prompt that takes a selection, when the range selects something."""
    if not wanted or params.range.start == params.range.end:
        return []
    uri = params.text_document.uri
    actions = []
    for prompt in _library(ls, uri):
        if not prompt.takes_selection:
            continue
        title = f"Coda: {prompt.description or prompt.name}"
        actions.append(
            types.CodeAction(
                title=title,
                kind=KIND_PROMPT,
                command=types.Command(
                    title=title,
                    command="coda.runPrompt",
                    arguments=[{"name": prompt.name, "uri": uri, "range": to_json(params.range)}],
                ),
            )
        )
    return actions
