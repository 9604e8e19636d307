"""Slash commands as plain functions of a shell state, against the scripted model server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import tomllib
from pathlib import Path

import pytest

from coda_cli.shell.slash import Outcome, dispatch, parse
from coda_cli.shell.state import ShellState
from coda_cli.shell.turn import run_line
from tests.shell.conftest import Captured
from tests.support.model_server import Reply, ScriptedModelServer


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("/help", ("help", "")),
        ("  /MODE  review ", ("mode", "review")),
        ("/session rename My  title", ("session", "rename My  title")),
        ("/add a.py\nb.py", ("add", "a.py\nb.py")),
        ("what does /usr/bin/env do?", None),
        ("/usr/bin/env is what?", None),
        ("plain question", None),
        ("/", None),
    ],
)
def test_parse(line: str, parsed: tuple[str, str] | None) -> None:
    assert parse(line) == parsed


async def test_unknown_command_suggests_and_keeps_going(shell: ShellState, out: Captured) -> None:
    assert await dispatch(shell, "/mdoe review") is Outcome.DONE
    assert await dispatch(shell, "/exit") is Outcome.EXIT
    assert await dispatch(shell, "/quit") is Outcome.EXIT
    assert await dispatch(shell, "hello") is Outcome.NOT_COMMAND


async def test_unknown_command_message(shell: ShellState, out: Captured) -> None:
    await dispatch(shell, "/mdoe review")
    text = out.take()
    assert "unknown command /mdoe" in text
    assert "did you mean /mode" in text


async def test_help_is_context_aware(shell: ShellState, out: Captured) -> None:
    await dispatch(shell, "/help")
    general = out.take()
    for name in ("/model", "/provider", "/session", "/compact", "/theme", "/tools", "/cost"):
        assert name in general
    assert "/mode code, debug" in general  # a tip for chat mode
    await dispatch(shell, "/mode review")
    out.take()
    await dispatch(shell, "/help")
    assert "review mode: add files" in out.take()
    await dispatch(shell, "/help session")
    detail = out.take()
    assert "branch" in detail and "forks" in detail


async def test_question_streams_and_continues_the_session(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text="First answer."), Reply(text="Second answer."))
    assert await run_line(shell, "what is calc?") is Outcome.DONE
    assert await run_line(shell, "and then?") is Outcome.DONE
    text = out.take()
    assert "First answer." in text and "Second answer." in text
    last = model_server.chat_requests()[-1].body["messages"]
    assert any(m["content"] == "First answer." for m in last)  # history went along
    assert shell.session_id is not None and shell.sessions_used == [shell.session_id]
    assert shell.active == "ollama/llama3.2:latest"


async def test_mode_review_shows_findings(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    findings = {
        "summary": "One bug.",
        "findings": [
            {
                "file": "calc.py",
                "start_line": 2,
                "end_line": 2,
                "severity": "warning",
                "message": "no type check",
                "suggestion": None,
            }
        ],
    }
    model_server.script(Reply(text=json.dumps(findings)))
    await dispatch(shell, "/mode review")
    assert shell.mode == "review"
    await run_line(shell, "review @calc.py")
    text = out.take()
    assert "Findings" in text and "no type check" in text and "calc.py:2-2" in text
    system = model_server.chat_requests()[-1].body["messages"][0]["content"]
    assert '"findings"' in system
    await dispatch(shell, "/mode nonsense")
    assert "unknown mode 'nonsense'" in out.take() and shell.mode == "review"


async def test_model_switch_pick_and_unknown(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    await dispatch(shell, "/model qwen2.5-coder:7b")
    assert shell.model == "qwen2.5-coder:7b" and "ollama/qwen2.5-coder:7b" in out.take()
    await run_line(shell, "hi")
    assert model_server.chat_requests()[-1].body["model"] == "qwen2.5-coder:7b"

    await dispatch(shell, "/model qwen2.5-coder:8b")
    text = out.take()
    assert "unknown model 'qwen2.5-coder:8b'" in text and "qwen2.5-coder:7b" in text
    assert shell.model == "qwen2.5-coder:7b"

    prompts: list[str] = []

    async def pick(message: str) -> str:
        prompts.append(message)
        return "1"

    shell.ask_user = pick
    await dispatch(shell, "/model")
    text = out.take()
    assert "1 llama3.2:latest" in text and "2 qwen2.5-coder:7b" in text
    assert prompts and prompts[0].startswith("pick 1-2")
    assert shell.model == "llama3.2:latest"
    assert shell.models == ["llama3.2:latest", "qwen2.5-coder:7b"]


async def test_provider_switch(shell: ShellState, out: Captured) -> None:
    await dispatch(shell, "/provider")
    assert "ollama" in out.take()
    await dispatch(shell, "/provider ollama")
    assert shell.provider == "ollama" and shell.model == "llama3.2:latest"
    await dispatch(shell, "/provider nope")
    assert "unknown provider 'nope'" in out.take()


async def test_add_drop_files_go_into_the_request(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer, workspace: Path
) -> None:
    await dispatch(shell, "/add calc.py *.md")
    assert shell.files == [workspace / "calc.py", workspace / "notes.md"]
    await run_line(shell, "explain")
    sent = json.dumps(model_server.chat_requests()[-1].body["messages"])
    assert "return a + b" in sent and "# Notes" in sent
    await dispatch(shell, "/drop notes.md")
    assert shell.files == [workspace / "calc.py"]
    await dispatch(shell, "/drop")
    assert shell.files == []
    await dispatch(shell, "/add missing.py")
    assert "no file matches 'missing.py'" in out.take()


async def test_sessions_branch_rename_list_load_search_export(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer, workspace: Path
) -> None:
    model_server.script(Reply(text="Pelicans are birds."))
    await run_line(shell, "tell me about pelicans")
    first = shell.session_id
    assert first is not None
    await dispatch(shell, "/session rename Birds")
    assert shell.store.get_session(first).title == "Birds"
    await dispatch(shell, "/session branch")
    branch = shell.session_id
    assert branch != first and shell.store.get_session(branch or "").parent_id == first
    await dispatch(shell, "/session new")
    assert shell.session_id is None
    out.take()
    await dispatch(shell, "/session list")
    listing = out.take()
    assert "Birds" in listing and first[:8] in listing
    await dispatch(shell, f"/session load {first[:6]}")
    assert shell.session_id == first and "Pelicans are birds." in out.take()
    await dispatch(shell, "/search pelicans")
    assert "pelicans" in out.take().lower()
    await dispatch(shell, "/export talk.md")
    assert "Pelicans are birds." in (workspace / "talk.md").read_text(encoding="utf-8")
    await dispatch(shell, "/export talk.json")
    assert json.loads((workspace / "talk.json").read_text(encoding="utf-8"))
    assert shell.sessions_used == [first, branch]


async def test_compact_records_a_summary(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    await dispatch(shell, "/compact")
    assert "nothing to compact yet" in out.take()
    for n in range(3):
        model_server.script(Reply(text=f"answer {n}"))
        await run_line(shell, f"question {n}")
    model_server.script(Reply(text="They asked three questions."))
    await dispatch(shell, "/compact")
    assert "compacted" in out.take()
    assert shell.session_id is not None
    records = shell.store.history(shell.session_id)
    assert any(r.mode == "compact" and "three questions" in r.content for r in records)


async def test_theme_switch_is_saved_in_the_user_config(shell: ShellState, out: Captured) -> None:
    from coda_ls import paths

    await dispatch(shell, "/theme")
    assert "dracula" in out.take()
    await dispatch(shell, "/theme dracula")
    assert shell.theme == "dracula"
    saved = tomllib.loads(paths.user_config_file().read_text(encoding="utf-8"))
    assert saved["ui"]["theme"] == "dracula"
    await dispatch(shell, "/theme mono")
    saved = tomllib.loads(paths.user_config_file().read_text(encoding="utf-8"))
    assert saved["ui"]["theme"] == "mono"
    await dispatch(shell, "/theme neon")
    assert "unknown theme 'neon'" in out.take()


async def test_tools_list_and_toggle(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    await dispatch(shell, "/tools")
    listing = out.take()
    assert "read_file" in listing and "shell" in listing
    await dispatch(shell, "/tools off shell web_fetch")
    await run_line(shell, "hi")
    offered = {t["function"]["name"] for t in model_server.chat_requests()[-1].body["tools"]}
    assert "read_file" in offered and "shell" not in offered and "web_fetch" not in offered
    await dispatch(shell, "/tools on shell")
    assert "shell" in {spec.name for spec in shell.engine.toolbox.specs()}  # type: ignore[union-attr]
    await dispatch(shell, "/tools off nosuch")
    assert "no tool named 'nosuch'" in out.take()


async def test_no_tools_says_so(shell: ShellState, out: Captured) -> None:
    shell.tools = None
    await dispatch(shell, "/tools")
    assert "no tools available yet" in out.take()


async def test_cost_panel(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    await dispatch(shell, "/cost")
    assert "No requests in this shell yet" in out.take()
    model_server.script(Reply(text="ok", prompt_tokens=120, completion_tokens=30))
    await run_line(shell, "hi")
    out.take()
    await dispatch(shell, "/cost")
    panel = out.take()
    assert "Session stats" in panel and "Model requests" in panel
    assert "llama3.2:latest" in panel and "120" in panel and "30" in panel


async def test_ctrl_c_cancels_the_answer_and_keeps_it(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(chunks=[f"part{n} " for n in range(40)], chunk_delay=0.05))
    asyncio.get_running_loop().call_later(0.6, os.kill, os.getpid(), signal.SIGINT)
    assert await run_line(shell, "long answer please") is Outcome.DONE
    text = out.take()
    assert "part0" in text and "interrupted" in text and "part39" not in text
    assert shell.session_id is not None
    last = shell.store.history(shell.session_id)[-1]
    assert last.role == "assistant" and last.status == "interrupted"
    model_server.script(Reply(text="still here"))
    await run_line(shell, "are you there?")  # the shell goes on
    assert "still here" in out.take()


async def test_provider_error_is_shown_and_counted(
    shell: ShellState, out: Captured, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(status=500, error="model crashed"))
    assert await run_line(shell, "hi") is Outcome.DONE
    assert "model crashed" in out.take() and shell.failures == 1
