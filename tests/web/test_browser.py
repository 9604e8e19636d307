"""The pages in a real browser: Debian's chromium driven by Playwright, against `coda web`
and the scripted model server. Assertions are on the DOM."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.files import pdf_bytes, png_bytes
from tests.support.model_server import Reply, ScriptedModelServer
from tests.web.conftest import WebServer

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian's chromium")
# Screenshots for the test author to look at (CI keeps them with its artifacts).
SHOTS = (
    Path(os.environ["CODA_TEST_ARTIFACTS"]) / "web"
    if os.environ.get("CODA_TEST_ARTIFACTS")
    else Path(__file__).resolve().parents[2] / ".pytest_cache" / "web-shots"
)


@pytest.fixture
def page(web: WebServer) -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(web.url)  # sets the cookie; later navigation needs no token
        yield page
        browser.close()


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_dashboard_shows_provider_status_and_usage_chart(page: object, web: WebServer) -> None:
    p = page
    ollama = p.locator("tr.check[data-area='provider']", has_text="ollama")  # type: ignore[attr-defined]
    assert "ok" in ollama.first.get_attribute("class")
    assert "0.9.9-scripted" in ollama.first.inner_text()
    assert re.fullmatch(r"\d+ ms", ollama.first.locator("td.latency").inner_text())
    bars = p.locator("#usage-charts svg rect.bar")  # type: ignore[attr-defined]
    assert bars.count() == 3 * 3 + 3  # three days x (in, out, cached) and three cost bars
    models = p.locator("#per-model").inner_text()  # type: ignore[attr-defined]
    assert "llama3.2:latest" in models and "50.0%" in models  # qwen: one error in two
    shot(p, "dashboard")


def test_chat_streams_an_answer_with_highlighted_code(
    page: object, model_server: ScriptedModelServer
) -> None:
    text = "Here is the area:\n\n```python\ndef area(w, h):\n    return w * h\n```\n"
    pieces = [
        "Here is ",
        "the area:\n\n",
        "```python\n",
        "def area(w, h):\n",
        "    return w * h\n```\n",
    ]
    model_server.script(Reply(text=text, chunks=pieces, chunk_delay=0.4))
    p = page
    p.goto(p.url.split("?")[0].rstrip("/") + "/chat")  # type: ignore[attr-defined]
    p.fill("textarea[name=question]", "what does @geometry.py do?")  # type: ignore[attr-defined]
    p.click("#chat-form button[type=submit]")  # type: ignore[attr-defined]
    # Part of the answer is on the page before the reply is finished: it streams.
    p.wait_for_function(  # type: ignore[attr-defined]
        "() => { const a = document.querySelector('.msg.assistant');"
        " return a && a.innerText.includes('Here is') && !a.dataset.done; }"
    )
    p.wait_for_selector(".msg.assistant[data-done='1']")  # type: ignore[attr-defined]
    code = p.locator(".msg.assistant pre code.language-python")  # type: ignore[attr-defined]
    assert code.locator("span.k", has_text="def").count() == 1
    download = p.locator(".msg.assistant a.download")  # type: ignore[attr-defined]
    assert download.get_attribute("download") == "snippet-1.py"
    assert "ttft" in p.locator(".msg.assistant .meta").last.inner_text()  # type: ignore[attr-defined]
    # The @mention put the file into the prompt the model received.
    sent = str(model_server.chat_requests()[-1].body)
    assert "return w * h" in sent
    shot(p, "chat")


def test_pdf_and_image_uploads(
    page: object, model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_bytes("Quarterly flux report"))
    png = tmp_path / "photo.png"
    png.write_bytes(png_bytes())
    p = page
    p.goto(p.url.split("?")[0].rstrip("/") + "/chat")  # type: ignore[attr-defined]
    p.fill("textarea[name=question]", "summarize the report")  # type: ignore[attr-defined]
    p.set_input_files("input[name=uploads]", str(pdf))  # type: ignore[attr-defined]
    p.click("#chat-form button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_selector(".msg.assistant[data-done='1']")  # type: ignore[attr-defined]
    assert "Quarterly flux report" in str(model_server.chat_requests()[-1].body)
    asked = len(model_server.chat_requests())

    p.fill("textarea[name=question]", "what is in the picture?")  # type: ignore[attr-defined]
    p.set_input_files("input[name=uploads]", str(png))  # type: ignore[attr-defined]
    p.click("#chat-form button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_selector(".msg.assistant:nth-of-type(4)[data-done='1']")  # type: ignore[attr-defined]
    error = p.locator(".msg.assistant .error").last.inner_text()  # type: ignore[attr-defined]
    assert "does not accept images" in error and "photo.png" in error
    assert len(model_server.chat_requests()) == asked  # nothing was sent
    shot(p, "uploads")


def test_comparison_of_two_models(page: object, model_server: ScriptedModelServer) -> None:
    model_server.default_reply = Reply(text="same answer from both", chunk_delay=0.05)
    p = page
    p.goto(p.url.split("?")[0].rstrip("/") + "/compare")  # type: ignore[attr-defined]
    p.check("input[value='ollama::llama3.2:latest']")  # type: ignore[attr-defined]
    p.check("input[value='ollama::qwen2.5-coder:7b']")  # type: ignore[attr-defined]
    p.fill("textarea[name=question]", "say something")  # type: ignore[attr-defined]
    p.click("#compare-form button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelectorAll('.column[data-done=\"1\"]').length === 2"
    )
    columns = p.locator(".column")  # type: ignore[attr-defined]
    for i, name in enumerate(["llama3.2:latest", "qwen2.5-coder:7b"]):
        box = columns.nth(i)
        assert name in box.locator("h3").inner_text()
        assert "same answer from both" in box.locator(".answer").inner_text()
        meta = box.locator(".meta").inner_text()
        assert name in meta and "ttft" in meta and "11 in / 7 out" in meta
    models = {r.body["model"] for r in model_server.chat_requests()}
    assert {"llama3.2:latest", "qwen2.5-coder:7b"} <= models
    shot(p, "compare")


def test_session_search_and_branch(page: object) -> None:
    p = page
    base = p.url.split("?")[0].rstrip("/")  # type: ignore[attr-defined]
    p.goto(base + "/sessions")  # type: ignore[attr-defined]
    assert p.locator("tr.session").count() == 4  # type: ignore[attr-defined]
    p.fill("#search", "capacitor")  # type: ignore[attr-defined]
    p.press("#search", "Enter")  # type: ignore[attr-defined]
    p.wait_for_selector("#hits")  # type: ignore[attr-defined]
    hits = p.locator("li.hit")  # type: ignore[attr-defined]
    assert hits.count() == 3
    assert hits.first.locator("mark").inner_text().lower() == "capacitor"
    shot(p, "search")
    hits.first.locator("a").click()
    p.wait_for_selector(".msg.assistant")  # type: ignore[attr-defined]
    p.locator(".msg.user button.branch").first.click()  # type: ignore[attr-defined]
    p.wait_for_selector("h1:has-text('(branch)')")  # type: ignore[attr-defined]
    # The branch holds the history up to the chosen message: the question, not the answer.
    assert p.locator(".msg.user").count() == 1  # type: ignore[attr-defined]
    assert p.locator(".msg.assistant").count() == 0  # type: ignore[attr-defined]
    p.fill("#title", "my branch")  # type: ignore[attr-defined]
    p.click("form[action$='/rename'] button")  # type: ignore[attr-defined]
    p.wait_for_selector("h1:has-text('my branch')")  # type: ignore[attr-defined]
    # Continue the branch in the chat: its history is shown and the next answer joins it.
    p.click("text=Continue in chat")  # type: ignore[attr-defined]
    assert "flux capacitor" in p.locator("#log").inner_text()  # type: ignore[attr-defined]
    p.fill("textarea[name=question]", "and then?")  # type: ignore[attr-defined]
    p.click("#chat-form button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_selector(".msg.assistant[data-done='1']")  # type: ignore[attr-defined]
    p.goto(base + "/sessions")  # type: ignore[attr-defined]
    branch = p.locator("tr.session", has_text="my branch")  # type: ignore[attr-defined]
    assert branch.count() == 1
    assert branch.locator("td").nth(2).inner_text() == "2"  # its own: question and answer
    shot(p, "branch")


def test_tool_permission_is_asked_in_the_page(
    page: object, model_server: ScriptedModelServer, web: WebServer
) -> None:
    write = {"name": "write_file", "arguments": {"path": "notes.txt", "content": "hi\n"}}
    shell = {"name": "shell", "arguments": {"command": "touch denied.txt"}}
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[write]),
        Reply(text="", chunks=[], tool_calls=[shell]),
        Reply(text="Wrote notes.txt; the shell was refused."),
    )
    p = page
    p.goto(p.url.split("?")[0].rstrip("/") + "/chat")  # type: ignore[attr-defined]
    p.fill("textarea[name=question]", "write a note")  # type: ignore[attr-defined]
    p.click("#chat-form button[type=submit]")  # type: ignore[attr-defined]
    first = p.locator(".permission").nth(0)  # type: ignore[attr-defined]
    assert "notes.txt" in first.inner_text() and "+hi" in first.locator("pre").inner_text()
    assert not (web.root / "notes.txt").exists()  # nothing runs before the answer
    first.locator("button[data-decision='yes']").click()
    second = p.locator(".permission").nth(1)  # type: ignore[attr-defined]
    assert "touch denied.txt" in second.inner_text()
    second.locator("button[data-decision='no']").click()
    p.wait_for_selector(".msg.assistant[data-done='1']")  # type: ignore[attr-defined]
    assert (web.root / "notes.txt").read_text() == "hi\n"
    assert not (web.root / "denied.txt").exists()
    assert "the shell was refused" in p.locator(".msg.assistant .answer").inner_text()  # type: ignore[attr-defined]
    shot(p, "permission")
