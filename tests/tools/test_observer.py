"""The Toolbox's observer (what a front shows of tool calls live) and replacing a tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coda_ls.tools import Decision, PermissionRequest, Tool, ToolResult
from coda_ls.tools.shell import Shell, ShellArgs
from coda_ls.wire import ToolCall
from tests.tools.conftest import MakeToolbox, ScriptedAsker, call


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, Any]] = []

    async def started(self, call: ToolCall, tool: Tool[Any] | None) -> None:
        self.events.append(("started", call.name, tool.name if tool else None))

    async def described(self, call: ToolCall, request: PermissionRequest) -> None:
        self.events.append(("described", call.name, request))

    async def finished(self, call: ToolCall, result: ToolResult) -> None:
        self.events.append(("finished", call.name, result))


async def test_every_call_is_seen_start_to_end(toolbox: MakeToolbox, workspace: Path) -> None:
    box = toolbox(ScriptedAsker(Decision.NO), write="ask")
    box.observer = seen = Recorder()
    await call(box, "edit_file", path="src/app.py", edits=[{"search": "hello", "replace": "bye"}])
    await call(box, "no_such_tool")
    await call(box, "write_file", path="../outside.txt", content="x")

    kinds = [(kind, name) for kind, name, _ in seen.events]
    assert kinds == [
        ("started", "edit_file"), ("described", "edit_file"), ("finished", "edit_file"),
        ("started", "no_such_tool"), ("finished", "no_such_tool"),
        ("started", "write_file"), ("finished", "write_file"),
    ]  # fmt: skip
    assert seen.events[3][2] is None, "an unknown tool is started with no Tool"
    declined = seen.events[2][2]
    assert declined.is_error and "declined" in declined.text
    escaped = seen.events[6][2]
    assert escaped.is_error, "a refusal before describe still finishes the call"


async def test_write_requests_carry_the_texts_before_and_after(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    asker = ScriptedAsker(Decision.YES, Decision.YES)
    box = toolbox(asker, write="ask")
    await call(box, "edit_file", path="src/app.py", edits=[{"search": "hello", "replace": "bye"}])
    await call(box, "write_file", path="new.txt", content="fresh\n")
    edit, new = asker.requests
    assert edit.old_text == "def main():\n    print('hello')\n\nmain()\n"
    assert edit.new_text == "def main():\n    print('bye')\n\nmain()\n"
    assert (new.old_text, new.new_text) == (None, "fresh\n")


class EchoShell(Shell):
    async def run(self, args: ShellArgs, ctx: Any) -> ToolResult:
        return ToolResult(f"would run {args.command}")


async def test_a_front_can_replace_a_core_tool(toolbox: MakeToolbox) -> None:
    box = toolbox()
    try:
        box.add(EchoShell())
    except ValueError as exc:
        assert "already registered" in str(exc)
    else:
        raise AssertionError("a second `shell` must need replace=True")
    box.add(EchoShell(), replace=True)
    assert (await call(box, "shell", command="ls")).text == "would run ls"
