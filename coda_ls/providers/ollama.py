"""Ollama over its native HTTP API (httpx; no litellm).

Endpoints: /api/chat (NDJSON stream), /api/tags, /api/show, /api/pull (progress stream),
/api/delete, /api/version. Usage comes from `prompt_eval_count` / `eval_count`.
A chat is retried on 429/502/503/504 with the shared backoff (honouring `retry-after`);
its timeout is a deadline (`deadline.Deadline`) for the reply to start and for each stall.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from coda_ls.config import OllamaSettings, Settings
from coda_ls.errors import (
    ModelNotFoundError,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailableError,
    RateLimitError,
    StreamInterrupted,
)
from coda_ls.providers.base import (
    ChatRequest,
    ChatResponse,
    Chunk,
    Health,
    Message,
    ModelInfo,
    ToolCall,
    Usage,
    collect,
    parse_tool_arguments,
)
from coda_ls.providers.deadline import Deadline
from coda_ls.providers.http import (
    StatusFailure,
    retry_statuses,
    send,
    timed_out,
    tls_context,
    transport_error,
)
from coda_ls.providers.retry import RetryPolicy, with_retries
from coda_ls.providers.textgen import TextRequest

log = logging.getLogger(__name__)

NAME = "ollama"
START_HINT = "start it with `ollama serve` (or set OLLAMA_HOST / [providers.ollama] host)"
ProgressCallback = Callable[[str, int | None, int | None], None]
# Busy or a proxy in front having trouble; a 500 is Ollama failing to run the model (out
# of memory…), which a retry does not cure.
RETRIED = frozenset({429, 502, 503, 504})
TIMEOUT_HINT = "a large model may still be loading; retry, or raise [providers.ollama] timeout"


class OllamaProvider:
    """The `Provider` for a local or remote Ollama server."""

    name = NAME

    def __init__(
        self,
        settings: OllamaSettings,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        retry_policy: RetryPolicy | None = None,
    ):
        self.settings = settings
        self.retry_policy = retry_policy or RetryPolicy(max_retries=settings.max_retries)
        self.host = settings.host.rstrip("/")
        if "://" not in self.host:  # OLLAMA_HOST is often given as "host:port"
            self.host = f"http://{self.host}"
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    # -- plumbing ---------------------------------------------------------------------

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            timeout = httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout)
            self._client = httpx.AsyncClient(
                base_url=self.host,
                timeout=timeout,
                transport=self._transport,
                verify=tls_context(),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @contextlib.contextmanager
    def _map_errors(self, model: str | None = None) -> Iterator[None]:
        """Translate httpx failures into Coda errors (the one place that knows httpx)."""
        try:
            yield
        except httpx.ConnectError as exc:
            raise ProviderUnavailableError(
                f"Ollama is not reachable at {self.host} ({exc})", START_HINT, provider=NAME
            ) from exc
        except httpx.TimeoutException as exc:
            raise ProviderTimeout(
                f"Ollama at {self.host} did not answer in time", TIMEOUT_HINT, provider=NAME
            ) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise self._transport_error(exc) from exc
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Ollama request failed: {exc}", "check that Ollama is healthy", provider=NAME
            ) from exc

    def _transport_error(self, exc: httpx.HTTPError) -> ProviderError:
        return transport_error(
            exc,
            server=f"Ollama at {self.host}",
            provider=NAME,
            timeout=self.settings.timeout,
            unreachable_hint=START_HINT,
            timeout_hint=TIMEOUT_HINT,
        )

    async def _raise_for_status(self, response: httpx.Response, model: str | None) -> None:
        if response.status_code < 400:
            return
        await response.aread()
        failure = StatusFailure(response.status_code, response.headers, response.text)
        raise await self._status_error(failure, model)

    async def _status_error(self, failure: StatusFailure, model: str | None) -> ProviderError:
        detail = failure.detail()
        if failure.status == 404 and model is not None:
            return await self._model_not_found(model, detail)
        if failure.status == 429:
            return RateLimitError(
                f"Ollama is busy (429) after {self.retry_policy.max_retries} retries: {detail}",
                "retry in a moment",
                provider=NAME,
                retry_after=failure.retry_after,
            )
        return ProviderError(
            f"Ollama answered {failure.status}: {detail}",
            "see the Ollama server log (`journalctl -u ollama` or its terminal)",
            provider=NAME,
        )

    async def _open(
        self, payload: dict[str, Any], model: str, deadline: Deadline
    ) -> httpx.Response:
        """POST /api/chat within the deadline, retrying a busy server."""
        try:
            return await deadline.run(
                with_retries(
                    lambda: send(self.client, "POST", "/api/chat", json=payload, stream=True),
                    self.retry_policy,
                    retry_statuses(RETRIED),
                    what=f"Ollama {model}",
                    remaining=deadline.remaining,
                )
            )
        except StatusFailure as exc:
            raise await self._status_error(exc, model) from exc
        except TimeoutError as exc:
            raise timed_out(
                f"Ollama at {self.host}", NAME, self.settings.timeout, TIMEOUT_HINT, False
            ) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc

    async def _model_not_found(self, model: str, detail: str) -> ModelNotFoundError:
        try:
            names = [info.name for info in await self.list_models()]
        except ProviderError:
            names = []
        close = difflib.get_close_matches(model, names, n=3, cutoff=0.4)
        hint = f"pull it with `coda models pull {model}`"
        if close:
            hint += f", or use one you have: {', '.join(close)}"
        return ModelNotFoundError(
            f"model {model!r} not found in Ollama ({detail})",
            hint,
            provider=NAME,
            suggestions=close,
        )

    # -- chat ---------------------------------------------------------------------------

    def _payload(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for ours, theirs in (
            ("temperature", "temperature"),
            ("max_tokens", "num_predict"),
            ("top_p", "top_p"),
            ("top_k", "top_k"),
            ("frequency_penalty", "frequency_penalty"),
            ("presence_penalty", "presence_penalty"),
            ("stop", "stop"),
        ):
            value = getattr(request, ours)
            if value is not None:
                options[theirs] = value
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": [_to_ollama_message(message) for message in request.messages],
            "stream": stream,
        }
        if options:
            payload["options"] = options
        if request.tools:
            payload["tools"] = [tool.as_function() for tool in request.tools]
        if self.settings.keep_alive is not None:
            payload["keep_alive"] = self.settings.keep_alive
        return payload

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        deadline = Deadline(self.settings.timeout)
        response = await self._open(self._payload(request, stream=True), request.model, deadline)
        partial: list[str] = []
        try:
            lines = response.aiter_lines()
            while True:
                try:
                    line = await deadline.next(lines)
                except StopAsyncIteration:
                    break
                if not line.strip():
                    continue
                deadline.progress()
                chunk = _parse_chat_line(line, self.host)
                partial.append(chunk.delta)
                yield chunk
                if chunk.finish_reason is not None:
                    return
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise timed_out(
                f"Ollama at {self.host}",
                NAME,
                self.settings.timeout,
                TIMEOUT_HINT,
                any(partial),
            ) from exc
        except httpx.HTTPError as exc:
            raise StreamInterrupted(
                f"Ollama closed the connection mid-answer ({exc})",
                "the partial answer was kept; retry the question",
                provider=NAME,
                partial="".join(partial),
            ) from exc
        finally:
            await response.aclose()
        # The server ended the stream without a final `done` line.
        raise StreamInterrupted(
            "Ollama ended the answer without finishing it",
            "the partial answer was kept; retry the question",
            provider=NAME,
            partial="".join(partial),
        )

    def _json(self, response: httpx.Response) -> Any:
        """A whole (not streamed) reply's JSON body; anything else is not an Ollama server."""
        try:
            return response.json()
        except json.JSONDecodeError as exc:
            raise ProviderError(
                f"Ollama at {self.host} sent a reply that is not JSON: {response.text[:200]!r}",
                "is OLLAMA_HOST pointing at an Ollama server?",
                provider=NAME,
            ) from exc

    async def chat(self, request: ChatRequest) -> ChatResponse:
        deadline = Deadline(self.settings.timeout)
        response = await self._open(self._payload(request, False), request.model, deadline)
        try:
            await deadline.run(response.aread())
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise timed_out(
                f"Ollama at {self.host}", NAME, self.settings.timeout, TIMEOUT_HINT, False
            ) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        finally:
            await response.aclose()
        body = self._json(response)
        if not isinstance(body, dict):
            raise ProviderError(
                f"Ollama at {self.host} sent an unexpected reply: {response.text[:200]!r}",
                provider=NAME,
            )
        if "error" in body:
            raise ProviderError(f"Ollama: {body['error']}", provider=NAME)

        async def one() -> AsyncIterator[Chunk]:
            yield _chunk_from_body(body)

        return await collect(request.model, one())

    # -- text generation (inline completion) -------------------------------------------

    async def generate(self, request: TextRequest) -> str:
        """POST /api/generate, not streamed: one short completion. No retries: a stale
        completion is worth nothing, and the editor asks again as the user types."""
        options: dict[str, Any] = {
            "num_predict": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.stop:
            options["stop"] = list(request.stop)
        payload: dict[str, Any] = {
            "model": request.model,
            "prompt": request.prompt,
            "stream": False,
            "options": options,
        }
        if request.raw:
            payload["raw"] = True
        elif request.suffix is not None:
            payload["suffix"] = request.suffix
        if self.settings.keep_alive is not None:
            payload["keep_alive"] = self.settings.keep_alive
        timeout = httpx.Timeout(request.timeout, connect=self.settings.connect_timeout)
        try:
            response = await send(
                self.client, "POST", "/api/generate", json=payload, timeout=timeout
            )
        except StatusFailure as exc:
            raise await self._status_error(exc, request.model) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        body = self._json(response)
        if not isinstance(body, dict) or "error" in body:
            detail = body.get("error") if isinstance(body, dict) else response.text[:200]
            raise ProviderError(f"Ollama: {detail}", provider=NAME)
        return str(body.get("response") or "")

    # -- models -------------------------------------------------------------------------

    async def list_models(self) -> list[ModelInfo]:
        with self._map_errors():
            response = await self.client.get("/api/tags")
            await self._raise_for_status(response, None)
        models = []
        for entry in response.json().get("models", []):
            details = entry.get("details") or {}
            models.append(
                ModelInfo(
                    name=entry.get("name") or entry.get("model", "?"),
                    provider=NAME,
                    family=details.get("family"),
                    details={
                        "size": entry.get("size"),
                        "parameter_size": details.get("parameter_size"),
                        "quantization": details.get("quantization_level"),
                        "modified_at": entry.get("modified_at"),
                    },
                )
            )
        return models

    async def model_info(self, model: str) -> ModelInfo:
        with self._map_errors(model):
            response = await self.client.post("/api/show", json={"model": model})
            await self._raise_for_status(response, model)
        body = response.json()
        info = body.get("model_info") or {}
        context = next(
            (int(value) for key, value in info.items() if key.endswith(".context_length")), None
        )
        capabilities = body.get("capabilities") or []
        details = body.get("details") or {}
        return ModelInfo(
            name=model,
            provider=NAME,
            context_window=context,
            supports_tools="tools" in capabilities,
            # Ollama before 0.6 lists no capabilities: unknown, not "text only".
            supports_vision="vision" in capabilities if "capabilities" in body else None,
            family=details.get("family") or info.get("general.architecture"),
            details={
                "parameter_size": details.get("parameter_size"),
                "quantization": details.get("quantization_level"),
                "capabilities": capabilities,
                "parameters": body.get("parameters"),
            },
        )

    async def pull(self, model: str, progress: ProgressCallback | None = None) -> None:
        """Download `model`; `progress(status, completed, total)` is called per update."""
        with self._map_errors(model):
            async with self.client.stream(
                "POST", "/api/pull", json={"model": model, "stream": True}, timeout=None
            ) as response:
                await self._raise_for_status(response, None)
                async for line in response.aiter_lines():
                    if not line.strip():
                        continue
                    event = _json_line(line)
                    if "error" in event:
                        raise ModelNotFoundError(
                            f"Ollama could not pull {model!r}: {event['error']}",
                            "check the name at https://ollama.com/library",
                            provider=NAME,
                        )
                    if progress is not None:
                        progress(
                            str(event.get("status", "")), event.get("completed"), event.get("total")
                        )
                    if event.get("status") == "success":
                        return
        raise StreamInterrupted(f"pulling {model!r} stopped before it finished", provider=NAME)

    async def delete(self, model: str) -> None:
        with self._map_errors(model):
            response = await self.client.request("DELETE", "/api/delete", json={"model": model})
            if response.status_code == 404:
                raise ModelNotFoundError(
                    f"model {model!r} is not in Ollama", "`coda models list` shows what is"
                )
            await self._raise_for_status(response, None)

    async def health(self) -> Health:
        try:
            with self._map_errors():
                response = await self.client.get("/api/version")
                await self._raise_for_status(response, None)
        except ProviderError as exc:
            return Health(provider=NAME, ok=False, detail=exc.message, hint=exc.hint)
        version = str(response.json().get("version", "?"))
        return Health(
            provider=NAME, ok=True, detail=f"Ollama {version} at {self.host}", version=version
        )


def _json_line(line: str, host: str = "") -> dict[str, Any]:
    where = f"Ollama at {host}" if host else "Ollama"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ProviderError(
            f"{where} sent a line that is not JSON: {line[:200]!r}",
            "is OLLAMA_HOST pointing at an Ollama server?",
            provider=NAME,
        ) from exc
    if not isinstance(value, dict):
        raise ProviderError(f"{where} sent an unexpected line: {line[:200]!r}", provider=NAME)
    return value


def _parse_chat_line(line: str, host: str) -> Chunk:
    body = _json_line(line, host)
    if "error" in body:
        raise ProviderError(f"Ollama: {body['error']}", provider=NAME)
    return _chunk_from_body(body)


def _chunk_from_body(body: dict[str, Any]) -> Chunk:
    message = body.get("message") or {}
    calls = [
        ToolCall(
            id=str(call.get("id") or f"call_{index}"),
            name=str(call.get("function", {}).get("name", "")),
            arguments=parse_tool_arguments(call.get("function", {}).get("arguments")),
        )
        for index, call in enumerate(message.get("tool_calls") or [])
    ]
    chunk = Chunk(delta=str(message.get("content") or ""), tool_calls=calls)
    if body.get("done"):
        chunk.finish_reason = str(body.get("done_reason") or "stop")
        chunk.usage = Usage(
            input_tokens=int(body.get("prompt_eval_count") or 0),
            output_tokens=int(body.get("eval_count") or 0),
            cost=0.0,
        )
    return chunk


def _to_ollama_message(message: Message) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.images:  # Ollama takes bare base64
        out["images"] = [url.partition(",")[2] for url in message.images]
    if message.tool_calls:
        out["tool_calls"] = [
            {"function": {"name": call.name, "arguments": call.arguments}}
            for call in message.tool_calls
        ]
    if message.role == "tool" and message.name:
        out["tool_name"] = message.name
    return out


def create(settings: Settings) -> OllamaProvider:
    return OllamaProvider(settings.providers.ollama)
