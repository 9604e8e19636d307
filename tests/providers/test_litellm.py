"""The LiteLLM provider: real litellm against the scripted OpenAI-compatible server.

Few tests, each covering several behaviours: importing litellm costs seconds (paid once,
by the session fixture)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from types import ModuleType

import pytest
from pydantic import SecretStr

from coda_ls.config import LiteLLMSettings
from coda_ls.errors import (
    AuthError,
    ModelNotFoundError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailableError,
    StreamInterrupted,
)
from coda_ls.providers.base import ChatRequest, Message, ToolSpec
from coda_ls.providers.litellm_provider import LiteLLMProvider, load_litellm
from coda_ls.providers.retry import RetryPolicy
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02)
KEY = "sk-test-SECRET-0123456789"


@pytest.fixture(scope="session")
def litellm_module() -> ModuleType:
    return load_litellm()


@pytest.fixture
def server(litellm_module: ModuleType) -> Iterator[ScriptedModelServer]:
    models = [ScriptedModel("llama3.2:latest"), ScriptedModel("gpt-4o-mini")]
    with ScriptedModelServer(models=models) as instance:
        yield instance


def provider(server: ScriptedModelServer, **extra: object) -> LiteLLMProvider:
    settings = LiteLLMSettings(api_base=server.url + "/v1", **extra)
    return LiteLLMProvider(settings, retry_policy=FAST)


def ask(model: str = "openai/llama3.2", **extra: object) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[Message(role="system", content="be brief"), Message(role="user", content="hi")],
        **extra,
    )


async def test_stream_usage_cached_tokens_and_retry_after(server: ScriptedModelServer) -> None:
    server.script(
        Reply(status=429, retry_after=0.3, error="slow down"),
        Reply(chunks=["Hel", "lo"], prompt_tokens=40, completion_tokens=2, cached_tokens=32),
    )
    started = time.perf_counter()
    chunks = [c async for c in provider(server).stream(ask(temperature=0.1, max_tokens=9))]
    assert time.perf_counter() - started >= 0.3  # retry-after honoured
    assert [c.delta for c in chunks[:-1]] == ["Hel", "lo"]
    final = chunks[-1]
    assert final.finish_reason == "stop"
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens, final.usage.cached_tokens) == (
        40,
        2,
        32,
    )
    assert final.usage.cost is None  # a local model has no price
    sent = server.chat_requests()
    assert len(sent) == 2  # litellm did not retry on its own: only Coda's one retry
    body = sent[-1].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("llama3.2", 0.1, 9)
    assert body["messages"][0] == {"role": "system", "content": "be brief"}


async def test_chat_tools_and_cost(server: ScriptedModelServer) -> None:
    server.script(
        Reply(
            text="",
            tool_calls=[{"name": "read_file", "arguments": {"path": "a"}}],
            prompt_tokens=1_000_000,
            completion_tokens=1_000_000,
        )
    )
    tool = ToolSpec(name="read_file", parameters={"type": "object"})
    reply = await provider(server).chat(ask("openai/gpt-4o-mini", tools=[tool]))
    assert [(c.name, c.arguments) for c in reply.message.tool_calls] == [
        ("read_file", {"path": "a"})
    ]
    assert reply.finish_reason == "tool_calls"
    # gpt-4o-mini is priced in litellm's local map: $0.15 in + $0.60 out per million.
    assert reply.usage.cost == pytest.approx(0.75)
    assert server.chat_requests()[-1].body["tools"][0]["function"]["name"] == "read_file"
    # Streamed tool calls are assembled from their pieces.
    server.script(Reply(text="", chunks=[], tool_calls=[{"name": "ls", "arguments": {"d": "."}}]))
    chunks = [c async for c in provider(server).stream(ask("gpt-4o-mini", tools=[tool]))]
    assert [(c.name, c.arguments) for c in chunks[-1].tool_calls] == [("ls", {"d": "."})]
    assert chunks[-1].usage is not None and chunks[-1].usage.cost is not None


async def test_errors_are_mapped_without_leaking_the_key(server: ScriptedModelServer) -> None:
    keyed = provider(server, api_key=SecretStr(KEY))
    with pytest.raises(ModelNotFoundError):
        await keyed.chat(ask("openai/no-such-model"))
    server.script(Reply(status=401, error=f"Incorrect API key provided: {KEY}"))
    with pytest.raises(AuthError) as auth:
        await keyed.chat(ask())
    assert KEY not in str(auth.value) and "0123456789" not in str(auth.value)
    server.script(*[Reply(status=500, error="boom")] * 3)
    before = len(server.chat_requests())
    with pytest.raises(ProviderUnavailableError):
        await keyed.chat(ask())
    assert len(server.chat_requests()) - before == 3  # first try + 2 retries
    server.script(Reply(chunks=["a ", "b ", "c"], drop_after=1))
    with pytest.raises(StreamInterrupted) as dropped:
        [c async for c in keyed.stream(ask())]
    assert dropped.value.partial == "a "
    gone = LiteLLMProvider(LiteLLMSettings(api_base="http://127.0.0.1:9/v1"), retry_policy=FAST)
    with pytest.raises(ProviderUnavailableError, match="cannot connect"):
        await gone.chat(ask())


async def test_models_and_health(
    server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "x")
    listed = provider(server, models=["openai/my-proxy-model"])
    names = [m.name for m in await listed.list_models()]
    assert names[:3] == ["openai/my-proxy-model", "openai/llama3.2:latest", "openai/gpt-4o-mini"]
    anthropic = [n for n in names if n.startswith("anthropic/")]
    assert anthropic and not any(n.startswith("gemini/") for n in names)
    assert (await listed.health()).ok
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    bare = LiteLLMProvider(LiteLLMSettings())
    health = await bare.health()
    assert not health.ok and "OPENAI_API_KEY" in (health.hint or "")
    assert await bare.list_models() == []


def test_import_is_lazy_and_quiet() -> None:
    code = (
        "import sys, coda_ls.providers.litellm_provider as p; "
        "assert 'litellm' not in sys.modules; p.load_litellm(); "
        "import os; assert os.environ['LITELLM_LOCAL_MODEL_COST_MAP'] == 'True'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == ""


@pytest.mark.parametrize(
    "reply",
    [
        Reply(raw_body=b"<html>Bad gateway</html>"),
        Reply(raw_body=b"garbage", content_type="text/event-stream"),
    ],
)
async def test_a_200_reply_that_cannot_be_read_is_an_error(
    server: ScriptedModelServer, reply: Reply
) -> None:
    """#17: LiteLLM turned an unreadable body into an empty answer marked complete."""
    server.script(reply)
    with pytest.raises(ProviderError) as info:
        [c async for c in provider(server).stream(ask())]
    assert server.url in info.value.message  # names the server
    server.script(reply, reply, reply)  # LiteLLM calls a non-JSON body a 500: retried
    with pytest.raises(ProviderError):
        await provider(server).chat(ask())


async def test_the_timeout_is_a_deadline(server: ScriptedModelServer) -> None:
    """#17: timeout 1 s, a server that waits or stalls 6 s: the error within 2 s."""
    short = provider(server, timeout=1.0, max_retries=0)
    server.script(Reply(first_delay=6))
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout):
        await short.chat(ask())
    assert time.perf_counter() - started < 2.0
    # A stall while the connection stays busy with keep-alive comments: no read times out.
    server.script(Reply(chunks=["a ", "b"], chunk_delay=6, keepalive=0.2))
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout):
        [c async for c in short.stream(ask())]
    assert time.perf_counter() - started < 2.0
