"""Knowledge passages reach the model: a real Workspace, the Ollama provider and the
scripted model server; what was added is within the budget and named in the start event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coda_ls.config import load_settings
from coda_ls.engine import Started
from coda_ls.knowledge.base import HEADER
from coda_ls.tokens import count_tokens
from coda_ls.workspace import AskRequest, Workspace
from tests.support.model_server import Reply, ScriptedModelServer


def _workspace(root: Path, server: ScriptedModelServer, **knowledge: Any) -> Workspace:
    overrides = {"provider": "ollama", "providers.ollama.host": server.url}
    overrides.update({f"knowledge.{key}": value for key, value in knowledge.items()})
    return Workspace(root, load_settings(cwd=root, overrides=overrides))


def _knowledge_block(server: ScriptedModelServer) -> str:
    system = server.chat_requests()[-1].body["messages"][0]["content"]
    assert isinstance(system, str)
    if HEADER not in system:
        return ""
    return HEADER + system.split(HEADER, 1)[1]


async def test_relevant_passages_reach_the_model_within_the_budget(
    project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text="Run make rollback."))
    workspace = _workspace(project, model_server, max_tokens=120)
    events: list[Started] = []
    answer = await workspace.ask(
        AskRequest(question="How do we roll back a failed deploy?", use_tools=False),
        on_start=events.append,
    )
    block = _knowledge_block(model_server)
    assert "make rollback ENV=prod" in block
    assert "coffee" not in block
    assert 0 < count_tokens(block) <= 120
    assert events[0].knowledge[0] == ".coda/knowledge/deploy.md § Deploy > Rollback"
    assert all(label.startswith(".coda/knowledge/deploy.md") for label in events[0].knowledge)
    assert answer.knowledge == list(events[0].knowledge)
    # The question itself is untouched: the notes ride in the system prompt.
    assert model_server.chat_requests()[-1].body["messages"][-1]["content"] == (
        "How do we roll back a failed deploy?"
    )
    await workspace.aclose()


async def test_a_smaller_budget_sends_less_and_zero_sends_none(
    project: Path, model_server: ScriptedModelServer
) -> None:
    notes = project / ".coda" / "knowledge"
    for n in range(6):
        (notes / f"rollback-{n}.md").write_text(
            f"# Rollback drill {n}\n\nRoll back deploy drill {n}: " + "steps " * 30,
            encoding="utf-8",
        )
    sizes = {}
    for budget in (1000, 150, 0):
        workspace = _workspace(project, model_server, max_tokens=budget)
        await workspace.ask(AskRequest(question="roll back a deploy", use_tools=False))
        block = _knowledge_block(model_server)
        sizes[budget] = count_tokens(block) if block else 0
        assert sizes[budget] <= budget
        await workspace.aclose()
    assert sizes[1000] > sizes[150] > 0 == sizes[0]


async def test_an_edited_note_is_seen_by_the_next_question(
    project: Path, model_server: ScriptedModelServer
) -> None:
    workspace = _workspace(project, model_server)
    await workspace.ask(AskRequest(question="where is the espresso grinder?", use_tools=False))
    assert _knowledge_block(model_server) == ""
    (project / ".coda" / "knowledge" / "kitchen.md").write_text(
        "# Kitchen\n\nThe espresso grinder is in room 4.\n", encoding="utf-8"
    )
    await workspace.ask(AskRequest(question="where is the espresso grinder?", use_tools=False))
    assert "room 4" in _knowledge_block(model_server)
    await workspace.aclose()


async def test_disabled_knowledge_adds_nothing(
    project: Path, model_server: ScriptedModelServer
) -> None:
    workspace = _workspace(project, model_server, enabled=False)
    await workspace.ask(AskRequest(question="How do we roll back a deploy?", use_tools=False))
    assert _knowledge_block(model_server) == ""
    await workspace.aclose()
