"""The OCI provider driving the real `oci` SDK, which signs every request with a throwaway
RSA key, against a local OCI stub that verifies the signature and replays OCI replies."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from coda_ls.config import ModelPrice, OCISettings, Settings
from coda_ls.errors import (
    AuthError,
    ModelNotFoundError,
    ProviderError,
    ProviderUnavailableError,
    StreamInterrupted,
)
from coda_ls.providers.base import ChatRequest, Message, ToolCall, ToolSpec
from coda_ls.providers.oci.models import friendly_name, resolve
from coda_ls.providers.oci.provider import OCIProvider
from coda_ls.providers.registry import create_provider
from coda_ls.providers.retry import RetryPolicy
from tests.providers.oci_stub import OCIStub, StubReply

COMPARTMENT = "ocid1.compartment.oc1..testcompartment"
FINGERPRINT = ":".join(["ab"] * 16)
FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[rsa.RSAPrivateKey, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("oci") / "key.pem"
    path.write_bytes(_key_pem(key))
    return key, path


def write_config(
    directory: Path, key_file: Path, extra: str = "", profile: str = "DEFAULT"
) -> Path:
    config = directory / "oci_config"
    config.write_text(
        f"[{profile}]\n"
        "user=ocid1.user.oc1..testuser\n"
        f"fingerprint={FINGERPRINT}\n"
        "tenancy=ocid1.tenancy.oc1..testtenancy\n"
        "region=us-chicago-1\n"
        f"key_file={key_file}\n{extra}"
    )
    return config


@pytest.fixture
def stub(keys: tuple[rsa.RSAPrivateKey, Path]) -> Iterator[OCIStub]:
    with OCIStub(keys[0].public_key()) as server:
        yield server


def make_settings(stub: OCIStub, config: Path, **extra: object) -> OCISettings:
    return OCISettings(
        config_file=str(config),
        compartment_id=COMPARTMENT,
        endpoint=stub.url,
        **extra,
    )


@pytest.fixture
async def provider(
    stub: OCIStub, keys: tuple[rsa.RSAPrivateKey, Path], tmp_path: Path
) -> AsyncIterator[OCIProvider]:
    settings = make_settings(
        stub,
        write_config(tmp_path, keys[1]),
        prices={"llama-3.3-70b": ModelPrice(input=2.0, output=10.0, cached_input=0.5)},
    )
    instance = OCIProvider(settings, retry_policy=FAST)
    yield instance
    await instance.aclose()


def ask(model: str, *messages: Message, **extra: object) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=list(messages) or [Message(role="user", content="hi")],
        **extra,
    )


async def test_generic_stream_signed_with_usage_cost_and_free_loop(
    provider: OCIProvider, stub: OCIStub
) -> None:
    stub.script(StubReply(chunks=["Hel", "lo", " world"], usage=(1000, 200, 400), chunk_delay=0.05))
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    request = ask(
        "llama-3.3-70b",
        Message(role="system", content="be brief"),
        Message(role="user", content="hello"),
        temperature=0.3,
        max_tokens=64,
        top_k=40,
        stop=["END"],
    )
    chunks = [chunk async for chunk in provider.stream(request)]
    task.cancel()
    assert [c.delta for c in chunks[:-1]] == ["Hel", "lo", " world"]
    final = chunks[-1]
    assert final.finish_reason == "stop"
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens) == (1000, 200)
    assert final.usage.cached_tokens == 400
    assert final.usage.cost == pytest.approx((600 * 2.0 + 400 * 0.5 + 200 * 10.0) / 1e6)
    # The SDK blocked in a thread: the loop kept ticking while chunks took 50 ms each.
    # Had the loop been blocked, every gap would be >= 50 ms; a one-off stall (the first
    # `import oci` holding the GIL, a busy CI core) is not what this checks.
    gaps = sorted(b - a for a, b in itertools.pairwise(ticks))
    assert len(gaps) >= 15
    assert gaps[int(len(gaps) * 0.8)] < 0.03
    sent = stub.chats()[-1]
    assert sent.signed and sent.headers["authorization"].startswith("Signature ")
    body = sent.body
    assert body["servingMode"] == {
        "servingType": "ON_DEMAND",
        "modelId": "meta.llama-3.3-70b-instruct",
    }
    chat = body["chatRequest"]
    assert chat["apiFormat"] == "GENERIC" and chat["isStream"] is True
    assert chat["streamOptions"] == {"isIncludeUsage": True}
    assert (chat["temperature"], chat["maxTokens"], chat["topK"], chat["stop"]) == (
        0.3,
        64,
        40,
        ["END"],
    )
    assert chat["messages"] == [
        {"role": "SYSTEM", "content": [{"type": "TEXT", "text": "be brief"}]},
        {"role": "USER", "content": [{"type": "TEXT", "text": "hello"}]},
    ]
    assert stub.problems == []


async def test_cohere_stream_history_and_preamble(provider: OCIProvider, stub: OCIStub) -> None:
    stub.script(StubReply(chunks=["Sure", ", done."], usage=(30, 4, 0)))
    request = ask(
        "command-r-plus",
        Message(role="system", content="You are Coda."),
        Message(role="user", content="first"),
        Message(role="assistant", content="answer one"),
        Message(role="user", content="second"),
        top_p=0.5,
    )
    chunks = [chunk async for chunk in provider.stream(request)]
    # The last Cohere event repeats the whole text; it must not be emitted twice.
    assert "".join(c.delta for c in chunks) == "Sure, done."
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.cost is None  # not priced
    chat = stub.chats()[-1].body["chatRequest"]
    assert stub.chats()[-1].body["servingMode"]["modelId"] == "cohere.command-r-plus"
    assert chat["apiFormat"] == "COHERE"
    assert chat["message"] == "second"
    assert chat["preambleOverride"] == "You are Coda."
    assert chat["chatHistory"] == [
        {"role": "USER", "message": "first"},
        {"role": "CHATBOT", "message": "answer one"},
    ]
    assert chat["topP"] == 0.5


@pytest.mark.parametrize("model", ["cohere.command-a-03-2025", "meta.llama-3.3-70b-instruct"])
async def test_chat_without_streaming(provider: OCIProvider, stub: OCIStub, model: str) -> None:
    stub.script(StubReply(chunks=["Whole ", "answer."], usage=(9, 2, 0)))
    reply = await provider.chat(ask(model))
    assert reply.message.content == "Whole answer."
    assert reply.finish_reason == "stop"
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (9, 2)
    assert stub.chats()[-1].body["chatRequest"]["isStream"] is False


async def test_generic_tools_both_ways(provider: OCIProvider, stub: OCIStub) -> None:
    stub.script(
        StubReply(chunks=[], tool_calls=[{"name": "read_file", "arguments": {"path": "a.py"}}])
    )
    tool = ToolSpec(
        name="read_file",
        description="Read a file",
        parameters={
            "type": "object",
            "properties": {"path": {"type": "string"}},
            "required": ["path"],
        },
    )
    history = [
        Message(role="user", content="look"),
        Message(
            role="assistant", tool_calls=[ToolCall(id="c1", name="ls", arguments={"dir": "."})]
        ),
        Message(role="tool", content="a.py", tool_call_id="c1", name="ls"),
    ]
    chunks = [c async for c in provider.stream(ask("xai.grok-3", *history, tools=[tool]))]
    calls = [call for c in chunks for call in c.tool_calls]
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("call_0", "read_file", {"path": "a.py"})
    ]
    assert chunks[-1].finish_reason == "tool_calls"
    chat = stub.chats()[-1].body["chatRequest"]
    assert chat["tools"] == [
        {
            "type": "FUNCTION",
            "name": "read_file",
            "description": "Read a file",
            "parameters": tool.parameters,
        }
    ]
    assert chat["messages"][1] == {
        "role": "ASSISTANT",
        "toolCalls": [{"type": "FUNCTION", "id": "c1", "name": "ls", "arguments": '{"dir": "."}'}],
    }
    assert chat["messages"][2] == {
        "role": "TOOL",
        "toolCallId": "c1",
        "content": [{"type": "TEXT", "text": "a.py"}],
    }


async def test_cohere_tools_both_ways(provider: OCIProvider, stub: OCIStub) -> None:
    stub.script(StubReply(chunks=["ok"], tool_calls=[{"name": "grep", "arguments": {"q": "x"}}]))
    tool = ToolSpec(
        name="grep",
        description="Search",
        parameters={
            "type": "object",
            "properties": {
                "q": {"type": "string", "description": "pattern"},
                "n": {"type": "integer"},
            },
            "required": ["q"],
        },
    )
    history = [
        Message(role="user", content="find x"),
        Message(
            role="assistant", tool_calls=[ToolCall(id="c9", name="grep", arguments={"q": "y"})]
        ),
        Message(role="tool", content='{"hits": 2}', tool_call_id="c9"),
    ]
    reply = await provider.chat(ask("command-r-plus", *history, tools=[tool]))
    assert [(c.name, c.arguments) for c in reply.message.tool_calls] == [("grep", {"q": "x"})]
    assert reply.finish_reason == "tool_calls"
    chat = stub.chats()[-1].body["chatRequest"]
    assert chat["tools"] == [
        {
            "name": "grep",
            "description": "Search",
            "parameterDefinitions": {
                "q": {"type": "str", "description": "pattern", "isRequired": True},
                "n": {"type": "int", "description": "", "isRequired": False},
            },
        }
    ]
    assert chat["message"] == ""
    assert chat["toolResults"] == [
        {"call": {"name": "grep", "parameters": {"q": "y"}}, "outputs": [{"hits": 2}]}
    ]


async def test_models_filtered_friendly_and_cached_on_disk(
    provider: OCIProvider, stub: OCIStub, tmp_path: Path, keys: tuple[rsa.RSAPrivateKey, Path]
) -> None:
    models = await provider.list_models()
    names = [m.name for m in models]
    assert names == [
        "cohere.command-a-03-2025",
        "cohere.command-r-plus",
        "meta.llama-3.3-70b-instruct",
        "xai.grok-3",
        "xai.grok-4",
    ]
    plus = models[1]
    assert (plus.family, plus.details["version"], plus.details["friendly_name"]) == (
        "cohere",
        "1.5",
        "command-r-plus",
    )
    assert models[2].details["friendly_name"] == "llama-3.3-70b"
    # A new provider (a new process, say) reads the disk cache instead of the service.
    again = OCIProvider(provider.settings, retry_policy=FAST)
    assert [m.name for m in await again.list_models()] == names
    await again.aclose()
    assert len([r for r in stub.requests if r.method == "GET"]) == 1
    query = stub.requests[0]
    assert query.signed


def test_friendly_names() -> None:
    known = ["cohere.command-r-plus", "meta.llama-3.3-70b-instruct", "xai.grok-3"]
    assert friendly_name("meta.llama-3.3-70b-instruct") == "llama-3.3-70b"
    assert resolve("llama-3.3-70b", known) == "meta.llama-3.3-70b-instruct"
    assert resolve("command-r-plus", known) == "cohere.command-r-plus"
    assert resolve("meta.llama-3.3-70b", known) == "meta.llama-3.3-70b-instruct"
    assert resolve("ocid1.generativeaiendpoint.oc1..x", known).startswith("ocid1.")
    assert resolve("llama-3.3-70b", []) == "meta.llama-3.3-70b-instruct"  # no discovery


async def test_unknown_model_suggests_and_sends_nothing(
    provider: OCIProvider, stub: OCIStub
) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        await provider.chat(ask("command-r-plux"))
    assert "command-r-plus" in info.value.suggestions
    assert stub.chats() == []


async def test_parameter_a_family_rejects(provider: OCIProvider, stub: OCIStub) -> None:
    with pytest.raises(ProviderError, match="top_k is not accepted by xAI Grok") as info:
        await provider.chat(ask("grok-3", top_k=5))
    assert "temperature" in (info.value.hint or "")
    with pytest.raises(ProviderError, match="presence_penalty is not accepted"):
        await provider.chat(ask("grok-4", presence_penalty=0.5))
    with pytest.raises(ProviderError, match=r"temperature=1\.5 is out of range for Cohere"):
        await provider.chat(ask("command-r-plus", temperature=1.5))
    assert stub.chats() == []


async def test_wrong_key_is_auth_error(
    stub: OCIStub, tmp_path: Path, keys: tuple[rsa.RSAPrivateKey, Path]
) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)))
    instance = OCIProvider(make_settings(stub, write_config(tmp_path, other)), retry_policy=FAST)
    with pytest.raises(AuthError, match="refused the credentials") as info:
        await instance.chat(ask("llama-3.3-70b"))
    assert "fingerprint" in (info.value.hint or "")
    health = await instance.health()
    assert not health.ok and "refused" in health.detail
    await instance.aclose()


async def test_rate_limit_retried_honouring_retry_after(
    provider: OCIProvider, stub: OCIStub
) -> None:
    await provider.list_models()
    stub.script(
        StubReply(status=429, code="TooManyRequests", retry_after=0.3), StubReply(chunks=["ok"])
    )
    started = time.perf_counter()
    reply = await provider.chat(ask("llama-3.3-70b"))
    assert reply.message.content == "ok"
    assert time.perf_counter() - started >= 0.3  # waited as told, not the 10 ms backoff
    assert len(stub.chats()) == 2


async def test_server_errors_retried_then_reported(provider: OCIProvider, stub: OCIStub) -> None:
    stub.script(*[StubReply(status=500, message="boom")] * 3)
    with pytest.raises(ProviderUnavailableError, match="service error 500") as info:
        [c async for c in provider.stream(ask("llama-3.3-70b"))]
    assert "stub-request-1" in info.value.message
    assert len(stub.chats()) == 3  # first try + max_retries=2


async def test_dropped_stream_keeps_partial(provider: OCIProvider, stub: OCIStub) -> None:
    stub.script(StubReply(chunks=["one ", "two ", "three"], drop_after=2))
    received: list[str] = []
    with pytest.raises(StreamInterrupted) as info:
        async for chunk in provider.stream(ask("llama-3.3-70b")):
            received.append(chunk.delta)
    assert received == ["one ", "two "]
    assert info.value.partial == "one two "


async def test_session_token_auth_signs_with_the_token(
    keys: tuple[rsa.RSAPrivateKey, Path], tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text("session-token-abc\n")
    with OCIStub(keys[0].public_key(), expect_key_id="ST$session-token-abc") as server:
        config = write_config(tmp_path, keys[1], extra=f"security_token_file={token}\n")
        instance = OCIProvider(make_settings(server, config, auth="SECURITY_TOKEN"))
        reply = await instance.chat(ask("llama-3.3-70b"))
        await instance.aclose()
        assert reply.message.content == "Hello from OCI."
        assert all(r.signed for r in server.requests)


async def test_configuration_problems_are_explained(
    stub: OCIStub, tmp_path: Path, keys: tuple[rsa.RSAPrivateKey, Path]
) -> None:
    config = write_config(tmp_path, keys[1])
    missing = OCIProvider(OCISettings(config_file=str(config), endpoint=stub.url))
    with pytest.raises(ProviderUnavailableError, match="compartment") as info:
        await missing.chat(ask("llama-3.3-70b"))
    assert "CODA_OCI_COMPARTMENT_ID" in (info.value.hint or "")
    no_file = OCIProvider(make_settings(stub, tmp_path / "nope"))
    health = await no_file.health()
    assert not health.ok and "OCI config not found" in health.detail
    assert "oci setup config" in (health.hint or "")
    wrong_profile = OCIProvider(make_settings(stub, config, profile="WORK"))
    with pytest.raises(AuthError, match="profile 'WORK' not found"):
        await wrong_profile.list_models()
    good = OCIProvider(make_settings(stub, config))
    health = await good.health()
    assert health.ok and "us-chicago-1" in health.detail
    for instance in (missing, no_file, wrong_profile, good):
        await instance.aclose()


def test_registry_creates_it_from_env_without_importing_oci_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = (
        "import sys, coda_ls.providers.oci.provider as p; "
        "assert 'oci' not in sys.modules, 'oci imported at module import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    monkeypatch.setenv("OCI_COMPARTMENT_ID", "ocid1.compartment.oc1..fromenv")
    from coda_ls.config import load_settings

    settings: Settings = load_settings(read_files=False).settings
    instance = create_provider("oci", settings)
    assert isinstance(instance, OCIProvider)
    assert instance.compartment_id == "ocid1.compartment.oc1..fromenv"
