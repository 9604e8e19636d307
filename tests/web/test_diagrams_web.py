"""Diagrams in `coda web`: Mermaid/Graphviz blocks become labelled figures on the server;
in a real browser the local mermaid.js (`[diagrams] mermaid_js`) draws the Mermaid ones as
SVG, and without it the page says the diagram is shown as text."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from coda_ls.web.render import markdown_html
from tests.support.model_server import Reply, ScriptedModelServer
from tests.web.conftest import WebServer, start_web, stop_web

ANSWER = (
    "The flow:\n\n```mermaid\nflowchart LR\n    main --> report\n    report --> describe\n```\n"
)
# A real mermaid.min.js (MIT): the one editors/vscode/build.sh fetches from the npm registry
# (`npm pack mermaid`), or any copy CODA_TEST_MERMAID_JS names.
_BUNDLED = Path(__file__).resolve().parents[2] / "editors" / "vscode" / "media" / "mermaid.min.js"
MERMAID_JS = os.environ.get("CODA_TEST_MERMAID_JS") or (
    str(_BUNDLED) if _BUNDLED.is_file() else None
)


def test_diagram_blocks_are_labelled_figures_with_escaped_source() -> None:
    html = markdown_html("```mermaid\nflowchart LR\n  a --> b<script>\n```\n")
    assert html.startswith("<figure class='diagram' data-lang='mermaid'><figcaption>")
    assert "shown as text: no mermaid.js is available offline" in html
    assert "a --&gt; b&lt;script&gt;" in html and "<script>" not in html
    dot = markdown_html("```dot\ndigraph { a -> b }\n```\n")
    assert "data-lang='graphviz'" in dot and "Graphviz diagram, shown as text" in dot
    python = markdown_html("```python\nx = 1\n```\n")
    assert "figure" not in python and "language-python" in python


def configure(project: Path, mermaid_js: str) -> None:
    (project / ".coda").mkdir(exist_ok=True)
    (project / ".coda" / "config.toml").write_text(f"[diagrams]\nmermaid_js = {mermaid_js!r}\n")


@pytest.fixture
def web_with(
    project: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[object]:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    servers: list[WebServer] = []

    def start(mermaid_js: str | None) -> WebServer:
        if mermaid_js is not None:
            configure(project, mermaid_js)
        servers.append(start_web(project))
        return servers[-1]

    yield start
    for server in servers:
        stop_web(server)


def test_mermaid_js_is_served_only_from_the_configured_file(
    web_with: object, tmp_path: Path
) -> None:
    script = tmp_path / "mermaid.min.js"
    script.write_text("window.mermaid = {};")
    for configured, status in ((None, 404), (str(script), 200)):
        server = web_with(configured)  # type: ignore[operator]
        with httpx.Client(base_url=server.base, timeout=30) as client:
            client.get(server.url).raise_for_status()
            response = client.get("/assets/mermaid.js")
        assert response.status_code == status
        if status == 200:
            assert response.text == "window.mermaid = {};"
            assert response.headers["content-type"].startswith("text/javascript")
        stop_web(server)


playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs chromium")


def ask_in_browser(server: WebServer) -> tuple[str, str, int]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto(server.url)
        page.goto(server.base + "/chat")
        page.fill("textarea[name=question]", "draw the flow")
        page.click("#chat-form button[type=submit]")
        page.wait_for_selector(".msg.assistant[data-done='1']")
        page.wait_for_function(
            "() => { const f = document.querySelector('figure.diagram');"
            " return f && (!window.mermaid || ['1', 'failed'].includes(f.dataset.drawn)); }"
        )
        figure = page.locator("figure.diagram").first
        caption = figure.locator("figcaption").inner_text()
        drawn = figure.get_attribute("data-drawn") or ""
        nodes = figure.locator("svg g.node").count()
        browser.close()
        return caption, drawn, nodes


@needs_chromium
def test_without_mermaid_js_the_page_says_text(
    web_with: object, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=ANSWER))
    caption, drawn, nodes = ask_in_browser(web_with(None))  # type: ignore[operator]
    assert caption.startswith("Mermaid diagram, shown as text") and (drawn, nodes) == ("", 0)


@needs_chromium
@pytest.mark.skipif(
    MERMAID_JS is None, reason="no mermaid.min.js: editors/vscode/build.sh fetches it"
)
def test_the_local_mermaid_js_draws_the_diagram(
    web_with: object, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text=ANSWER))
    caption, drawn, nodes = ask_in_browser(web_with(MERMAID_JS))  # type: ignore[operator]
    assert (caption, drawn) == ("Mermaid diagram (source below)", "1")
    assert nodes == 3  # main, report, describe
