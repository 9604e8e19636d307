"""The VS Code extension in the real VS Code workbench: code-server 4.100.3 serving the
workbench on 127.0.0.1, driven by Playwright (Python) in Debian's Chromium.

Asserts on DOM states the user would see, never on sleeps: the extension activates and
starts coda-ls (found through `python.defaultInterpreterPath`, as without the Python
extension), its palette commands exist, Review puts findings in the Problems panel, the
quick fix "Coda: Apply suggestion" edits the buffer and clears that finding, Explain answers
in the chat view, and the status bar names the model that answered.

Needs: code-server (tests/editors/vscode/install_code_server.sh; `.ci/run` installs it and
sets CODA_CODE_SERVER), the packaged extension (editors/vscode/build.sh -> coda.vsix),
`playwright` (pip) and /usr/bin/chromium. Screenshots of each step go to
$CODA_TEST_ARTIFACTS (default: the test's tmp dir)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.editors.scenario import REVIEW, SAMPLE
from tests.support.model_server import Reply, ScriptedModelServer

REPO = Path(__file__).resolve().parents[3]
VSIX = REPO / "editors" / "vscode" / "coda.vsix"
CHROMIUM = Path("/usr/bin/chromium")
DEFAULT_CODE_SERVER = (
    Path.home() / ".cache" / "coda-ci" / "code-server-4.100.3" / "package" / "out" / "node"
)
STEP_MS = 45_000  # one UI step on a loaded 2-core CI machine
EXPLANATION = "`area` multiplies width by height to get the area of a rectangle."


def _code_server() -> Path | None:
    configured = os.environ.get("CODA_CODE_SERVER")
    entry = Path(configured) if configured else DEFAULT_CODE_SERVER / "entry.js"
    return entry if entry.is_file() else None


def _missing() -> str | None:
    """Why this test cannot run here, or None."""
    if _code_server() is None:
        return "code-server is not installed (run tests/editors/vscode/install_code_server.sh)"
    if not VSIX.is_file():
        return "editors/vscode/coda.vsix is not built (run editors/vscode/build.sh)"
    if not CHROMIUM.exists():
        return "chromium is not installed (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node is not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    return None


MISSING = _missing()
# Read now: the autouse isolated_env fixture clears CODA_* variables before each test.
CODE_SERVER = _code_server()
ARTIFACTS = os.environ.get("CODA_TEST_ARTIFACTS")
pytestmark = [
    pytest.mark.skipif(MISSING is not None, reason=MISSING or ""),
    pytest.mark.timeout(420),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer in {seconds}s")
        time.sleep(0.2)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "geometry.py").write_text(SAMPLE)
    return root


@pytest.fixture
def code_server(tmp_path: Path, project: Path, model_server: ScriptedModelServer) -> Iterator[str]:
    """code-server with the packaged extension installed, serving `project`; its URL."""
    entry = CODE_SERVER
    assert entry is not None
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    env = {
        **os.environ,
        # coda-ls (started by the extension host) imports this checkout and asks the
        # scripted model server; XDG dirs come from the isolated_env fixture.
        "PYTHONPATH": str(REPO),
        "OLLAMA_HOST": model_server.url,
        # The venv is NOT on PATH: the extension must find coda-ls through the interpreter.
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    subprocess.run(
        [
            "node",
            str(entry),
            "--user-data-dir",
            str(user_data),
            "--extensions-dir",
            str(extensions),
            "--install-extension",
            str(VSIX),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    settings = {
        "python.defaultInterpreterPath": sys.executable,
        "workbench.startupEditor": "none",
        "security.workspace.trust.enabled": False,
        "telemetry.telemetryLevel": "off",
        "extensions.ignoreRecommendations": True,
        "workbench.tips.enabled": False,
        "update.mode": "none",
        "editor.minimap.enabled": False,
        "coda.repomap.tokens": 512,
    }
    (user_data / "User" / "settings.json").write_text(json.dumps(settings))
    port = _free_port()
    log = (tmp_path / "code-server.log").open("w")
    proc = subprocess.Popen(
        [
            "node",
            str(entry),
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--user-data-dir",
            str(user_data),
            "--extensions-dir",
            str(extensions),
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            str(project),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz", 60)
        yield f"http://127.0.0.1:{port}/?folder={project}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _editor_text(page: Any) -> str:
    text: str = page.locator(".monaco-editor .view-lines").first.inner_text()
    return text.replace("\u00a0", " ")


def _palette(page: Any, command: str) -> list[str]:
    """Run `command` from the command palette; returns every "Coda:" entry it listed."""
    page.keyboard.press("Control+Shift+P")
    box = page.locator(".quick-input-widget .quick-input-box input")
    box.wait_for(state="visible", timeout=STEP_MS)
    rows = page.locator(".quick-input-widget .monaco-list-row")
    box.fill(">Coda: ")
    rows.filter(has_text="Coda: Restart Server").first.wait_for(state="visible")
    listed: list[str] = rows.all_inner_texts()
    box.fill(f">{command}")
    row = rows.filter(has_text=command).first
    row.wait_for(state="visible", timeout=STEP_MS)
    row.click()
    return listed


def _go_to_line(page: Any, line: int) -> None:
    page.keyboard.press("Control+G")
    box = page.locator(".quick-input-widget .quick-input-box input")
    box.wait_for(state="visible", timeout=STEP_MS)
    box.fill(f":{line}")
    page.keyboard.press("Enter")


def test_extension_in_the_real_workbench(
    tmp_path: Path, code_server: str, model_server: ScriptedModelServer
) -> None:
    from playwright.sync_api import expect, sync_playwright

    artifacts = Path(ARTIFACTS) if ARTIFACTS else tmp_path / "screens"
    artifacts.mkdir(parents=True, exist_ok=True)
    model_server.script(
        Reply(text=json.dumps(REVIEW)),
        Reply(chunks=[w + " " for w in EXPLANATION.split(" ")], chunk_delay=0.02),
    )
    started = time.monotonic()
    timings: dict[str, float] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(STEP_MS)
        expect.set_options(timeout=STEP_MS)

        def shot(name: str) -> None:
            timings[name] = round(time.monotonic() - started, 1)
            page.screenshot(path=str(artifacts / f"{len(timings):02d}-{name}.png"))

        try:
            page.goto(code_server)
            page.locator(".monaco-workbench").wait_for()
            # activated: the extension's status bar item, then coda-ls running (no spinner,
            # no warning) -- it was found via python.defaultInterpreterPath, not PATH
            status = page.locator("[id='coda-assistant.coda-vscode.coda.status']")
            expect(status).to_contain_text("Coda:")
            expect(status).not_to_contain_text("…")
            expect(status.locator(".codicon-warning")).to_have_count(0)
            shot("activated")

            page.get_by_role("treeitem", name="geometry.py").click()
            expect(page.locator(".monaco-editor .view-lines").first).to_contain_text(
                "def perimeter"
            )

            listed = "\n".join(_palette(page, "Coda: Review File"))
            for title in ("Review File", "Explain Selection", "Refactor Selection", "Ask"):
                assert f"Coda: {title}" in listed, listed
            # Review -> the findings in the Problems panel (the extension opens it)
            problems = page.locator(".markers-panel")
            expect(problems).to_contain_text("perimeter lacks a docstring")
            expect(problems).to_contain_text("no type hints")
            # the chat view shows the findings, not the JSON the model streamed
            findings = _find_in_webviews(page, "perimeter lacks a docstring", STEP_MS)
            assert "two small issues" in findings and '"findings"' not in findings
            # the status bar names the model that answered (it said "no model" before)
            answered = model_server.chat_requests()[-1].body["model"]
            expect(status).to_contain_text(answered)
            shot("review-problems")

            # the quick fix on line 9 applies the suggestion (workspace/applyEdit)
            page.locator(".monaco-editor .view-lines").first.click()
            _go_to_line(page, 9)
            page.keyboard.press("Control+.")
            _pick_action(page, "Coda: Apply suggestion")
            expect(page.locator(".monaco-editor .view-lines").first).to_contain_text(
                '"""Perimeter."""'
            )
            # ... and the fixed finding leaves the Problems panel; the other stays
            expect(problems).not_to_contain_text("perimeter lacks a docstring")
            expect(problems).to_contain_text("no type hints")
            shot("suggestion-applied")

            # Explain lines 4-6 -> the answer in the chat view (a webview)
            page.locator(".monaco-editor .view-lines").first.click()
            _go_to_line(page, 4)
            for _ in range(2):
                page.keyboard.press("Shift+ArrowDown")
            page.keyboard.press("Shift+End")
            _palette(page, "Coda: Explain Selection")
            # the whole streamed answer, under the request the extension added
            answer = _find_in_webviews(page, "area of a rectangle.", STEP_MS)
            assert (
                "multiplies width by height" in answer and "Explain geometry.py lines 4–6" in answer
            )
            shot("explain-chat")

            expect(status).to_contain_text(model_server.chat_requests()[-1].body["model"])
        finally:
            page.screenshot(path=str(artifacts / "last.png"))
            browser.close()
    prompt = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert re.search(r"lines 4-6", prompt), prompt
    print(f"code-server run: {timings}")


def _pick_action(page: Any, title: str) -> None:
    """Choose `title` in the quick-fix menu with the keyboard (the menu's pointer block
    swallows synthetic clicks)."""
    from playwright.sync_api import expect

    widget = page.locator(".action-widget")
    expect(widget).to_contain_text(title)
    focused = widget.locator(".monaco-list-row.focused")
    for _ in range(12):
        if title in focused.inner_text():
            page.keyboard.press("Enter")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{title!r} not reachable in {widget.inner_text()!r}")


def _find_in_webviews(page: Any, text: str, timeout_ms: int) -> str:
    """The text of the first webview frame that shows `text` (webviews are nested
    iframes the page locators do not reach)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame == page.main_frame:
                continue
            try:
                body: str = frame.locator("body").inner_text(timeout=500)
            except Exception:  # a frame navigating or detached: look at the next one
                continue
            if text in body:
                return body
        page.wait_for_timeout(200)
    raise AssertionError(f"no webview shows {text!r}")
