"""The native OpenAI-compatible provider through real httpx against the scripted server."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from coda_ls.config import ModelPrice, OpenAICompatSettings
from coda_ls.errors import (
    AuthError,
    ModelNotFoundError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailableError,
    RateLimitError,
    StreamInterrupted,
)
from coda_ls.providers.base import ChatRequest, Chunk, Message, ToolSpec
from coda_ls.providers.openai_compat import OpenAICompatProvider
from coda_ls.providers.retry import RetryPolicy
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02)
KEY = "sk-test-SECRET-0123456789abcdef"


def ask(model: str = "llama3.2:latest", **extra: object) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[Message(role="system", content="be brief"), Message(role="user", content="hi")],
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
async def provider(model_server: ScriptedModelServer) -> AsyncIterator[OpenAICompatProvider]:
    instance = make(model_server)
    yield instance
    await instance.aclose()


def make(
    server: ScriptedModelServer, name: str = "openai", **extra: object
) -> OpenAICompatProvider:
    settings = OpenAICompatSettings(base_url=server.url + "/v1", **extra)  # type: ignore[arg-type]
    return OpenAICompatProvider(name, settings, retry_policy=FAST)


async def drain(provider: OpenAICompatProvider, request: ChatRequest) -> list[Chunk]:
    return [chunk async for chunk in provider.stream(request)]


async def test_stream_text_usage_and_request_shape(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(
        Reply(
            chunks=["Hel", "lo ", "world"], prompt_tokens=40, completion_tokens=3, cached_tokens=32
        )
    )
    chunks = await drain(provider, ask(temperature=0.2, max_tokens=50, top_k=5))
    assert [c.delta for c in chunks[:3]] == ["Hel", "lo ", "world"]
    final = chunks[-1]
    assert final.finish_reason == "stop" and final.delta == ""
    assert final.usage is not None
    usage = final.usage
    assert (usage.input_tokens, usage.output_tokens, usage.cached_tokens) == (40, 3, 32)
    assert usage.cost == 0.0  # a server on this machine costs nothing
    sent = model_server.chat_requests()[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["stream"] is True
    assert sent.body["stream_options"] == {"include_usage": True}
    assert (sent.body["temperature"], sent.body["max_tokens"], sent.body["top_k"]) == (0.2, 50, 5)
    assert sent.body["messages"][0] == {"role": "system", "content": "be brief"}
    assert "authorization" not in {k.lower() for k in sent.headers}  # no key, none sent


async def test_streamed_tool_calls_are_assembled_and_sent_back(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    arguments = {"path": "src/app.py", "start": 1, "end": 40}
    model_server.script(
        Reply(
            text="",
            chunks=[],
            tool_calls=[
                {"id": "call_a", "name": "read_file", "arguments": arguments},
                {"id": "call_b", "name": "list_dir", "arguments": {"path": "."}},
            ],
        )
    )
    tool = ToolSpec(name="read_file", description="read", parameters={"type": "object"})
    chunks = await drain(provider, ask(tools=[tool]))
    final = chunks[-1]
    assert final.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in final.tool_calls] == [
        ("call_a", "read_file", arguments),
        ("call_b", "list_dir", {"path": "."}),
    ]
    assert model_server.chat_requests()[-1].body["tools"][0]["function"]["name"] == "read_file"
    # The calls and their results go back in the OpenAI format.
    history = [
        *ask().messages,
        Message(role="assistant", content="", tool_calls=final.tool_calls),
        Message(role="tool", content="text", tool_call_id="call_a", name="read_file"),
    ]
    model_server.script(Reply(text="done"))
    reply = await provider.chat(ChatRequest(model="llama3.2:latest", messages=history))
    assert reply.message.content == "done"
    sent = model_server.chat_requests()[-1].body["messages"]
    assert sent[2]["tool_calls"][0]["function"] == {
        "name": "read_file",
        "arguments": '{"path": "src/app.py", "start": 1, "end": 40}',
    }
    assert sent[3] == {
        "role": "tool",
        "content": "text",
        "tool_call_id": "call_a",
        "name": "read_file",
    }


async def test_reasoning_deltas_are_kept_apart_from_the_answer(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(reasoning=["Let me ", "think."], chunks=["42"]))
    chunks = await drain(provider, ask())
    assert "".join(c.reasoning for c in chunks) == "Let me think."
    assert "".join(c.delta for c in chunks) == "42"
    reply = await provider.chat(ask())
    assert reply.message.content == "Hello from the scripted model."


async def test_models_listing_default_and_health(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    names = [m.name for m in await provider.list_models()]
    assert names == ["llama3.2:latest", "qwen2.5-coder:7b"]
    assert (await provider.model_info("qwen2.5-coder:7b")).supports_tools
    health = await provider.health()
    assert health.ok and model_server.url in health.detail
    # A listing is reused for a minute: selection, the model check and model info ask once.
    before = len([r for r in model_server.requests if r.path == "/v1/models"])
    await provider.list_models()
    assert len([r for r in model_server.requests if r.path == "/v1/models"]) == before
    assert provider.default_model() is None  # a custom server: its first listed model
    configured = make(model_server, models=["my-model"])
    assert configured.default_model() == "my-model"
    assert next(m.name for m in await configured.list_models()) == "my-model"


async def test_unknown_model_is_model_not_found_with_suggestions(
    provider: OpenAICompatProvider,
) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        await provider.chat(ask("qwen2.5-coder:8b"))
    assert "qwen2.5-coder:8b" in info.value.message
    assert "qwen2.5-coder:7b" in info.value.suggestions


async def test_a_url_without_the_api_says_to_check_base_url(
    model_server: ScriptedModelServer,
) -> None:
    wrong = OpenAICompatProvider(
        "openai", OpenAICompatSettings(base_url=model_server.url + "/nope"), retry_policy=FAST
    )
    with pytest.raises(ProviderError) as info:
        await wrong.chat(ask())
    assert "/v1" in (info.value.hint or "")
    await wrong.aclose()


async def test_429_retry_after_is_honoured_then_rate_limit_error(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(status=429, retry_after=0.4, error="slow down"), Reply(text="ok"))
    started = time.perf_counter()
    reply = await provider.chat(ask())
    assert time.perf_counter() - started >= 0.4
    assert reply.message.content == "ok"
    assert len(model_server.chat_requests()) == 2
    model_server.script(*[Reply(status=429, retry_after=0.05, error="slow down")] * 3)
    with pytest.raises(RateLimitError) as info:
        await provider.chat(ask())
    assert info.value.retry_after == pytest.approx(0.05)
    assert len(model_server.chat_requests()) == 5  # first try + 2 retries


async def test_a_retry_after_past_the_deadline_is_not_waited_for(
    model_server: ScriptedModelServer,
) -> None:
    short = make(model_server, timeout=1.0)
    model_server.script(Reply(status=429, retry_after=30, error="come back later"))
    started = time.perf_counter()
    with pytest.raises(RateLimitError):
        await short.chat(ask())
    assert time.perf_counter() - started < 1.0
    await short.aclose()


async def test_500_is_retried_then_unavailable(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(status=500, error="boom"), Reply(text="recovered"))
    assert (await provider.chat(ask())).message.content == "recovered"
    model_server.script(*[Reply(status=500, error="CUDA out of memory")] * 3)
    with pytest.raises(ProviderUnavailableError) as info:
        await provider.chat(ask())
    assert "500" in info.value.message and "CUDA out of memory" in info.value.message


@pytest.mark.parametrize(
    ("reply", "what"),
    [
        (Reply(raw_body=b"<html>Bad gateway</html>"), "not JSON"),
        (Reply(raw_body=b"not json at all", content_type="text/plain"), "not an event stream"),
        (Reply(raw_body=b"data: {oops\n\n", content_type="text/event-stream"), "not JSON"),
        (Reply(raw_body=b"data: [DONE]\n\n", content_type="text/event-stream"), "without any"),
    ],
)
async def test_a_200_reply_that_cannot_be_read_is_an_error(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer, reply: Reply, what: str
) -> None:
    model_server.script(reply)
    with pytest.raises(ProviderError) as info:
        await provider.chat(ask())
    assert what in info.value.message
    assert model_server.url in info.value.message  # names the server


async def test_a_dropped_stream_keeps_the_partial_answer(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(chunks=["one ", "two ", "three"], drop_after=2))
    seen: list[str] = []
    with pytest.raises(StreamInterrupted) as info:
        async for chunk in provider.stream(ask()):
            seen.append(chunk.delta)
    assert "".join(seen) == "one two " == info.value.partial


async def test_a_server_that_is_not_http_is_named_as_such(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(not_http=b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
    with pytest.raises(ProviderError) as info:
        await provider.chat(ask())
    assert "not HTTP" in info.value.message


async def test_timeouts_are_deadlines(model_server: ScriptedModelServer) -> None:
    short = make(model_server, timeout=1.0)
    model_server.script(Reply(first_delay=4))
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout, match="did not answer within 1s"):
        await short.chat(ask())
    assert time.perf_counter() - started < 2.0
    # A stall between two pieces: the error comes a timeout after the last piece.
    model_server.script(Reply(chunks=["a ", "b ", "c"], chunk_delay=4))
    seen: list[str] = []
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout, match="mid-answer"):
        async for chunk in short.stream(ask()):
            seen.append(chunk.delta)
    assert time.perf_counter() - started < 2.0
    assert seen == ["a "]
    # Keep-alive comments keep the connection busy but are no answer.
    model_server.script(Reply(chunks=["a ", "b"], chunk_delay=6, keepalive=0.2))
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout, match="mid-answer"):
        [c async for c in short.stream(ask())]
    assert time.perf_counter() - started < 2.0
    await short.aclose()


async def test_a_slow_but_steady_answer_may_outlast_the_timeout(
    model_server: ScriptedModelServer,
) -> None:
    short = make(model_server, timeout=0.5)
    model_server.script(Reply(chunks=["a", "b", "c", "d", "e"], chunk_delay=0.2))
    reply = await short.chat(ask())
    assert reply.message.content == "abcde"
    await short.aclose()


async def test_nobody_listening_is_unavailable() -> None:
    gone = OpenAICompatProvider(
        "openai", OpenAICompatSettings(base_url="http://127.0.0.1:9/v1"), retry_policy=FAST
    )
    with pytest.raises(ProviderUnavailableError, match="not reachable") as info:
        await gone.chat(ask())
    assert "OPENAI_BASE_URL" in (info.value.hint or "")
    health = await gone.health()
    assert not health.ok
    await gone.aclose()


async def test_key_is_sent_but_never_shown(
    model_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    model_server.api_key = KEY
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    keyed = make(model_server)
    assert (await keyed.chat(ask())).message.content
    assert model_server.chat_requests()[-1].headers["authorization"] == f"Bearer {KEY}"
    # A wrong key echoed back by the server is not repeated in the error.
    wrong = make(model_server, api_key=SecretStr("sk-wrong-" + "x" * 20))
    with pytest.raises(AuthError) as info:
        await wrong.chat(ask())
    assert "sk-wrong" not in str(info.value)
    assert "OPENAI_API_KEY" in (info.value.hint or "")
    assert not (await wrong.health()).ok
    assert KEY not in caplog.text and "sk-wrong" not in caplog.text
    await keyed.aclose()
    await wrong.aclose()


async def test_a_cloud_service_without_a_key_is_not_healthy() -> None:
    provider = OpenAICompatProvider("openrouter", OpenAICompatSettings(), environ={})
    health = await provider.health()
    assert not health.ok and "OPENROUTER_API_KEY" in (health.hint or "")
    keyed = OpenAICompatProvider(
        "openrouter", OpenAICompatSettings(), environ={"OPENROUTER_API_KEY": "k"}
    )
    assert keyed.api_key == "k" and keyed.default_model() == "openai/gpt-4o-mini"
    assert keyed.base_url == "https://openrouter.ai/api/v1"


async def test_cloud_prices_come_from_settings_then_the_price_maps(
    model_server: ScriptedModelServer,
) -> None:
    # OpenAI's own base URL, through a transport that forwards to the scripted server:
    # nothing leaves the machine.
    import httpx

    from coda_ls.providers.prices import find_price

    assert find_price("gpt-4o-mini", None, {}) is not None
    priced = find_price("my-model", None, {"my-model": ModelPrice(input=1.0, output=2.0)})
    assert priced is not None and priced.input == pytest.approx(1e-6)

    async def handler(request: httpx.Request) -> httpx.Response:
        async with httpx.AsyncClient() as client:  # forward to the scripted server
            url = model_server.url + request.url.path
            forwarded = await client.post(url, content=request.content, headers=request.headers)
            return httpx.Response(
                forwarded.status_code, headers=forwarded.headers, content=forwarded.content
            )

    model_server.models.append(ScriptedModel("gpt-4o-mini"))
    model_server.script(Reply(prompt_tokens=1_000_000, completion_tokens=1_000_000))
    cloud = OpenAICompatProvider(
        "openai",
        OpenAICompatSettings(),
        transport=httpx.MockTransport(handler),
        environ={"OPENAI_API_KEY": "k"},
    )
    reply = await cloud.chat(ask("gpt-4o-mini"))
    assert reply.usage.cost == pytest.approx(0.75)  # $0.15 in + $0.60 out per million
    await cloud.aclose()


async def test_a_server_that_ignores_stream_is_read_as_one_reply(
    provider: OpenAICompatProvider, model_server: ScriptedModelServer
) -> None:
    body = {
        "id": "x",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "whole",
                    "tool_calls": [
                        {
                            "id": "a",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        },
                        {
                            "id": "b",
                            "type": "function",
                            "function": {"name": "g", "arguments": "{}"},
                        },
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1},
    }
    model_server.script(Reply(raw_body=json.dumps(body).encode()))
    reply = await provider.chat(ask())
    assert reply.message.content == "whole"
    assert [c.name for c in reply.message.tool_calls] == ["f", "g"]
    assert (reply.usage.input_tokens, reply.finish_reason) == (3, "tool_calls")
