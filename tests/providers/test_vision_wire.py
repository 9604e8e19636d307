"""An image and a PDF reaching the model server in each provider's wire format, through
the real engine and the real provider clients, and the refusal (nothing sent) for a model
that does not read images."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from coda_ls import attachments
from coda_ls.config import Settings
from coda_ls.engine import AskRequest, Engine
from coda_ls.errors import ImagesNotSupported
from tests.providers.oci_stub import OCIStub, StubReply
from tests.providers.test_oci import COMPARTMENT, keys, write_config  # noqa: F401 (fixture)
from tests.support.files import pdf_bytes, png_bytes
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

PNG = png_bytes()
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


def request(workspace: Path, **extra: Any) -> AskRequest:
    """A debug question with a screenshot and a two-page PDF attached, as any front makes."""
    return AskRequest(
        question="Why does this fail?",
        mode="debug",
        attached=[
            attachments.from_bytes("trace.png", PNG, expect="image"),
            attachments.from_bytes("spec.pdf", pdf_bytes("Spec intro", "Limits are 42")),
        ],
        use_tools=False,
        **extra,
    )


def assert_pdf_and_prompt(system: str, question: str) -> None:
    assert "--- page 1 ---" in question and "Spec intro" in question
    assert "--- page 2 ---" in question and "Limits are 42" in question
    assert question.rstrip().endswith("Why does this fail?")
    assert "screenshot of an error" in system  # the debug mode's screenshot instructions


@pytest.fixture
def server() -> Iterator[ScriptedModelServer]:
    models = [
        # Not in Coda's table of vision models: only the server's metadata says it reads images.
        ScriptedModel("acme-eyes:1", vision=True),
        ScriptedModel("qwen2.5-coder:7b"),
        ScriptedModel("gpt-4o-mini"),
        ScriptedModel("llama3.2:latest"),
    ]
    with ScriptedModelServer(models=models, default_reply=Reply(text="A null pointer.")) as s:
        yield s


@pytest.fixture
async def make_engine(tmp_path: Path) -> AsyncIterator[Any]:
    engines: list[Engine] = []

    def make(settings: dict[str, Any]) -> Engine:
        engine = Engine(Settings.model_validate(settings), tmp_path)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.aclose()


async def test_ollama_native_images_field(
    server: ScriptedModelServer, make_engine: Any, tmp_path: Path
) -> None:
    engine = make_engine({"provider": "ollama", "providers": {"ollama": {"host": server.url}}})
    answer = await engine.ask(request(tmp_path, model="acme-eyes:1"))
    assert answer.text == "A null pointer."
    body = server.chat_requests()[-1].body
    system, question = body["messages"][0], body["messages"][-1]
    assert question["images"] == [base64.b64encode(PNG).decode()]  # bare base64
    assert_pdf_and_prompt(system["content"], question["content"])

    before = len(server.chat_requests())
    with pytest.raises(ImagesNotSupported, match=r"ollama/qwen2.5-coder:7b does not accept"):
        await engine.ask(request(tmp_path, model="qwen2.5-coder:7b"))
    assert len(server.chat_requests()) == before  # refused before sending

    # A PDF alone goes to any model.
    pdf_only = AskRequest(
        question="Summarize.",
        model="qwen2.5-coder:7b",
        attached=[attachments.from_bytes("spec.pdf", pdf_bytes("Only text"))],
        use_tools=False,
    )
    await engine.ask(pdf_only)
    sent = server.chat_requests()[-1].body["messages"][-1]
    assert "Only text" in sent["content"] and "images" not in sent


async def test_openai_compatible_image_url_parts(
    server: ScriptedModelServer, make_engine: Any, tmp_path: Path
) -> None:
    base = {"base_url": f"{server.url}/v1", "api_key": "sk-local"}
    engine = make_engine({"provider": "vllm", "providers": {"vllm": base}})
    await engine.ask(request(tmp_path, model="acme-eyes:1"))  # vision from /v1/models metadata
    body = server.chat_requests()[-1].body
    assert server.chat_requests()[-1].path == "/v1/chat/completions"
    parts = body["messages"][-1]["content"]
    assert parts[0]["type"] == "text"
    assert parts[1] == {"type": "image_url", "image_url": {"url": DATA_URL}}
    assert_pdf_and_prompt(body["messages"][0]["content"], parts[0]["text"])

    before = len(server.chat_requests())
    with pytest.raises(ImagesNotSupported) as caught:
        await engine.ask(request(tmp_path, model="qwen2.5-coder:7b"))
    assert "vllm/qwen2.5-coder:7b" in caught.value.message
    assert len(server.chat_requests()) == before

    # The user's [vision] setting vouches for a model the server says nothing about.
    vouched = make_engine(
        {"provider": "vllm", "providers": {"vllm": base}, "vision": {"qwen2.5-coder*": True}}
    )
    await vouched.ask(request(tmp_path, model="qwen2.5-coder:7b"))
    assert server.chat_requests()[-1].body["messages"][-1]["content"][1]["type"] == "image_url"


async def test_litellm_against_the_openai_compatible_server(
    server: ScriptedModelServer, make_engine: Any, tmp_path: Path
) -> None:
    engine = make_engine(
        {"provider": "litellm", "providers": {"litellm": {"api_base": f"{server.url}/v1"}}}
    )
    # gpt-4o-mini: LiteLLM's model map says supports_vision.
    await engine.ask(request(tmp_path, model="gpt-4o-mini"))
    body = server.chat_requests()[-1].body
    assert body["model"] == "gpt-4o-mini"
    parts = body["messages"][-1]["content"]
    assert {"type": "image_url", "image_url": {"url": DATA_URL}} in parts
    text = next(p["text"] for p in parts if p["type"] == "text")
    assert_pdf_and_prompt(body["messages"][0]["content"], text)

    before = len(server.chat_requests())
    with pytest.raises(ImagesNotSupported, match=r"litellm/llama3\.2:latest"):
        await engine.ask(request(tmp_path, model="llama3.2:latest"))
    assert len(server.chat_requests()) == before


OCI_MODELS = [
    {
        "displayName": "meta.llama-3.2-90b-vision-instruct",
        "vendor": "meta",
        "version": "1.0.0",
        "capabilities": ["CHAT", "IMAGE_TEXT_TO_TEXT"],
    },
    {"displayName": "meta.llama-3.3-70b-instruct", "vendor": "meta", "version": "1.0.0"},
    {"displayName": "cohere.command-a-03-2025", "vendor": "cohere", "version": "1.0"},
]


@pytest.fixture
def oci_stub(keys: tuple[rsa.RSAPrivateKey, Path]) -> Iterator[OCIStub]:  # noqa: F811
    with OCIStub(keys[0].public_key(), models=OCI_MODELS) as stub:
        yield stub


async def test_oci_generic_image_content(
    oci_stub: OCIStub,
    keys: tuple[rsa.RSAPrivateKey, Path],  # noqa: F811
    make_engine: Any,
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, keys[1])
    oci = {"config_file": str(config), "compartment_id": COMPARTMENT, "endpoint": oci_stub.url}
    engine = make_engine({"provider": "oci", "providers": {"oci": oci}})
    oci_stub.script(StubReply(chunks=["Null", " pointer."]))
    answer = await engine.ask(request(tmp_path, model="meta.llama-3.2-90b-vision-instruct"))
    assert answer.text == "Null pointer."
    assert oci_stub.problems == []  # the stub checked the body's shape, images included
    chat = oci_stub.chats()[-1]
    assert chat.signed
    messages = chat.body["chatRequest"]["messages"]
    question = messages[-1]
    assert question["role"] == "USER"
    text, image = question["content"]
    assert image == {"type": "IMAGE", "imageUrl": {"url": DATA_URL}}
    assert_pdf_and_prompt(messages[0]["content"][0]["text"], text["text"])

    before = len(oci_stub.chats())
    for model in ("meta.llama-3.3-70b-instruct", "cohere.command-a-03-2025"):
        with pytest.raises(ImagesNotSupported, match=f"oci/{model} does not accept"):
            await engine.ask(request(tmp_path, model=model))
    assert len(oci_stub.chats()) == before


def test_oci_cohere_format_never_drops_images_silently() -> None:
    from coda_ls.errors import ProviderError
    from coda_ls.providers.base import ChatRequest, Message
    from coda_ls.providers.oci.formats import build_chat_details

    chat = ChatRequest(
        model="cohere.command-a-03-2025",
        messages=[Message(role="user", content="look", images=[DATA_URL])],
    )
    with pytest.raises(ProviderError, match="take no images"):
        build_chat_details(chat, "cohere.command-a-03-2025", COMPARTMENT, stream=False)


async def test_a_fallback_model_that_reads_no_images_is_refused_too(
    server: ScriptedModelServer, make_engine: Any, tmp_path: Path
) -> None:
    with ScriptedModelServer(models=[ScriptedModel("acme-eyes:1", vision=True)]) as limited:
        limited.script(Reply(status=429, error="quota exceeded", retry_after=0))
        engine = make_engine(
            {
                "provider": "ollama",
                "model": "acme-eyes:1",
                "fallback": ["vllm/qwen2.5-coder:7b"],
                "providers": {
                    "ollama": {"host": limited.url, "max_retries": 0},
                    "vllm": {"base_url": f"{server.url}/v1"},
                },
            }
        )
        with pytest.raises(ImagesNotSupported, match=r"vllm/qwen2\.5-coder:7b"):
            await engine.ask(request(tmp_path))
        assert len(limited.chat_requests()) == 1  # the vision model was asked (429)
    assert server.chat_requests() == []  # the text-only fallback never got the images


async def test_the_preview_counts_images_and_pdf_text(
    server: ScriptedModelServer, make_engine: Any, tmp_path: Path
) -> None:
    from coda_ls.context import IMAGE_TOKENS

    engine = make_engine({"provider": "ollama", "providers": {"ollama": {"host": server.url}}})
    plain = await engine.preview(AskRequest(question="Why?", model="acme-eyes:1"))
    image = attachments.from_bytes("trace.png", PNG)
    with_image = await engine.preview(
        AskRequest(question="Why?", model="acme-eyes:1", attached=[image, image])
    )
    assert with_image.context_tokens - plain.context_tokens == 2 * IMAGE_TOKENS
    pdf = attachments.from_bytes("spec.pdf", pdf_bytes("word " * 200))
    with_pdf = await engine.preview(
        AskRequest(question="Why?", model="acme-eyes:1", attached=[pdf])
    )
    assert with_pdf.context_tokens - plain.context_tokens > 150
    assert server.chat_requests() == []  # a preview sends nothing
