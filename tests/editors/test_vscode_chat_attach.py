"""The VS Code chat view's script (editors/vscode/media/chat.js) in real Chromium: files
dropped on the input are read and posted to the extension as base64, Explorer drops as a
uri list, the Attach… button asks for a picker, and the chips of pending attachments remove
them. The webview page is rebuilt as a local file with a recording `acquireVsCodeApi`."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from tests.support.files import png_bytes

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
MEDIA = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "media"
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs chromium")

PAGE = """<!DOCTYPE html><html><head><meta charset="UTF-8"></head><body>
<main id="log"></main>
<form id="form"><div id="attachments" hidden></div><textarea id="question"></textarea>
<button type="button" id="attach"></button><button id="cancel" hidden></button>
<button type="submit" id="send"></button></form>
<script>window.posted = [];
window.acquireVsCodeApi = () => ({postMessage: (m) => window.posted.push(m)});</script>
<script src="chat.js"></script>
</body></html>"""

DROP = """([name, b64, uris]) => {
  const transfer = new DataTransfer();
  if (uris) { transfer.setData('text/uri-list', uris); }
  if (b64) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type: 'image/png' }));
  }
  const form = document.getElementById('form');
  const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
  form.dispatchEvent(new DragEvent('dragover', init));
  form.dispatchEvent(new DragEvent('drop', init));
}"""


def test_drop_pick_and_remove_attachments(tmp_path: Path) -> None:
    shutil.copy(MEDIA / "chat.js", tmp_path / "chat.js")
    (tmp_path / "chat.html").write_text(PAGE)
    png = base64.b64encode(png_bytes()).decode()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto((tmp_path / "chat.html").as_uri())

        def posted(kind: str) -> list[dict[str, object]]:
            messages: list[dict[str, object]] = page.evaluate("window.posted")
            return [m for m in messages if m.get("type") == kind]

        page.evaluate(DROP, ["Error shot.png", png, ""])  # a file from the desktop
        page.wait_for_function("window.posted.some(m => m.type === 'attachData')")
        assert posted("attachData") == [
            {"type": "attachData", "name": "Error shot.png", "data": png}
        ]

        page.evaluate(DROP, ["", "", "# comment\r\nfile:///ws/docs/spec.pdf\r\n"])  # Explorer
        assert posted("attachUris") == [
            {"type": "attachUris", "uris": ["file:///ws/docs/spec.pdf"]}
        ]

        page.click("#attach")
        assert posted("pickAttachment") == [{"type": "pickAttachment"}]

        page.evaluate(
            "m => window.postMessage(m, '*')",
            {"type": "attachments", "names": ["Error shot.png", "spec.pdf"]},
        )
        page.wait_for_selector("#attachments:not([hidden]) .chip")
        assert page.locator("#attachments .chip").count() == 2
        page.click("#attachments .chip button[title='Remove spec.pdf']")
        assert posted("detach") == [{"type": "detach", "name": "spec.pdf"}]
        page.evaluate("m => window.postMessage(m, '*')", {"type": "attachments", "names": []})
        page.wait_for_selector("#attachments[hidden]", state="attached")
        browser.close()
