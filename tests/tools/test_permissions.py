"""The permission policy: allow / ask / deny per category, and what the user is shown."""

from __future__ import annotations

from pathlib import Path

from coda_ls.tools import Decision, PolicyOnlyAsker
from tests.tools.conftest import MakeToolbox, ScriptedAsker, call


async def test_no_means_nothing_is_written(toolbox: MakeToolbox, workspace: Path) -> None:
    asker = ScriptedAsker(Decision.NO)
    box = toolbox(asker, write="ask")
    before = (workspace / "src" / "app.py").read_text()
    edit = await call(
        box, "edit_file", path="src/app.py", edits=[{"search": "hello", "replace": "bye"}]
    )
    write = await call(box, "write_file", path="new.txt", content="x\n")
    assert edit.is_error and "declined" in edit.text
    assert write.is_error and "declined" in write.text
    assert (workspace / "src" / "app.py").read_text() == before
    assert not (workspace / "new.txt").exists()
    assert len(asker.requests) == 2


async def test_writes_show_a_diff_first(toolbox: MakeToolbox, workspace: Path) -> None:
    asker = ScriptedAsker(Decision.YES, Decision.YES)
    box = toolbox(asker, write="ask")
    await call(box, "edit_file", path="src/app.py", edits=[{"search": "hello", "replace": "bye"}])
    await call(box, "write_file", path="new.txt", content="fresh\n")
    edit, new = asker.requests
    assert edit.summary == "Edit src/app.py (1 block)"
    assert edit.diff is not None
    assert "-    print('hello')\n+    print('bye')\n" in edit.diff
    assert edit.diff.startswith("--- a/src/app.py\n+++ b/src/app.py\n")
    assert new.summary == "Write new.txt (1 lines, new file)"
    assert new.diff == "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+fresh\n"
    assert (workspace / "new.txt").read_text() == "fresh\n"


async def test_always_is_remembered_per_tool(toolbox: MakeToolbox, workspace: Path) -> None:
    asker = ScriptedAsker(Decision.ALWAYS)
    box = toolbox(asker, shell="ask")
    for n in range(3):
        assert not (await call(box, "shell", command=f"echo {n}")).is_error
    assert len(asker.requests) == 1
    assert asker.requests[0].summary == "Run: echo 0"
    # "always" for shell is not "always" for writes
    await call(box, "write_file", path="x.txt", content="x")
    assert (workspace / "x.txt").exists()  # write is allow in this toolbox


async def test_a_failed_edit_asks_nobody(toolbox: MakeToolbox) -> None:
    asker = ScriptedAsker(answer=Decision.YES)
    box = toolbox(asker, write="ask")
    result = await call(
        box, "edit_file", path="src/app.py", edits=[{"search": "nope", "replace": ""}]
    )
    assert result.is_error and "not found" in result.text
    assert asker.requests == []


async def test_deny_refuses_and_hides_the_tools(toolbox: MakeToolbox, workspace: Path) -> None:
    asker = ScriptedAsker(answer=Decision.YES)
    box = toolbox(asker, write="deny", web="deny")
    names = {spec.name for spec in box.specs()}
    assert {"write_file", "edit_file", "web_fetch"}.isdisjoint(names)
    assert {"read_file", "shell", "vcs_diff"} <= names
    result = await call(box, "write_file", path="x.txt", content="x")
    assert result.is_error and not (workspace / "x.txt").exists()
    assert asker.requests == []


async def test_policy_only_asker_says_no_to_ask(workspace: Path) -> None:
    from coda_ls.config import Settings
    from coda_ls.tools import Toolbox

    box = Toolbox(workspace, Settings(), PolicyOnlyAsker())  # defaults: read allow, rest ask
    read = await call(box, "read_file", path="README.md")
    assert not read.is_error
    shell = await call(box, "shell", command="touch made.txt")
    assert shell.is_error and not (workspace / "made.txt").exists()


async def test_read_only_categories() -> None:
    from coda_ls.config import Settings
    from coda_ls.tools import Toolbox

    box = Toolbox(Path("."), Settings(), PolicyOnlyAsker(), categories={"read"})
    assert {s.name for s in box.specs()} == {
        "read_file", "list_files", "search", "vcs_status", "vcs_diff", "vcs_log"
    }  # fmt: skip
    result = await call(box, "shell", command="true")
    assert result.is_error and "unknown tool" in result.text


async def test_specs_are_json_schemas(toolbox: MakeToolbox) -> None:
    specs = {s.name: s for s in toolbox().specs()}
    edit = specs["edit_file"].parameters
    assert edit["type"] == "object" and edit["required"] == ["path", "edits"]
    assert specs["read_file"].parameters["properties"]["start_line"]["anyOf"][0]["minimum"] == 1
    assert all(s.description for s in specs.values())
