"""The prompt library over ACP: prompts are available commands, and `/NAME args` with
the code attached runs the filled prompt in its mode."""

from __future__ import annotations

import asyncio
from pathlib import Path

from acp.schema import (
    AvailableCommandsUpdate,
    EmbeddedResourceContentBlock,
    TextContentBlock,
    TextResourceContents,
)

from coda_ls.modes import MODES
from tests.acp.conftest import Connect, text
from tests.prompts.helpers import write_prompts
from tests.support.model_server import Reply, ScriptedModelServer


async def test_prompts_are_commands_and_run_filled(
    connect: Connect, model_server: ScriptedModelServer, workspace: Path, isolated_env: Path
) -> None:
    write_prompts(workspace, isolated_env)
    model_server.script(Reply(text="It picks one row."), Reply(text="fix: typo"))
    selected = EmbeddedResourceContentBlock(
        type="resource",
        resource=TextResourceContents(
            uri=(workspace / "query.sql").as_uri(), text="SELECT * FROM t LIMIT 1;"
        ),
    )
    async with connect() as (conn, client):
        session = await conn.new_session(cwd=str(workspace), mcp_servers=[])
        for _ in range(200):
            if client.of(AvailableCommandsUpdate):
                break
            await asyncio.sleep(0.05)
        commands = {c.name: c for c in client.of(AvailableCommandsUpdate)[0].available_commands}
        prompt = [TextContentBlock(type="text", text="/explain-sql mysql"), selected]
        first = await conn.prompt(session_id=session.session_id, prompt=prompt)
        sql_request = model_server.chat_requests()[-1].body["messages"]
        await conn.prompt(session_id=session.session_id, prompt=text("/commit fix a typo"))

    assert {"explain-sql", "commit", "style", "explain", "cost"} <= set(commands)
    assert commands["explain-sql"].description == "Explain a SQL query"
    assert commands["commit"].input is not None
    assert commands["commit"].input.root.hint == "<topic>"
    assert "broken" not in commands
    assert first.stop_reason == "end_turn"
    assert sql_request[-1]["content"].endswith(
        "Explain this mysql query step by step:\n\nSELECT * FROM t LIMIT 1;"
    )
    assert sql_request[-1]["content"].count("SELECT * FROM t") == 1, "not sent twice"
    assert sql_request[0]["content"].startswith(MODES["explain"].system_prompt)
    commit = model_server.chat_requests()[-1].body["messages"]
    assert commit[-1]["content"].endswith("Write a one-line commit message about fix a typo.")
    assert "It picks one row." in client.text()
