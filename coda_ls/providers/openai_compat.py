"""The OpenAI chat-completions API over httpx: OpenAI itself, the named services of
`presets` (OpenRouter, Groq, Together, DeepSeek, Mistral) and local servers (vLLM,
LM Studio, llama.cpp, anything at OPENAI_BASE_URL). No LiteLLM: it costs seconds to import.

Streaming is SSE with `stream_options.include_usage`; tool calls arrive in pieces keyed by
index and are assembled; `reasoning_content` deltas become `Chunk.reasoning`. 429 and 5xx
are retried with the shared backoff (honouring `retry-after`), the timeout is a deadline
(`deadline.Deadline`), and a broken stream keeps its partial answer. A reply that cannot
be read is an error naming the server, never an empty success. The key is sent only as
the `authorization` header and removed from every message.
"""

from __future__ import annotations

import difflib
import logging
import os
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx

from coda_ls.config import OpenAICompatSettings, Settings
from coda_ls.errors import (
    AuthError,
    ModelNotFoundError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    StreamInterrupted,
)
from coda_ls.providers.base import (
    ChatRequest,
    ChatResponse,
    Chunk,
    Health,
    ModelInfo,
    Usage,
    collect,
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
from coda_ls.providers.openai_wire import (
    Reply,
    ServerSaid,
    Unreadable,
    context_window,
    read_events,
    to_openai_message,
)
from coda_ls.providers.presets import PRESETS, Preset, is_loopback
from coda_ls.providers.prices import find_price
from coda_ls.providers.retry import RetryPolicy, with_retries
from coda_ls.providers.textgen import TextRequest
from coda_ls.redact import redact

log = logging.getLogger(__name__)

RETRIED = frozenset({429, 500, 502, 503, 504})
MODELS_TTL = 60.0  # seconds a /models listing is reused (selection, check, info)
HEALTH_TIMEOUT = 3.0
LIST_TIMEOUT = 30.0


class OpenAICompatProvider:
    """The `Provider` for one OpenAI-compatible service (`name` is its preset)."""

    def __init__(
        self,
        name: str,
        settings: OpenAICompatSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_policy: RetryPolicy | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.preset: Preset = PRESETS.get(name) or Preset(name, name, "")
        self.settings = settings
        self.base_url = (settings.base_url or self.preset.base_url).rstrip("/")
        self.custom_url = bool(settings.base_url) and self.base_url != self.preset.base_url
        self.local = self.preset.local or is_loopback(self.base_url)
        self.retry_policy = retry_policy or RetryPolicy(max_retries=settings.max_retries)
        self._environ = os.environ if environ is None else environ
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._models: tuple[float, list[ModelInfo], dict[str, dict[str, Any]]] | None = None
        label = self.preset.title if not self.custom_url else "the OpenAI-compatible server"
        self.server = f"{label} at {self.base_url}"

    # -- plumbing ---------------------------------------------------------------------

    @property
    def key_variables(self) -> tuple[str, ...]:
        if self.settings.api_key_env:
            return (self.settings.api_key_env,)
        return self.preset.key_env

    @property
    def api_key(self) -> str | None:
        """From the settings, else the service's variable; None when there is none."""
        if self.settings.api_key is not None and self.settings.api_key.get_secret_value():
            return self.settings.api_key.get_secret_value()
        for variable in self.key_variables:
            if value := self._environ.get(variable):
                return value
        return None

    @property
    def key_hint(self) -> str:
        where = " or ".join(self.key_variables) or "an API key variable"
        return f"set {where}, or [providers.{self.name}] api_key"

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            headers = dict(self.settings.headers)
            if key := self.api_key:
                headers["authorization"] = f"Bearer {key}"
            timeout = httpx.Timeout(self.settings.timeout, connect=self.settings.connect_timeout)
            self._client = httpx.AsyncClient(
                base_url=self.base_url + "/",
                headers=headers,
                timeout=timeout,
                transport=self._transport,
                verify=tls_context(),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _clean(self, text: str) -> str:
        """`text` without the key (some servers echo what they were sent)."""
        key = self.api_key
        if key:
            text = text.replace(key, "********")
        return redact(text)

    def _transport_error(self, exc: httpx.HTTPError) -> ProviderError:
        return transport_error(
            exc,
            server=self.server,
            provider=self.name,
            timeout=self.settings.timeout,
            unreachable_hint=self._start_hint(),
            timeout_hint=self._timeout_hint(),
        )

    def _start_hint(self) -> str:
        if self.local:
            return f"start the server, or fix [providers.{self.name}] base_url" + (
                " (or OPENAI_BASE_URL)" if self.name == "openai" else ""
            )
        return "check the network connection and the base URL"

    def _timeout_hint(self) -> str:
        return f"retry, or raise [providers.{self.name}] timeout"

    async def _status_error(self, failure: StatusFailure, model: str | None) -> ProviderError:
        detail = self._clean(failure.detail())
        status = failure.status
        if status in (401, 403):
            what = "refused the API key" if self.api_key else "needs an API key"
            return AuthError(f"{self.server} {what} ({detail})", self.key_hint, provider=self.name)
        if status == 404 and model is not None:
            return await self._not_found(model, detail)
        if status == 429:
            return RateLimitError(
                f"{self.server} is rate limiting (HTTP 429) after "
                f"{self.retry_policy.max_retries} retries ({detail})",
                "wait a moment, or lower the request rate / raise your plan's limit",
                provider=self.name,
                retry_after=failure.retry_after,
            )
        if status >= 500:
            return ProviderUnavailableError(
                f"{self.server} answered {status}: {detail}",
                "the server is having trouble; see its log, or retry later",
                provider=self.name,
            )
        if status in (400, 413, 422):
            context = "context" in detail.lower() or "too long" in detail.lower()
            return ProviderError(
                f"{self.server} rejected the request ({status}): {detail}",
                "start a new session or compact this one"
                if context
                else "check the model name and the parameters it accepts",
                provider=self.name,
            )
        return ProviderError(f"{self.server} answered {status}: {detail}", provider=self.name)

    async def _not_found(self, model: str, detail: str) -> ProviderError:
        """A 404 on chat: an unknown model, or a base URL that serves no such API."""
        try:
            names = [info.name for info in await self.list_models()]
        except ProviderError:
            return ProviderError(
                f"{self.server} has no chat-completions API ({detail})",
                f"check [providers.{self.name}] base_url; it usually ends in /v1",
                provider=self.name,
            )
        close = difflib.get_close_matches(model, names, n=3, cutoff=0.4)
        return ModelNotFoundError(
            f"model {model!r} not found at {self.server} ({detail})",
            (f"did you mean {', '.join(close)}? " if close else "")
            + "`coda models` lists what is available",
            provider=self.name,
            suggestions=close,
        )

    def _unreadable(self, exc: Unreadable) -> ProviderError:
        return ProviderError(
            f"{self.server} sent a reply that is {exc.what}: {self._clean(exc.sample)!r}",
            "check that the base URL is an OpenAI-compatible API (it usually ends in /v1)",
            provider=self.name,
        )

    # -- chat ---------------------------------------------------------------------------

    def _payload(self, request: ChatRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": [to_openai_message(message) for message in request.messages],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        for name in (
            "temperature",
            "max_tokens",
            "top_p",
            "frequency_penalty",
            "presence_penalty",
            "stop",
        ):
            value = getattr(request, name)
            if value is not None:
                payload[name] = value
        if request.top_k is not None and self.local:
            payload["top_k"] = request.top_k  # vLLM, llama.cpp; cloud APIs reject it
        if request.tools:
            payload["tools"] = [tool.as_function() for tool in request.tools]
        return payload

    async def _open(self, request: ChatRequest, deadline: Deadline) -> httpx.Response:
        """POST chat/completions within the deadline, retrying 429/5xx."""
        payload = self._payload(request)
        try:
            return await deadline.run(
                with_retries(
                    lambda: send(
                        self.client, "POST", "chat/completions", json=payload, stream=True
                    ),
                    self.retry_policy,
                    retry_statuses(RETRIED),
                    what=f"{self.name} {request.model}",
                    remaining=deadline.remaining,
                )
            )
        except StatusFailure as exc:
            raise await self._status_error(exc, request.model) from exc
        except TimeoutError as exc:
            raise timed_out(
                self.server, self.name, self.settings.timeout, self._timeout_hint(), False
            ) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        deadline = Deadline(self.settings.timeout)
        response = await self._open(request, deadline)
        reply = Reply()
        events = read_events(response)
        try:
            while True:
                try:
                    event = await deadline.next(events)
                except StopAsyncIteration:
                    break
                deadline.progress()
                if event is None:  # [DONE]
                    reply.done = True
                    break
                for chunk in reply.take(event):
                    yield chunk
        except Unreadable as exc:
            raise self._unreadable(exc) from exc
        except ServerSaid as exc:
            raise self._stream_error(exc.detail, reply) from exc
        except TimeoutError as exc:
            raise timed_out(
                self.server, self.name, self.settings.timeout, self._timeout_hint(), reply.started
            ) from exc
        except httpx.TimeoutException as exc:
            raise timed_out(
                self.server, self.name, self.settings.timeout, self._timeout_hint(), reply.started
            ) from exc
        except httpx.HTTPError as exc:  # RemoteProtocolError, ReadError: it hung up
            raise StreamInterrupted(
                f"{self.server} closed the connection mid-answer ({exc or type(exc).__name__})",
                "the partial answer was kept; retry the question",
                provider=self.name,
                partial=reply.text(),
            ) from exc
        finally:
            await events.aclose()
            await response.aclose()
        if not reply.received:
            raise ProviderError(
                f"{self.server} ended the reply without any answer",
                "see the server's log; retry the question",
                provider=self.name,
            )
        if reply.finish is None and not reply.done:
            raise StreamInterrupted(
                f"{self.server} ended the answer without finishing it",
                "the partial answer was kept; retry the question",
                provider=self.name,
                partial=reply.text(),
            )
        usage = reply.usage or Usage()
        usage.cost = self._cost(request.model, usage)
        yield Chunk(
            tool_calls=reply.tool_calls(),
            finish_reason=reply.finish or "stop",
            usage=usage,
        )

    def _stream_error(self, detail: str, reply: Reply) -> ProviderError:
        detail = self._clean(detail)
        if reply.started:
            return StreamInterrupted(
                f"{self.server} reported an error mid-answer: {detail}",
                "the partial answer was kept; retry the question",
                provider=self.name,
                partial=reply.text(),
            )
        return ProviderError(f"{self.server}: {detail}", provider=self.name)

    async def chat(self, request: ChatRequest) -> ChatResponse:
        # One code path: a streamed reply, assembled (the deadline and errors are the same).
        return await collect(request.model, self.stream(request))

    async def generate(self, request: TextRequest) -> str:
        """POST completions (the legacy text API that FIM servers keep: vLLM, llama.cpp,
        LM Studio, DeepSeek's and Mistral's FIM), not streamed and not retried."""
        payload: dict[str, Any] = {
            "model": request.model,
            "prompt": request.prompt,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": False,
        }
        if request.suffix is not None and not request.raw:
            payload["suffix"] = request.suffix
        if request.stop:
            payload["stop"] = list(request.stop)[:4]  # OpenAI's limit
        timeout = httpx.Timeout(request.timeout, connect=self.settings.connect_timeout)
        response, body = await self._json_call(
            "POST", "completions", request.model, json=payload, timeout=timeout
        )
        choices = body.get("choices") if isinstance(body, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise self._unreadable(Unreadable("without choices", response.text))
        return str(choices[0].get("text") or "")

    async def _json_call(
        self, method: str, path: str, model: str | None, **options: Any
    ) -> tuple[httpx.Response, Any]:
        """A whole (not streamed) request, its failures mapped as every call maps them,
        and the reply's JSON body."""
        try:
            response = await send(self.client, method, path, **options)
        except StatusFailure as exc:
            raise await self._status_error(exc, model) from exc
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from exc
        try:
            return response, response.json()
        except ValueError as exc:
            raise self._unreadable(Unreadable("not JSON", response.text)) from exc

    def estimate_cost(self, model: str, usage: Usage) -> float | None:
        """The price of `usage` for `model`, as an answer would be charged (cost preview)."""
        return self._cost(model, usage)

    def _cost(self, model: str, usage: Usage) -> float | None:
        configured = self.settings.prices
        if self.local and model not in configured:
            # The user's own machine, unless they priced the model (a paid gateway or
            # proxy on localhost is priced by its user).
            return 0.0
        if self.custom_url and model not in configured:
            return None  # someone's server: the public list prices do not apply
        price = find_price(model, self.preset.price_prefix, configured)
        return price.cost(usage) if price is not None else None

    # -- models -------------------------------------------------------------------------

    async def _listing(self) -> tuple[list[ModelInfo], dict[str, dict[str, Any]]]:
        if self._models is not None and time.monotonic() - self._models[0] < MODELS_TTL:
            return self._models[1], self._models[2]
        _, body = await self._json_call("GET", "models", None, timeout=self._list_timeout)
        data = body.get("data") if isinstance(body, dict) else body
        entries = {
            str(entry["id"]): entry
            for entry in (data if isinstance(data, list) else [])
            if isinstance(entry, dict) and entry.get("id")
        }
        names = [*self.settings.models, *entries]
        infos = [self._info(name, entries.get(name, {})) for name in dict.fromkeys(names)]
        self._models = (time.monotonic(), infos, entries)
        return infos, entries

    @property
    def _list_timeout(self) -> httpx.Timeout:
        # A listing is a side request (selection, model checks): it must not hang a
        # question for the minutes a chat may take to start.
        return httpx.Timeout(
            min(self.settings.timeout, LIST_TIMEOUT), connect=self.settings.connect_timeout
        )

    def _info(self, name: str, entry: Mapping[str, Any]) -> ModelInfo:
        params = entry.get("supported_parameters")
        return ModelInfo(
            name=name,
            provider=self.name,
            context_window=context_window(entry),
            supports_tools="tools" in params if isinstance(params, list) else True,
            supports_vision=reads_images(entry),
            family=str(entry.get("owned_by")) if entry.get("owned_by") else None,
            details={"base_url": self.base_url},
        )

    async def list_models(self) -> list[ModelInfo]:
        return (await self._listing())[0]

    async def model_info(self, model: str) -> ModelInfo:
        try:
            infos, _ = await self._listing()
        except ProviderError:
            infos = []
        for info in infos:
            if info.name == model:
                return info
        return self._info(model, {})

    def default_model(self) -> str | None:
        """The configured first model, else the service's usual one (None: ask the server)."""
        if self.settings.models:
            return self.settings.models[0]
        return None if self.custom_url else self.preset.default_model

    async def health(self) -> Health:
        if not self.local and not self.api_key:
            return Health(
                provider=self.name,
                ok=False,
                detail=f"no API key for {self.server}",
                hint=self.key_hint,
            )
        try:
            response = await self.client.get("models", timeout=HEALTH_TIMEOUT)
        except httpx.HTTPError as exc:
            error = self._transport_error(exc)
            return Health(provider=self.name, ok=False, detail=error.message, hint=error.hint)
        if response.status_code in (401, 403):
            return Health(
                provider=self.name,
                ok=False,
                detail=f"{self.server} refused the API key ({response.status_code})",
                hint=self.key_hint,
            )
        if response.status_code >= 500:
            return Health(
                provider=self.name,
                ok=False,
                detail=f"{self.server} answered {response.status_code}",
                hint="see the server's log",
            )
        return Health(provider=self.name, ok=True, detail=f"{self.server} answers")


def create(settings: Settings, name: str = "openai") -> OpenAICompatProvider:
    return OpenAICompatProvider(name, settings.providers.openai_compatible(name))


def reads_images(entry: Mapping[str, Any]) -> bool | None:
    """Whether a `/models` entry says the model takes images: OpenRouter's
    `architecture.input_modalities`, or `input_modalities`/`modalities` at the top level
    (as some gateways list them). None when the entry says nothing (plain OpenAI, vLLM)."""
    architecture = entry.get("architecture")
    for source in (architecture if isinstance(architecture, Mapping) else {}, entry):
        for key in ("input_modalities", "modalities"):
            value = source.get(key)
            if isinstance(value, list):
                return "image" in value
            if isinstance(value, Mapping) and isinstance(value.get("input"), list):
                return "image" in value["input"]
    return None
