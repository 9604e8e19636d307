"""A tool plugin installed as a real distribution (dist-info in a temporary site dir on
PYTHONPATH), seen by `coda tools` and `coda doctor`, and called by a scripted model
through `coda ask` in a subprocess, after the user answers the permission prompt on a
terminal (a pty)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.model_server import Reply, ScriptedModelServer
from tests.support.plugin_site import ROOT, install_dist, install_example


@pytest.fixture
def env(tmp_path: Path, model_server: ScriptedModelServer) -> dict[str, str]:
    site = tmp_path / "site"
    install_example(site)
    install_dist(site, "coda-broken", "1.0", {"broken": "coda_broken_import:Tool"},
                 {"coda_broken_import.py": "import no_such_module_anywhere\n"})  # fmt: skip
    environ = dict(os.environ)
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(site)])
    environ["OLLAMA_HOST"] = model_server.url
    environ["NO_COLOR"] = "1"
    environ["COLUMNS"] = "200"
    return environ


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "notes.txt").write_text("one two three\nfour\n")
    return root


def coda(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coda_cli", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_coda_tools_lists_plugin_tools_with_their_source(
    env: dict[str, str], project: Path
) -> None:
    result = coda(["tools", "--json", "--no-mcp"], env, project)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    rows = {row["name"]: row for row in report["tools"]}
    assert rows["word_count"]["source"] == "plugin coda-wordcount 0.1.0"
    assert rows["add_todo"]["permission"] == "ask"
    assert rows["shell"]["source"] == "built-in"
    assert any("'broken' (coda-broken 1.0)" in line for line in report["problems"])
    table = coda(["tools", "--no-mcp"], env, project)
    assert "plugin coda-wordcount 0.1.0" in table.stdout
    assert "ModuleNotFoundError" in table.stderr


def test_doctor_reports_plugins_and_the_broken_one(env: dict[str, str], project: Path) -> None:
    result = coda(["doctor", "--json"], env, project)
    checks = [c for c in json.loads(result.stdout)["checks"] if c["area"] == "plugins"]
    by_name = {c["name"]: c for c in checks}
    assert by_name["word_count"]["ok"] is True
    assert by_name["broken"]["ok"] is False and "[plugins] disabled" in by_name["broken"]["fix"]
    assert result.returncode == 1  # something installed is broken


def test_a_scripted_model_calls_the_plugin_after_the_user_says_yes(
    env: dict[str, str], project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[{"name": "word_count",
                                               "arguments": {"path": "notes.txt"}}]),
        Reply(text="", chunks=[], tool_calls=[{"name": "add_todo",
                                               "arguments": {"item": "count again"}}]),
        Reply(text="Counted and noted."),
    )  # fmt: skip
    # stdin is a terminal (a pty) so the CLI asks; the answer "y" is typed into it.
    master, slave = pty.openpty()
    os.write(master, b"y\n")
    proc = subprocess.run(
        [sys.executable, "-m", "coda_cli", "ask", "count the words, then add a todo"],
        env=env, cwd=project, stdin=slave, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    os.close(master)
    os.close(slave)
    assert proc.returncode == 0, proc.stderr
    assert "Counted and noted." in proc.stdout
    assert "add_todo" in proc.stderr and "[plugin coda-wordcount 0.1.0]" in proc.stderr
    assert "Count words in notes.txt" not in proc.stderr  # read is allowed: not asked
    assert "tool plugin 'broken'" in proc.stderr  # the notice, and the run goes on
    assert (project / "TODO.md").read_text() == "- count again\n"
    requests = model_server.chat_requests()
    offered = {tool["function"]["name"] for tool in requests[0].body["tools"]}
    assert {"word_count", "add_todo", "read_file"} <= offered
    tool_messages = [m["content"] for m in requests[-1].body["messages"] if m["role"] == "tool"]
    assert tool_messages == [
        "notes.txt: 2 lines, 4 words, 19 characters",
        "added to TODO.md: count again",
    ]


def test_without_a_terminal_the_plugin_write_is_refused(
    env: dict[str, str], project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[{"name": "add_todo",
                                               "arguments": {"item": "x"}}]),
        Reply(text="could not"),
    )  # fmt: skip
    result = coda(["ask", "add a todo"], env, project)
    assert result.returncode == 0, result.stderr
    assert "permissions.write" in result.stderr
    assert not (project / "TODO.md").exists()
