"""The VS Code chat view's script (editors/vscode/media/chat.js) draws a reply's Mermaid
block with the bundled mermaid.min.js, in real Chromium: the webview page is rebuilt as a
local file with a stand-in for `acquireVsCodeApi`, and the extension's message posted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
MEDIA = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "media"
# build.sh puts it in media/; CI also exports where it fetched it.
MERMAID_JS = os.environ.get("CODA_TEST_MERMAID_JS") or str(MEDIA / "mermaid.min.js")
pytestmark = [
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs chromium"),
    pytest.mark.skipif(not Path(MERMAID_JS).is_file(), reason="no mermaid.min.js (build.sh)"),
]

# What src/markdown.ts makes of a ```mermaid fence (src/test/render.test.ts checks it).
FIGURE = (
    '<p>Flow:</p>\n<figure class="diagram" data-lang="mermaid"><figcaption>Mermaid diagram, '
    "shown as text: mermaid.js is not bundled in this build</figcaption><pre><code "
    'class="language-mermaid">flowchart LR\n  main --&gt; report\n  report --&gt; describe\n'
    "</code></pre></figure>\n"
)
PAGE = """<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body>
<main id="log"></main>
<form id="form"><textarea id="question"></textarea><button id="cancel" hidden></button>
<button type="submit" id="send"></button></form>
<script>window.acquireVsCodeApi = () => ({postMessage: () => {}});</script>
<script src="mermaid.min.js"></script>
<script src="chat.js"></script>
</body></html>"""


def entry(status: str, html: str) -> dict[str, object]:
    return {"id": "r1", "role": "assistant", "status": status, "title": "Coda", "html": html,
            "footer": ""}  # fmt: skip


def test_chat_view_draws_mermaid_once_the_reply_is_done(tmp_path: Path) -> None:
    shutil.copy(MEDIA / "chat.js", tmp_path / "chat.js")
    shutil.copy(MERMAID_JS, tmp_path / "mermaid.min.js")
    (tmp_path / "chat.html").write_text(PAGE)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto((tmp_path / "chat.html").as_uri())
        post = "m => window.postMessage(m, '*')"
        # mid-stream: not drawn (the block may still be growing)
        page.evaluate(post, {"type": "entry", "entry": entry("streaming", FIGURE)})
        page.wait_for_timeout(300)
        assert page.locator("figure.diagram svg").count() == 0
        page.evaluate(post, {"type": "entry", "entry": entry("done", FIGURE)})
        page.wait_for_selector("figure.diagram[data-drawn='1'] svg")
        assert page.locator("figure.diagram svg g.node").count() == 3
        assert page.locator("figure.diagram figcaption").inner_text() == (
            "Mermaid diagram (source below)"
        )
        broken = FIGURE.replace("flowchart LR", "flowchart LR\n  ((((")
        page.evaluate(post, {"type": "entry", "entry": {**entry("done", broken), "id": "r2"}})
        page.wait_for_selector("figure.diagram[data-drawn='failed']")
        caption = page.locator("figure.diagram[data-drawn='failed'] figcaption").inner_text()
        assert caption.startswith("Mermaid diagram, shown as text: it could not be drawn")
        browser.close()
