"""coda-ls in Emacs's own LSP client, eglot (Debian: emacs-nox 28 + elpa-eglot 1.9), in
batch mode, against the scripted model server. `eglot_driver.el` picks code actions the way
a user would and writes what it saw to JSON.

eglot 1.9 has no window/showDocument and drops executeCommand results, so Explain must reach
the user through the server's message fallback (issue #18); it never asked for coda/stream,
so it must not get any."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.editors.scenario import REFACTOR, REVIEW, SAMPLE, server_command
from tests.support.model_server import Reply, ScriptedModelServer

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("eglot_driver.el")
EMACS = shutil.which("emacs")


def _has_eglot() -> bool:
    if EMACS is None:
        return False
    probe = subprocess.run(
        [EMACS, "--batch", "--eval", "(require 'eglot)"],
        capture_output=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    return probe.returncode == 0


pytestmark = [
    pytest.mark.skipif(
        EMACS is None, reason="emacs is not installed (apt-get install emacs-nox elpa-eglot)"
    ),
    pytest.mark.timeout(120),
]

NOT_AN_EDIT = "Install numpy first:\n```bash\npip install numpy\n```\n"
EXPLANATION = "`area` multiplies width by height.\n\nIt returns the area of a rectangle."


def _run_emacs(tmp_path: Path, source: Path, model_server: ScriptedModelServer) -> dict[str, Any]:
    assert EMACS is not None
    if not _has_eglot():
        pytest.fail("emacs is installed but eglot is not: apt-get install elpa-eglot")
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        "OLLAMA_HOST": model_server.url,
        "PYTHONPATH": str(REPO),
        "CODA_LS_COMMAND": json.dumps(server_command()),
        "CODA_TEST_FILE": str(source),
        "CODA_TEST_RESULT": str(result_file),
        "CODA_TEST_STEP_SECONDS": "20",
    }
    # --batch reads no init file; not -Q: Debian's site-start puts elpa-eglot on load-path
    command = [EMACS, "--batch", "-l", str(DRIVER)]
    try:
        proc = subprocess.run(
            command,
            cwd=source.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=100,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"emacs did not exit in time; stderr: {exc.stderr!r}")
    assert result_file.exists(), f"no result (rc={proc.returncode}): {proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(result_file.read_text())
    result["stderr"] = proc.stderr
    return result


def test_review_fix_refactor_and_explain_through_eglot(
    tmp_path: Path, model_server: ScriptedModelServer
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    source = root / "geometry.py"
    source.write_text(SAMPLE)
    model_server.script(
        Reply(text=json.dumps(REVIEW)),
        Reply(text=json.dumps(REFACTOR)),
        Reply(text=EXPLANATION),
        Reply(text=NOT_AN_EDIT),
    )
    result = _run_emacs(tmp_path, source, model_server)
    assert result["ok"], (result["error"], result["steps"], result["stderr"][-3000:])
    assert [s["name"] for s in result["steps"]] == [
        "start",
        "code_actions_on_range",
        "review",
        "apply_suggestion",
        "refactor",
        "explain",
        "refactor_without_edit",
    ]
    assert result["server_name"] == "coda-ls"

    # a range gets Coda's actions, instantly (no model call yet)
    assert {"Coda: Explain", "Coda: Review", "Coda: Refactor…"} <= set(result["range_actions"])

    # Review -> publishDiagnostics -> flymake, at the lines the model named
    by_line = {d["line"]: d for d in result["diagnostics"]}
    assert sorted(by_line) == [4, 9], result["diagnostics"]
    assert "no type hints" in by_line[4]["text"] and "error" in by_line[4]["type"]
    assert "perimeter lacks a docstring" in by_line[9]["text"]
    assert by_line[9]["end_line"] == 10

    # Apply suggestion (the quick fix on line 9) -> workspace/applyEdit edited the buffer,
    # and the fixed finding's diagnostic went away while the other stayed
    assert "Coda: Apply suggestion" in result["suggestion_offered"]
    assert '    """Perimeter."""' in result["after_suggestion"]
    assert [d["line"] for d in result["diagnostics_after_fix"]] == [4]

    # Refactor… (default instruction) -> the model's search/replace edit applied
    assert "    return height * width" in result["after_refactor"]
    assert "    return width * height" not in result["after_refactor"]
    assert '"""Perimeter."""' in result["after_refactor"]

    # Explain: no showDocument in eglot 1.9 -> window/showMessage with the answer
    shown = "\n".join(result["explain_messages"])
    assert "`area` multiplies width by height." in shown, shown
    assert "full answer: file://" in shown
    # ... and the whole answer in window/logMessage (eglot's events buffer)
    events = result["events"]
    assert "It returns the area of a rectangle." in events
    # eglot never opted in to coda/stream: none were sent
    assert "coda/stream" not in events

    # a refactor answer that is no edit: the buffer untouched, the user told, answer shown
    assert result["no_edit_unchanged"] is True
    warned = "\n".join(result["no_edit_messages"])
    assert "no edit was produced" in warned and "pip install numpy" in warned

    prompts = [r.body["messages"][-1]["content"] for r in model_server.chat_requests()]
    assert len(prompts) == 4
