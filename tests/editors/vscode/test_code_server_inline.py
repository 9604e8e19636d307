"""Inline completion in the real VS Code workbench (code-server + Playwright, as
test_code_server.py): typing in a Python file shows Coda's suggestion as ghost text, and
Tab accepts it. The extension's InlineCompletionItemProvider forwards to coda-ls, which
asks the scripted model server's /api/generate (fill-in-the-middle)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.editors.scenario import SAMPLE
from tests.editors.vscode.test_code_server import (
    ARTIFACTS,
    CHROMIUM,
    MISSING,
    STEP_MS,
    _go_to_line,
    code_server,
)
from tests.support.model_server import Reply, ScriptedModelServer

__all__ = ["code_server"]  # the fixture, used by name

pytestmark = [
    pytest.mark.skipif(MISSING is not None, reason=MISSING or ""),
    pytest.mark.timeout(420),
]
COMPLETION = "width * height * depth"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project, with a completion model in its Coda config (no VS Code setting)."""
    root = tmp_path / "project"
    (root / ".coda").mkdir(parents=True)
    (root / ".coda" / "config.toml").write_text(
        '[completion]\nmodel = "qwen2.5-coder:7b"\ndebounce_ms = 0\n'
    )
    (root / "geometry.py").write_text(SAMPLE + "\n\ndef volume(width, height, depth):\n")
    return root


def test_ghost_text_appears_and_tab_accepts_it(
    tmp_path: Path, code_server: str, model_server: ScriptedModelServer
) -> None:
    from playwright.sync_api import expect, sync_playwright

    artifacts = Path(ARTIFACTS) if ARTIFACTS else tmp_path / "screens"
    artifacts.mkdir(parents=True, exist_ok=True)
    model_server.default_reply = Reply(text=COMPLETION)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(STEP_MS)
        expect.set_options(timeout=STEP_MS)
        try:
            page.goto(code_server)
            page.locator(".monaco-workbench").wait_for()
            status = page.locator("[id='coda-assistant.coda-vscode.coda.status']")
            expect(status).to_contain_text("Coda:")
            expect(status).not_to_contain_text("…")
            page.get_by_role("treeitem", name="geometry.py").click()
            lines = page.locator(".monaco-editor .view-lines").first
            expect(lines).to_contain_text("def volume")
            lines.click()
            _go_to_line(page, 14)
            page.keyboard.press("End")
            page.keyboard.type("    return ")
            # Ghost text is syntax-highlighted: one span per token, in the view line.
            ghost = page.locator(".monaco-editor .ghost-text-decoration")
            deadline = time.monotonic() + STEP_MS / 1000
            while COMPLETION not in "".join(ghost.all_inner_texts()).replace("\u00a0", " "):
                assert time.monotonic() < deadline, ghost.all_inner_texts()
                page.wait_for_timeout(100)
            page.screenshot(path=str(artifacts / "inline-ghost.png"))
            page.keyboard.press("Tab")
            expect(ghost).to_have_count(0)  # accepted: now text, no longer a suggestion
            expect(lines).to_contain_text(f"return {COMPLETION}")
            page.screenshot(path=str(artifacts / "inline-accepted.png"))
        finally:
            page.screenshot(path=str(artifacts / "inline-last.png"))
            browser.close()
    prompts = [r.body["prompt"] for r in model_server.generate_requests()]
    # The request that produced the suggestion carried the buffer as typed (unsaved).
    wanted = "def volume(width, height, depth):\n    return <|fim_suffix|>"
    assert any(wanted in prompt for prompt in prompts), prompts[-1:]
