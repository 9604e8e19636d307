"""Every other model through LiteLLM: `openai/…`, `anthropic/…`, `gemini/…`,
`openrouter/…`, or any OpenAI-compatible server at `api_base`.

`litellm` takes seconds to import, so it is imported when this provider is first asked to
chat or list its registry (never at start-up), with its price map read from the local
copy (no fetch) and its own printing silenced. LiteLLM's retries are off: Coda retries
429/5xx itself (`coda_ls.providers.retry`) so behaviour is the same for every provider,
and the timeout is one deadline around all of it (`deadline.Deadline`): LiteLLM's own
timeouts apply per phase and per attempt, which let a 3 s timeout run to 15 s (#17).
Every litellm exception is translated by `_map_errors`; API keys never appear in messages.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

import httpx

from coda_ls.config import LiteLLMSettings, Settings
from coda_ls.errors import (
    AuthError,
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
    parse_tool_arguments,
)
from coda_ls.providers.deadline import Deadline
from coda_ls.providers.openai_wire import to_openai_message
from coda_ls.providers.retry import Retry, RetryPolicy, parse_retry_after, with_retries
from coda_ls.redact import redact

log = logging.getLogger(__name__)

NAME = "litellm"
# Environment key -> the LiteLLM provider prefix whose registry models it unlocks.
KEY_PROVIDERS: dict[str, str] = {
    "OPENAI_API_KEY": "openai",
    "ANTHROPIC_API_KEY": "anthropic",
    "GEMINI_API_KEY": "gemini",
    "OPENROUTER_API_KEY": "openrouter",
    "MISTRAL_API_KEY": "mistral",
    "GROQ_API_KEY": "groq",
    "DEEPSEEK_API_KEY": "deepseek",
    "XAI_API_KEY": "xai",
}
CONFIGURE_HINT = (
    'set [providers.litellm] models = ["openai/gpt-4o-mini"] and OPENAI_API_KEY (or '
    "another provider's key), or api_base for an OpenAI-compatible server"
)

_litellm_module: ModuleType | None = None


def load_litellm() -> ModuleType:
    """Import litellm once, offline and quiet."""
    global _litellm_module
    if _litellm_module is None:
        # Without this litellm downloads its price map at import time.
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        import litellm

        litellm.suppress_debug_info = True  # its "Give Feedback / Get Help" stdout banner
        litellm.set_verbose = False  # type: ignore[attr-defined]
        litellm.num_retries = 0
        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
            # litellm gives its loggers their own stdout handler; stdout is for answers
            # (and `--json`), so its records go through Coda's logging (stderr) instead.
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.propagate = True
            logger.setLevel(logging.WARNING)
        _litellm_module = litellm
    return _litellm_module


class LiteLLMProvider:
    """The `Provider` over LiteLLM's `acompletion`."""

    name = NAME

    def __init__(self, settings: LiteLLMSettings, *, retry_policy: RetryPolicy | None = None):
        self.settings = settings
        self.retry_policy = retry_policy or RetryPolicy(max_retries=settings.max_retries)
        self.api_base = settings.api_base.rstrip("/") if settings.api_base else None

    async def aclose(self) -> None:
        return None

    # -- plumbing ---------------------------------------------------------------------

    @property
    def _api_key(self) -> str | None:
        return self.settings.api_key.get_secret_value() if self.settings.api_key else None

    def _clean(self, text: str) -> str:
        """`text` without the configured key or anything that looks like a key."""
        key = self._api_key
        if key:
            text = text.replace(key, "********")
        return redact(text)

    def model_name(self, model: str) -> str:
        """A bare name on an api_base server is an OpenAI-compatible model there."""
        if self.api_base and "/" not in model:
            return f"openai/{model}"
        return model

    def _call_kwargs(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.model_name(request.model),
            "messages": [to_openai_message(message) for message in request.messages],
            "timeout": self.settings.timeout,
            "num_retries": 0,
            "max_retries": 0,
        }
        if self.api_base:
            kwargs["api_base"] = self.api_base
            # The OpenAI client insists on a key; local servers do not need one.
            kwargs["api_key"] = self._api_key or os.environ.get("OPENAI_API_KEY") or "none"
        elif self._api_key:
            kwargs["api_key"] = self._api_key
        if stream:
            kwargs["stream"] = True
            kwargs["stream_options"] = {"include_usage": True}
        for name in (
            "temperature",
            "max_tokens",
            "top_p",
            "top_k",
            "frequency_penalty",
            "presence_penalty",
            "stop",
        ):
            value = getattr(request, name)
            if value is not None:
                kwargs[name] = value
        if request.tools:
            kwargs["tools"] = [tool.as_function() for tool in request.tools]
        return kwargs

    @staticmethod
    def _classify(exc: BaseException) -> Retry | None:
        """Retry 429 and 5xx (litellm exceptions carry the status and the response)."""
        status = getattr(exc, "status_code", None)
        if not isinstance(status, int) or not (status == 429 or status >= 500):
            return None
        if _connection_failed(exc):  # nobody listening: waiting will not help
            return None
        return Retry(_retry_after(exc))

    async def _acompletion(self, kwargs: dict[str, Any], deadline: Deadline) -> Any:
        litellm = load_litellm()
        try:
            return await deadline.run(
                with_retries(
                    lambda: litellm.acompletion(**kwargs),
                    self.retry_policy,
                    self._classify,
                    what=f"LiteLLM {kwargs['model']}",
                    remaining=deadline.remaining,
                )
            )
        except TimeoutError as exc:
            raise self._timeout(kwargs["model"], started=False) from exc

    def _where(self, model: str | None) -> str:
        where = f"{model} via LiteLLM" if model else "LiteLLM"
        return f"{where} at {self.api_base}" if self.api_base else where

    def _timeout(self, model: str | None, *, started: bool) -> ProviderTimeout:
        what = (
            f"stopped answering for {self.settings.timeout:g}s mid-answer "
            "(the partial answer was kept)"
            if started
            else f"no answer within {self.settings.timeout:g}s"
        )
        return ProviderTimeout(
            f"{self._where(model)}: {what}",
            "retry, or raise [providers.litellm] timeout",
            provider=NAME,
        )

    @contextlib.contextmanager
    def _map_errors(self, model: str | None = None) -> Iterator[None]:
        """Translate litellm's exceptions into Coda errors (the one place that knows them)."""
        try:
            yield
        except ProviderError:
            raise
        except Exception as exc:
            mapped = self._translate(exc, model)
            if mapped is None:
                raise
            raise mapped from exc

    def _translate(self, exc: Exception, model: str | None) -> ProviderError | None:
        lx = load_litellm().exceptions
        detail = self._clean(_message(exc))
        where = self._where(model)
        if isinstance(exc, lx.AuthenticationError | lx.PermissionDeniedError):
            return AuthError(
                f"{where}: the API key was refused ({detail})",
                "check the provider's key variable (e.g. OPENAI_API_KEY) or "
                "[providers.litellm] api_key",
                provider=NAME,
            )
        if isinstance(exc, lx.RateLimitError):
            return RateLimitError(
                f"{where}: rate limited after {self.retry_policy.max_retries} retries ({detail})",
                "wait a moment, or lower the request rate / raise your plan's limit",
                provider=NAME,
                retry_after=_retry_after(exc),
            )
        if isinstance(exc, lx.NotFoundError):
            return ModelNotFoundError(
                f"{where}: model not found ({detail})",
                "use `provider/model` as LiteLLM names it (e.g. openai/gpt-4o-mini); "
                "`coda models -p litellm` lists known ones",
                provider=NAME,
            )
        if isinstance(exc, lx.Timeout):
            return self._timeout(model, started=False)
        if isinstance(exc, lx.APIConnectionError) or _connection_failed(exc):
            return ProviderUnavailableError(
                f"{where}: cannot connect ({detail})",
                "check the network, or that api_base is up" if self.api_base else CONFIGURE_HINT,
                provider=NAME,
            )
        if isinstance(
            exc, lx.ServiceUnavailableError | lx.InternalServerError | lx.BadGatewayError
        ):
            return ProviderUnavailableError(
                f"{where}: server error ({detail})", "retry later", provider=NAME
            )
        if isinstance(exc, lx.ContextWindowExceededError):
            return ProviderError(
                f"{where}: the conversation is longer than the model's window ({detail})",
                "start a new session or compact this one",
                provider=NAME,
            )
        if isinstance(exc, lx.UnsupportedParamsError | lx.BadRequestError):
            return ProviderError(
                f"{where}: request rejected ({detail})",
                "remove parameters this model does not accept",
                provider=NAME,
            )
        if isinstance(exc, lx.APIError | lx.LiteLLMUnknownProvider):
            return ProviderError(f"{where}: {detail}", CONFIGURE_HINT, provider=NAME)
        if isinstance(exc, httpx.HTTPError):
            return ProviderUnavailableError(f"{where}: {detail}", provider=NAME)
        return None

    def _cost(self, model: str, usage: Usage, response: Any = None) -> float | None:
        litellm = load_litellm()
        # Pricing is a nicety: an unpriced or unknown model must never fail a reply, and
        # litellm signals that with plain Exception subclasses.
        try:
            if response is not None:
                return float(litellm.completion_cost(completion_response=response, model=model))
            prompt, completion = litellm.cost_per_token(
                model=model,
                prompt_tokens=usage.input_tokens,
                completion_tokens=usage.output_tokens,
                cache_read_input_tokens=usage.cached_tokens,
            )
            return float(prompt + completion)
        except Exception as exc:
            log.debug("no price for %s: %s", model, self._clean(str(exc)))
            return None

    # -- chat ---------------------------------------------------------------------------

    async def chat(self, request: ChatRequest) -> ChatResponse:
        kwargs = self._call_kwargs(request, stream=False)
        with self._map_errors(request.model):
            response = await self._acompletion(kwargs, Deadline(self.settings.timeout))
        if not getattr(response, "choices", None):
            raise ProviderError(
                f"{self._where(request.model)}: the reply has no answer in it",
                "check that the server speaks the OpenAI chat-completions API",
                provider=NAME,
            )
        choice = response.choices[0]
        message = choice.message
        calls = [_tool_call(call, i) for i, call in enumerate(message.tool_calls or [])]
        usage = _usage(getattr(response, "usage", None))
        usage.cost = self._cost(kwargs["model"], usage, response)
        return ChatResponse(
            message=Message(role="assistant", content=message.content or "", tool_calls=calls),
            model=request.model,
            usage=usage,
            finish_reason=choice.finish_reason,
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        kwargs = self._call_kwargs(request, stream=True)
        deadline = Deadline(self.settings.timeout)
        with self._map_errors(request.model):
            response = await self._acompletion(kwargs, deadline)
        text: list[str] = []
        calls: dict[int, dict[str, Any]] = {}
        finish: str | None = None
        usage: Usage | None = None
        parts = aiter(response)
        try:
            while True:
                try:
                    part = await deadline.next(parts)
                except StopAsyncIteration:
                    break
                deadline.progress()
                if getattr(part, "usage", None) is not None:
                    usage = _usage(part.usage)
                if not part.choices:
                    continue
                choice = part.choices[0]
                finish = choice.finish_reason or finish
                delta = choice.delta
                for call in getattr(delta, "tool_calls", None) or []:
                    _merge_call(calls, call)
                if delta.content:
                    text.append(delta.content)
                    yield Chunk(delta=delta.content)
        except ProviderError:
            raise
        except TimeoutError as exc:
            raise self._timeout(request.model, started=bool(text)) from exc
        except Exception as exc:
            mapped = self._translate(exc, request.model)
            if mapped is None or not isinstance(mapped, ProviderTimeout):
                raise StreamInterrupted(
                    f"{self._where(request.model)}: the stream broke mid-answer "
                    f"({self._clean(_message(exc))})",
                    "the partial answer was kept; retry the question",
                    provider=NAME,
                    partial="".join(text),
                ) from exc
            raise mapped from exc
        if not text and not calls and usage is None:
            # LiteLLM turns a body it cannot read (not JSON, not SSE) into an empty stream
            # with a made-up `finish_reason`: without text, tool calls or usage nothing
            # came from the server, and an empty "success" must not be stored (#17).
            raise ProviderError(
                f"{self._where(request.model)}: the reply could not be read "
                "(no answer, tool call or usage in it)",
                "check that the server speaks the OpenAI chat-completions API "
                "(api_base usually ends in /v1)",
                provider=NAME,
            )
        if finish is None:
            raise StreamInterrupted(
                f"{request.model} via LiteLLM ended the answer without finishing it",
                "the partial answer was kept; retry the question",
                provider=NAME,
                partial="".join(text),
            )
        usage = usage or Usage()
        usage.cost = self._cost(kwargs["model"], usage)
        tool_calls = [
            ToolCall(
                id=c["id"] or f"call_{i}", name=c["name"], arguments=parse_tool_arguments(c["args"])
            )
            for i, c in sorted(calls.items())
        ]
        yield Chunk(tool_calls=tool_calls, finish_reason=finish, usage=usage)

    # -- models -------------------------------------------------------------------------

    def _keyed_providers(self) -> list[str]:
        return [provider for key, provider in KEY_PROVIDERS.items() if os.environ.get(key)]

    async def _served_models(self) -> list[str]:
        """Model ids at api_base (`GET {api_base}/models`)."""
        if not self.api_base:
            return []
        headers = {"authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(f"{self.api_base}/models", headers=headers)
                response.raise_for_status()
                data = response.json().get("data") or []
        except (httpx.HTTPError, ValueError, AttributeError) as exc:
            log.info("cannot list models at %s: %s", self.api_base, self._clean(str(exc)))
            return []
        return [
            f"openai/{entry['id']}" for entry in data if isinstance(entry, dict) and entry.get("id")
        ]

    def _registry_models(self) -> list[str]:
        providers = self._keyed_providers()
        if not providers:
            return []  # no key: nothing to list, and no reason to import litellm
        litellm = load_litellm()
        names: list[str] = []
        for provider in providers:
            for model in sorted(litellm.models_by_provider.get(provider, ())):
                entry = litellm.model_cost.get(model) or {}
                if entry.get("mode", "chat") != "chat":
                    continue
                names.append(model if model.startswith(f"{provider}/") else f"{provider}/{model}")
        return names

    async def list_models(self) -> list[ModelInfo]:
        names = [
            *self.settings.models,
            *await self._served_models(),
            *self._registry_models(),
        ]
        return [self._info(name) for name in dict.fromkeys(names)]

    def _info(self, name: str) -> ModelInfo:
        provider, _, _ = name.partition("/")
        entry: dict[str, Any] = {}
        if _litellm_module is not None:
            entry = (
                _litellm_module.model_cost.get(name)
                or _litellm_module.model_cost.get(name.partition("/")[2])
                or {}
            )
        return ModelInfo(
            name=name,
            provider=NAME,
            context_window=entry.get("max_input_tokens"),
            supports_tools=bool(entry.get("supports_function_calling", False)),
            # LiteLLM's model map says `supports_vision` for the models it knows.
            supports_vision=bool(entry["supports_vision"]) if "supports_vision" in entry else None,
            family=provider or None,
            details={
                k: entry[k]
                for k in ("input_cost_per_token", "output_cost_per_token", "max_output_tokens")
                if k in entry
            },
        )

    async def model_info(self, model: str) -> ModelInfo:
        load_litellm()
        return self._info(self.model_name(model))

    async def health(self) -> Health:
        if self.api_base:
            try:
                async with httpx.AsyncClient(timeout=3.0) as client:
                    response = await client.get(f"{self.api_base}/models")
            except httpx.HTTPError as exc:
                return Health(
                    provider=NAME,
                    ok=False,
                    detail=f"api_base {self.api_base} is not reachable ({type(exc).__name__})",
                    hint="start the server, or fix [providers.litellm] api_base",
                )
            return Health(
                provider=NAME,
                ok=response.status_code < 500,
                detail=f"api_base {self.api_base} answered {response.status_code}",
            )
        keys = [key for key in KEY_PROVIDERS if os.environ.get(key)]
        if keys or self._api_key:
            return Health(
                provider=NAME, ok=True, detail="keys present: " + ", ".join(keys or ["api_key"])
            )
        return Health(provider=NAME, ok=False, detail="no API key or api_base", hint=CONFIGURE_HINT)


# -- conversions --------------------------------------------------------------------------


def _tool_call(call: Any, index: int) -> ToolCall:
    function = call.function
    return ToolCall(
        id=str(getattr(call, "id", None) or f"call_{index}"),
        name=str(function.name or ""),
        arguments=parse_tool_arguments(function.arguments),
    )


def _merge_call(calls: dict[int, dict[str, Any]], call: Any) -> None:
    """Streamed tool calls come in pieces keyed by index; arguments are concatenated."""
    index = int(getattr(call, "index", None) or 0)
    entry = calls.setdefault(index, {"id": "", "name": "", "args": ""})
    function = getattr(call, "function", None)
    entry["id"] = entry["id"] or (getattr(call, "id", None) or "")
    if function is not None:
        entry["name"] = entry["name"] or (function.name or "")
        entry["args"] += function.arguments or ""


def _usage(raw: Any) -> Usage:
    if raw is None:
        return Usage()
    details = getattr(raw, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    return Usage(
        input_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        cached_tokens=int(cached or 0),
    )


def _message(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc) or type(exc).__name__
    return text if len(text) < 300 else text[:300] + "…"


def _connection_failed(exc: BaseException) -> bool:
    """litellm 1.110 reports a refused connection as InternalServerError (500): look at
    the causes for the transport's connection error."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return False
        if isinstance(seen, httpx.ConnectError) or type(seen).__name__ == "APIConnectionError":
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        headers = getattr(exc, "litellm_response_headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    return parse_retry_after(str(value)) if value is not None else None


def create(settings: Settings) -> LiteLLMProvider:
    return LiteLLMProvider(settings.providers.litellm)
