"""The Ollama provider through real httpx against the scripted Ollama-API server."""

from __future__ import annotations

import time

import pytest

from coda_ls.config import OllamaSettings
from coda_ls.errors import (
    ModelNotFoundError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailableError,
    RateLimitError,
    StreamInterrupted,
)
from coda_ls.providers.base import ChatRequest, Message, ToolSpec
from coda_ls.providers.ollama import OllamaProvider
from coda_ls.providers.retry import RetryPolicy
from tests.support.model_server import Reply, ScriptedModelServer


def request(model: str = "llama3.2:latest", **extra: object) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[Message(role="user", content="hello")],
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
async def provider(model_server: ScriptedModelServer):  # type: ignore[no-untyped-def]
    instance = OllamaProvider(OllamaSettings(host=model_server.url))
    yield instance
    await instance.aclose()


async def test_stream_yields_chunks_then_usage(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(
        Reply(chunks=["Hel", "lo ", "world"], prompt_tokens=21, completion_tokens=3)
    )
    chunks = [chunk async for chunk in provider.stream(request(temperature=0.2, max_tokens=50))]
    assert "".join(c.delta for c in chunks) == "Hello world"
    assert [c.delta for c in chunks[:3]] == ["Hel", "lo ", "world"]
    last = chunks[-1]
    assert last.finish_reason == "stop"
    assert last.usage is not None
    assert (last.usage.input_tokens, last.usage.output_tokens) == (21, 3)
    sent = model_server.chat_requests()[-1].body
    assert sent["stream"] is True
    assert sent["options"] == {"temperature": 0.2, "num_predict": 50}
    assert sent["messages"] == [{"role": "user", "content": "hello"}]


async def test_chat_without_streaming(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(text="Complete answer.", prompt_tokens=5, completion_tokens=2))
    reply = await provider.chat(request())
    assert reply.message.content == "Complete answer."
    assert reply.usage.input_tokens == 5
    assert model_server.chat_requests()[-1].body["stream"] is False


async def test_tool_calls_are_sent_and_parsed(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[{"name": "read_file", "arguments": {"path": "a.py"}}])
    )
    tool = ToolSpec(name="read_file", description="read", parameters={"type": "object"})
    chunks = [c async for c in provider.stream(request(tools=[tool]))]
    calls = [call for c in chunks for call in c.tool_calls]
    assert calls[0].name == "read_file"
    assert calls[0].arguments == {"path": "a.py"}
    assert model_server.chat_requests()[-1].body["tools"][0]["function"]["name"] == "read_file"


async def test_unknown_model_is_model_not_found_with_suggestions(provider: OllamaProvider) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        [c async for c in provider.stream(request("llama3.3"))]
    assert "llama3.3" in info.value.message
    assert info.value.hint is not None and "coda models pull llama3.3" in info.value.hint
    assert "llama3.2:latest" in info.value.suggestions


async def test_connection_refused_says_start_ollama() -> None:
    provider = OllamaProvider(OllamaSettings(host="http://127.0.0.1:9"))
    with pytest.raises(ProviderUnavailableError) as info:
        await provider.chat(request())
    assert info.value.hint is not None and "ollama serve" in info.value.hint
    health = await provider.health()
    assert not health.ok and "not reachable" in health.detail
    await provider.aclose()


async def test_connection_dropped_mid_stream_keeps_partial_text(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(chunks=["one ", "two ", "three"], drop_after=2))
    seen = []
    with pytest.raises(StreamInterrupted) as info:
        async for chunk in provider.stream(request()):
            seen.append(chunk.delta)
    assert "".join(seen) == "one two "
    assert info.value.partial == "one two "


async def test_server_error_is_reported(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(status=500, error="CUDA out of memory"))
    with pytest.raises(ProviderError) as info:
        await provider.chat(request())
    assert "500" in info.value.message and "CUDA out of memory" in info.value.message


async def test_models_list_show_and_health(provider: OllamaProvider) -> None:
    names = [m.name for m in await provider.list_models()]
    assert names == ["llama3.2:latest", "qwen2.5-coder:7b"]
    info = await provider.model_info("qwen2.5-coder:7b")
    assert info.context_window == 32768
    assert info.supports_tools
    health = await provider.health()
    assert health.ok and health.version == "0.9.9-scripted"


async def test_pull_reports_progress_and_delete_removes(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    events: list[tuple[str, int | None, int | None]] = []
    await provider.pull("phi4:latest", lambda s, done, total: events.append((s, done, total)))
    assert events[0][0] == "pulling manifest"
    assert ("pulling abc123", 500, 1000) in events
    assert events[-1][0] == "success"
    assert "phi4:latest" in [m.name for m in await provider.list_models()]
    await provider.delete("phi4:latest")
    assert model_server.deleted == ["phi4:latest"]
    with pytest.raises(ModelNotFoundError):
        await provider.delete("phi4:latest")


async def test_pull_of_missing_model_fails_clearly(provider: OllamaProvider) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        await provider.pull("missing-model")
    assert "file does not exist" in info.value.message


async def test_ollama_host_without_scheme_is_accepted(model_server: ScriptedModelServer) -> None:
    provider = OllamaProvider(OllamaSettings(host=f"127.0.0.1:{model_server.port}"))
    assert (await provider.health()).ok
    await provider.aclose()


async def test_429_with_retry_after_is_retried(model_server: ScriptedModelServer) -> None:
    """#17: Ollama's 429 is retried with the shared backoff, honouring retry-after."""
    fast = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.02)
    provider = OllamaProvider(OllamaSettings(host=model_server.url), retry_policy=fast)
    model_server.script(Reply(status=429, retry_after=0.3, error="busy"), Reply(text="ok"))
    started = time.perf_counter()
    chunks = [c async for c in provider.stream(request())]
    assert time.perf_counter() - started >= 0.3
    assert "".join(c.delta for c in chunks) == "ok"
    model_server.script(*[Reply(status=429, retry_after=0.01, error="busy")] * 3)
    with pytest.raises(RateLimitError):
        await provider.chat(request())
    assert len(model_server.chat_requests()) == 2 + 3
    await provider.aclose()


async def test_a_garbage_status_line_is_not_http(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    """#17: not "closed the connection mid-answer" but "not HTTP"."""
    model_server.script(Reply(not_http=b"GARBAGE\r\n\r\n"))
    with pytest.raises(ProviderError) as info:
        [c async for c in provider.stream(request())]
    assert "not HTTP" in info.value.message
    assert "mid-answer" not in info.value.message


async def test_timeout_is_a_deadline(model_server: ScriptedModelServer) -> None:
    provider = OllamaProvider(OllamaSettings(host=model_server.url, timeout=1.0))
    model_server.script(Reply(chunks=["a ", "b"], chunk_delay=4))
    started = time.perf_counter()
    with pytest.raises(ProviderTimeout, match="mid-answer"):
        [c async for c in provider.stream(request())]
    assert time.perf_counter() - started < 2.0
    model_server.script(Reply(status=503, retry_after=30, error="busy"))
    started = time.perf_counter()
    with pytest.raises(ProviderError, match="503"):
        await provider.chat(request())  # a retry-after past the deadline is not waited for
    assert time.perf_counter() - started < 1.0
    await provider.aclose()


async def test_a_reply_that_is_not_json_is_an_error(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(raw_body=b"<html>proxy</html>"))
    with pytest.raises(ProviderError, match="not JSON") as info:
        await provider.chat(request())
    assert model_server.url in info.value.message


async def test_a_stream_that_is_not_ndjson_names_the_server(
    provider: OllamaProvider, model_server: ScriptedModelServer
) -> None:
    model_server.script(Reply(raw_body=b"<html>login</html>\n", content_type="text/html"))
    with pytest.raises(ProviderError, match="not JSON") as info:
        [c async for c in provider.stream(request())]
    assert model_server.url in info.value.message
