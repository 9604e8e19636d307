"""Images on the wire: OpenAI-style content parts (Ollama's `images` is exercised end to end
in test_http.py through the real provider and the scripted server)."""

from __future__ import annotations

from coda_ls.providers.openai_wire import to_openai_message
from coda_ls.wire import Message


def test_openai_message_with_an_image_has_content_parts() -> None:
    url = "data:image/png;base64,AAAA"
    out = to_openai_message(Message(role="user", content="look", images=[url]))
    assert out["content"] == [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": url}},
    ]


def test_a_message_without_images_keeps_plain_content() -> None:
    assert to_openai_message(Message(role="user", content="hi"))["content"] == "hi"
