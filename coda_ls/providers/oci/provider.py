"""OCI Generative AI through the `oci` SDK: chat, SSE streaming, discovery, errors.

The SDK blocks, so every call runs on this provider's own thread pool; a stream is read by
one pool thread that hands each event to the event loop through an `asyncio.Queue`.
`oci` is imported on first use only (importing this module does not import it). Every
oci exception is translated by `_map_errors`; 429 and 5xx are retried first
(`coda_ls.providers.retry`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from coda_ls.config import ModelPrice, OCISettings, Settings
from coda_ls.errors import (
    AuthError,
    ModelNotFoundError,
    NotAuthorizedOrNotFound,
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
    Usage,
)
from coda_ls.providers.oci import formats
from coda_ls.providers.oci.auth import OCIAuth, load_auth
from coda_ls.providers.oci.models import (
    ModelCache,
    ModelRecord,
    friendly_name,
    records_from_summaries,
    resolve,
)
from coda_ls.providers.retry import Retry, RetryPolicy, parse_retry_after, with_retries

log = logging.getLogger(__name__)

NAME = "oci"
T = TypeVar("T")
COMPARTMENT_HINT = (
    "set [providers.oci] compartment_id, or CODA_OCI_COMPARTMENT_ID / OCI_COMPARTMENT_ID, "
    "to the OCID of a compartment with Generative AI access"
)
POLICY_HINT = (
    "check compartment_id, and that an IAM policy allows your group to "
    "`use generative-ai-family in compartment <name>`"
)
_END = object()


class OCIProvider:
    """The `Provider` for OCI Generative AI (on-demand or dedicated chat models)."""

    name = NAME

    def __init__(
        self,
        settings: OCISettings,
        *,
        retry_policy: RetryPolicy | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.retry_policy = retry_policy or RetryPolicy(max_retries=settings.max_retries)
        self._cache_dir = cache_dir
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="coda-oci")
        self._auth: OCIAuth | None = None
        self._inference: Any = None
        self._management: Any = None
        self._records: list[ModelRecord] | None = None
        self._lock = threading.Lock()

    # -- plumbing ---------------------------------------------------------------------

    async def aclose(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    @property
    def compartment_id(self) -> str:
        if not self.settings.compartment_id:
            raise ProviderUnavailableError(
                "OCI compartment is not set", COMPARTMENT_HINT, provider=NAME
            )
        return self.settings.compartment_id

    async def _in_thread(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    def _clients(self) -> tuple[Any, Any]:
        """The inference and management clients, built once (blocking: run in a thread)."""
        with self._lock:
            if self._inference is None:
                import oci

                # The SDK logs a warning for every SSE reply it returns; not news for us.
                quiet = logging.getLogger("oci.base_client")
                if quiet.level == logging.NOTSET:
                    quiet.setLevel(logging.ERROR)
                self._auth = load_auth(self.settings)
                common: dict[str, Any] = {
                    # Coda retries itself (with retry-after) and must see every failure.
                    "retry_strategy": oci.retry.NoneRetryStrategy(),
                    "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
                    "timeout": (min(10.0, self.settings.timeout), self.settings.timeout),
                    **self._auth.client_kwargs(),
                }
                endpoint = self.settings.endpoint
                management_endpoint = (
                    endpoint.replace("inference.generativeai.", "generativeai.")
                    if endpoint
                    else None
                )
                self._inference = oci.generative_ai_inference.GenerativeAiInferenceClient(
                    self._auth.config,
                    **({"service_endpoint": endpoint} if endpoint else {}),
                    **common,
                )
                self._management = oci.generative_ai.GenerativeAiClient(
                    self._auth.config,
                    **({"service_endpoint": management_endpoint} if management_endpoint else {}),
                    **common,
                )
            return self._inference, self._management

    @property
    def endpoint(self) -> str:
        if self._inference is not None:
            return str(self._inference.base_client.endpoint)
        return self.settings.endpoint or "the OCI Generative AI endpoint"

    @staticmethod
    def _classify(exc: BaseException) -> Retry | None:
        """429 and 5xx are worth another try (honouring retry-after)."""
        status = getattr(exc, "status", None)
        if type(exc).__name__ not in ("ServiceError", "TransientServiceError"):
            return None
        if status == 429 or (isinstance(status, int) and status >= 500):
            headers = getattr(exc, "headers", None) or {}
            return Retry(parse_retry_after(headers.get("retry-after")))
        return None

    async def _call(self, fn: Callable[[], T], what: str) -> T:
        return await with_retries(
            lambda: self._in_thread(fn), self.retry_policy, self._classify, what=f"OCI {what}"
        )

    @contextlib.contextmanager
    def _map_errors(self, model: str | None = None) -> Iterator[None]:
        """Translate oci failures into Coda errors (the one place that knows oci types)."""
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
        import oci

        if isinstance(exc, oci.exceptions.ServiceError):
            return self._service_error(exc, model)
        if isinstance(exc, oci.exceptions.ConnectTimeout):
            return ProviderTimeout(
                f"OCI did not accept a connection at {self.endpoint} in time",
                "check the network/proxy, and region/endpoint in [providers.oci]",
                provider=NAME,
            )
        if isinstance(exc, oci.exceptions.RequestException):
            cause = exc.args[0] if exc.args else exc
            from oci._vendor.requests import exceptions as rq

            if isinstance(cause, rq.Timeout) or isinstance(exc, rq.Timeout):
                return ProviderTimeout(
                    f"OCI did not answer within {self.settings.timeout:g}s",
                    "retry, or raise [providers.oci] timeout",
                    provider=NAME,
                )
            return ProviderUnavailableError(
                f"cannot reach OCI Generative AI at {self.endpoint} ({_short(cause)})",
                "check the network/proxy and [providers.oci] region / endpoint",
                provider=NAME,
            )
        if isinstance(exc, oci.exceptions.ClientError):
            return AuthError(f"OCI client error: {exc}", provider=NAME)
        return None

    def _service_error(self, exc: Any, model: str | None) -> ProviderError:
        status, code = int(exc.status), str(exc.code or "")
        detail = f"{status} {code}: {exc.message}" if exc.message else f"{status} {code}"
        request_id = f" (opc-request-id {exc.request_id})" if exc.request_id else ""
        text = str(exc.message or "").lower()
        if status == 401 or code == "NotAuthenticated":
            hint = (
                "the session expired? run `oci session refresh`"
                if self.settings.auth == "SECURITY_TOKEN"
                else "check user, fingerprint, tenancy and key_file in the OCI profile "
                "(and that the public key is uploaded to the user)"
            )
            return AuthError(f"OCI refused the credentials ({detail})", hint, provider=NAME)
        if model is not None and (status == 404 or status == 400) and "model" in text:
            return ModelNotFoundError(
                f"OCI does not know the model {model!r} ({detail})",
                "`coda models -p oci` lists the chat models in your region",
                provider=NAME,
            )
        if status == 404 or code == "NotAuthorizedOrNotFound":
            return NotAuthorizedOrNotFound(
                f"OCI: not authorized or not found ({detail}){request_id}",
                POLICY_HINT,
                provider=NAME,
            )
        if status == 429:
            after = parse_retry_after((exc.headers or {}).get("retry-after"))
            return RateLimitError(
                f"OCI rate limit: still 429 after {self.retry_policy.max_retries} retries",
                "wait a minute, or ask for a higher Generative AI limit in your tenancy",
                provider=NAME,
                retry_after=after,
            )
        if status >= 500:
            return ProviderUnavailableError(
                f"OCI Generative AI service error {detail}{request_id}",
                "the service is having trouble; retry later (status: https://ocistatus.oraclecloud.com)",
                provider=NAME,
            )
        return ProviderError(f"OCI rejected the request: {detail}{request_id}", provider=NAME)

    # -- models -------------------------------------------------------------------------

    async def _model_records(self, *, refresh: bool = False) -> list[ModelRecord]:
        if self._records is not None and not refresh:
            return self._records
        compartment = self.compartment_id
        with self._map_errors():
            _, management = await self._in_thread(self._clients)
            assert self._auth is not None
            cache = ModelCache(self._auth.region, compartment, self._cache_dir)
            cached = None if refresh else await self._in_thread(cache.load)
            if cached is not None:
                self._records = cached
                return cached

            def fetch() -> list[ModelRecord]:
                import oci

                response = oci.pagination.list_call_get_all_results(
                    management.list_models,
                    compartment_id=compartment,
                    capability=["CHAT"],
                    lifecycle_state="ACTIVE",
                )
                return records_from_summaries(list(response.data))

            records = await self._call(fetch, "list_models")
        await self._in_thread(lambda: cache.save(records))
        self._records = records
        return records

    async def list_models(self) -> list[ModelInfo]:
        return [record.info() for record in await self._model_records()]

    async def model_info(self, model: str) -> ModelInfo:
        records = await self._model_records()
        model_id = resolve(model, [r.id for r in records])
        for record in records:
            if record.id == model_id:
                return record.info()
        return ModelRecord(model_id, "").info()

    async def _model_id(self, model: str) -> str:
        try:
            known = [record.id for record in await self._model_records()]
        except NotAuthorizedOrNotFound as exc:  # may list nothing yet be allowed to chat
            log.info("OCI model discovery refused (%s); sending %r as given", exc.message, model)
            known = []
        except (AuthError, ProviderUnavailableError):
            raise
        except ProviderError as exc:  # discovery is a convenience; chat may still work
            log.info("OCI model discovery failed (%s); sending %r as given", exc.message, model)
            known = []
        return resolve(model, known)

    # -- chat ---------------------------------------------------------------------------

    def _cost(self, usage: Usage, model_id: str, asked: str) -> Usage:
        prices = self.settings.prices
        price: ModelPrice | None = next(
            (prices[k] for k in (asked, model_id, friendly_name(model_id)) if k in prices), None
        )
        if price is None:
            return usage
        cached = min(usage.cached_tokens, usage.input_tokens)
        cached_price = price.cached_input if price.cached_input is not None else price.input
        cost = (
            (usage.input_tokens - cached) * price.input
            + cached * cached_price
            + usage.output_tokens * price.output
        ) / 1_000_000
        return usage.model_copy(update={"cost": cost})

    async def _prepare(self, request: ChatRequest, stream: bool) -> tuple[Any, Any, str]:
        compartment = self.compartment_id
        model_id = await self._model_id(request.model)
        details = formats.build_chat_details(request, model_id, compartment, stream=stream)
        with self._map_errors(request.model):
            inference, _ = await self._in_thread(self._clients)
        return inference, details, model_id

    async def chat(self, request: ChatRequest) -> ChatResponse:
        inference, details, model_id = await self._prepare(request, stream=False)
        with self._map_errors(request.model):
            response = await self._call(lambda: inference.chat(details), "chat")
        chunk = formats.chunk_from_result(response.data)
        message = Message(role="assistant", content=chunk.delta, tool_calls=chunk.tool_calls)
        usage = self._cost(chunk.usage or Usage(), model_id, request.model)
        return ChatResponse(
            message=message, model=model_id, usage=usage, finish_reason=chunk.finish_reason
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        inference, details, model_id = await self._prepare(request, stream=True)
        with self._map_errors(request.model):
            response = await self._call(lambda: inference.chat(details), "chat")
        events = response.data
        if not hasattr(events, "events"):  # a JSON reply although a stream was asked for
            chunk = formats.chunk_from_result(events)
            chunk.usage = self._cost(chunk.usage or Usage(), model_id, request.model)
            yield chunk
            return
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def hand(item: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed while we read
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def pump() -> None:
            try:
                for event in events.events():
                    if stop.is_set():
                        return
                    hand(event.data)
            except Exception as exc:  # handed to the loop, which maps it
                if not stop.is_set():
                    hand(exc)
                return
            hand(_END)

        reader = loop.run_in_executor(self._executor, pump)
        parser = formats.StreamParser()
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    raise self._interrupted(item, parser)
                piece = parser.feed(item)
                if piece is not None:
                    yield piece
        finally:
            stop.set()
            with contextlib.suppress(Exception):  # closing a dead socket may fail; harmless
                events.close()  # unblocks the reader thread if it still waits
            reader.cancel()
        if parser.finished is None:
            raise StreamInterrupted(
                "OCI ended the answer without finishing it",
                "the partial answer was kept; retry the question",
                provider=NAME,
                partial="".join(parser.text),
            )
        final = parser.final()
        final.usage = self._cost(final.usage or Usage(), model_id, request.model)
        yield final

    def _interrupted(self, exc: BaseException, parser: formats.StreamParser) -> ProviderError:
        mapped = self._translate(exc, None) if isinstance(exc, Exception) else None
        if isinstance(mapped, ProviderTimeout):
            mapped.__cause__ = exc
            return mapped
        error = StreamInterrupted(
            f"the OCI stream broke mid-answer ({_short(exc)})",
            "the partial answer was kept; retry the question",
            provider=NAME,
            partial="".join(parser.text),
        )
        error.__cause__ = exc
        return error

    # -- health -------------------------------------------------------------------------

    async def health(self) -> Health:
        try:
            compartment = self.compartment_id
            records = await self._model_records()
        except ProviderError as exc:
            return Health(provider=NAME, ok=False, detail=exc.message, hint=exc.hint)
        assert self._auth is not None
        where = ", ".join(f"{k} {v}" for k, v in self._auth.details.items())
        return Health(
            provider=NAME,
            ok=True,
            detail=f"OCI Generative AI {self._auth.region} ({self._auth.method}"
            f"{', ' + where if where else ''}; compartment …{compartment[-8:]}; "
            f"{len(records)} chat models)",
        )


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 200 else text[:200] + "…"


def create(settings: Settings) -> OCIProvider:
    return OCIProvider(settings.providers.oci)
