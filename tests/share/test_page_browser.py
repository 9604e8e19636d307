"""The shared page in headless Chromium (Debian's, driven by Playwright): nothing secret or
machine-specific in it, code highlighted, tool calls folded, nothing fetched from outside."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.share.conftest import FAKE_KEY, Shared, secrets_in

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium")


@pytest.fixture
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        yield browser
        browser.close()


def test_shared_page_is_redacted_highlighted_and_folded(
    shared: Shared, browser: Any, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    page_file = tmp_path / "shared.html"
    result = CliRunner().invoke(
        cli, ["sessions", "share", shared.session_id[:8], "--out", str(page_file), "--no-link"]
    )
    assert result.exit_code == 0, result.output
    html = page_file.read_text()
    base = tmp_path_factory.getbasetemp()  # holds the project root and the home dir
    assert secrets_in(html, base) == []

    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    assert requests == [page_file.as_uri()], "self-contained: nothing else is fetched"
    text = page.inner_text("body")
    assert secrets_in(text + page.content(), base) == []
    assert FAKE_KEY[:12] not in text
    assert "OPENAI_API_KEY=********" in text
    assert "[redacted GitHub token]" in text
    assert "Why does geometry.py fail?" in text, "the project root became relative"
    assert "~/notes.txt" in text, "the home directory became ~"

    # Code is highlighted: Pygments' spans, coloured by the inline stylesheet.
    keyword = page.locator(".msg.assistant .md pre code span.k").first
    assert keyword.inner_text() == "def"
    assert keyword.evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"

    # The tool call is folded: its result shows only once opened.
    tool = page.locator("details.tool[data-tool='read_file']")
    assert tool.count() == 1 and tool.get_attribute("open") is None
    summary = tool.locator("summary")
    assert "read_file" in summary.inner_text() and '"path": "geometry.py"' in summary.inner_text()
    result_block = tool.locator("pre.tool").last
    assert not result_block.is_visible()
    summary.click()
    assert result_block.is_visible()
    assert "db password: ********" in result_block.inner_text()
    assert page.locator("details.tool span.nt").first.inner_text() == '"path"'  # JSON coloured
    assert page.locator("script:not([type='application/json'])").count() == 0


def test_share_from_the_web_ui_and_open_the_link_without_login(
    shared: Shared, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.web.conftest import start_web, stop_web

    server = start_web(shared.root)
    try:
        owner = browser.new_page()
        owner.set_default_timeout(20_000)
        owner.goto(server.url)  # the owner's access token (sets the cookie)
        owner.goto(f"{server.base}/sessions/{shared.session_id}")
        owner.click("#share-button")
        link = owner.locator("#share-link").get_attribute("href")
        assert link is not None and link.startswith(f"{server.base}/share/")
        assert server.token not in link

        # Someone else: a fresh browser context, no cookie, only the link.
        guest = browser.new_context().new_page()
        response = guest.goto(link)
        assert response is not None and response.status == 200
        assert "It works; here it is typed" in guest.inner_text("main")
        assert secrets_in(guest.content(), tmp_path_factory.getbasetemp()) == []
        assert guest.locator("details.tool").count() == 1
        refused = guest.goto(f"{server.base}/sessions")
        assert refused is not None and refused.status == 401, "the link opens nothing else"

        owner.goto(f"{server.base}/sessions/{shared.session_id}")
        assert "1 live link(s)" in owner.inner_text("#share")
        owner.click("#unshare-button")
        gone = guest.goto(link)
        assert gone is not None and gone.status == 404
    finally:
        stop_web(server)
