"""Session actions and the comparison's input checks over plain HTTP (with the token)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from coda_ls.sessions import SessionStore
from tests.support.files import png_bytes
from tests.support.model_server import ScriptedModel, ScriptedModelServer
from tests.web.conftest import WebServer


@pytest.fixture
def client(web: WebServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.base, timeout=30) as client:
        client.get(web.url).raise_for_status()  # takes the cookie
        yield client


def _first_session() -> str:
    with SessionStore() as store:
        return store.list_sessions()[-1].id  # the oldest seeded one


def test_export_markdown_and_json(client: httpx.Client) -> None:
    sid = _first_session()
    markdown = client.get(f"/sessions/{sid}/export.md")
    assert markdown.status_code == 200
    assert (
        "flux capacitor" in markdown.text
        and "attachment" in markdown.headers["content-disposition"]
    )
    data = client.get(f"/sessions/{sid[:8]}/export.json").json()
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]


def test_delete_removes_the_session(client: httpx.Client) -> None:
    sid = _first_session()
    assert client.post(f"/sessions/{sid}/delete").status_code == 303
    with SessionStore() as store:
        assert sid not in {s.id for s in store.list_sessions()}
    missing = client.get(f"/sessions/{sid}")
    assert missing.status_code == 404 and "no session" in missing.text


def test_comparison_needs_two_models(client: httpx.Client) -> None:
    one = client.post(
        "/api/compare", data={"question": "hi", "models": ["ollama::llama3.2:latest"]}
    )
    assert one.status_code == 400 and "two or more" in one.text


def test_file_completion_lists_tracked_files(client: httpx.Client) -> None:
    assert client.get("/api/files", params={"prefix": "geo"}).json() == ["geometry.py"]


def test_an_unknown_permission_answer_is_refused(client: httpx.Client) -> None:
    assert client.post("/api/permission", data={"id": "nope", "decision": "yes"}).status_code == 404


def test_an_image_goes_to_a_vision_model(
    client: httpx.Client, model_server: ScriptedModelServer
) -> None:
    model_server.models.append(ScriptedModel("llava:7b", vision=True))
    events = client.post(
        "/api/chat",
        data={"question": "what is this?", "model": "ollama::llava:7b"},
        files={"uploads": ("photo.png", png_bytes(), "image/png")},
    ).text
    assert "event: done" in events
    sent = model_server.chat_requests()[-1].body
    assert sent["model"] == "llava:7b"
    question = sent["messages"][-1]
    assert "what is this?" in question["content"]
    assert [base64.b64decode(image) for image in question["images"]] == [png_bytes()]
