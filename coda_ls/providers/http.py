"""httpx plumbing shared by the native HTTP providers (Ollama, OpenAI-compatible).

An error status is read in full and raised as `StatusFailure`, so the retry loop can look
at its status and `retry-after` before the provider translates it; `transport_error`
turns httpx's transport failures into Coda errors, telling apart a server that is not
there, one that is too slow, and one that does not speak HTTP at all.
"""

from __future__ import annotations

import functools
import json
import ssl
from collections.abc import Callable, Collection
from typing import Any

import httpx

from coda_ls.errors import (
    ProviderError,
    ProviderTimeout,
    ProviderUnavailableError,
)
from coda_ls.providers.retry import Retry, parse_retry_after

# httpx's message when the peer closed the connection before any status line.
_NO_RESPONSE = "Server disconnected without sending a response"


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every provider client of the process. Each httpx client
    otherwise builds its own, loading the CA bundle again (~25 ms of CPU): automatic
    selection creates a client per provider it probes."""
    return httpx.create_ssl_context()


class StatusFailure(Exception):
    """A reply with status >= 400, its body read; the provider retries or translates it."""

    def __init__(self, status: int, headers: httpx.Headers, text: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers
        self.text = text

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))

    def body(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def detail(self) -> str:
        """The server's own explanation: `error.message`, `error`, `message` or the text."""
        body = self.body()
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, dict) and error.get("message"):
                return str(error["message"])
            if isinstance(error, str) and error:
                return error
            if body.get("message"):
                return str(body["message"])
            if body.get("detail"):
                return str(body["detail"])
        text = self.text.strip() or f"HTTP {self.status}"
        return text if len(text) <= 300 else text[:300] + "…"


def retry_statuses(statuses: Collection[int]) -> Callable[[BaseException], Retry | None]:
    """A `classify` for `with_retries` that retries these statuses, honouring retry-after."""

    def classify(exc: BaseException) -> Retry | None:
        if isinstance(exc, StatusFailure) and exc.status in statuses:
            return Retry(exc.retry_after)
        return None

    return classify


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    json: Any = None,
    headers: dict[str, str] | None = None,
    stream: bool = False,
    timeout: httpx.Timeout | None = None,
) -> httpx.Response:
    """Send a request; a reply of status >= 400 is read, closed and raised."""
    extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    request = client.build_request(method, url, json=json, headers=headers, **extra)
    response = await client.send(request, stream=stream)
    if response.status_code >= 400:
        try:
            await response.aread()
        finally:
            await response.aclose()
        raise StatusFailure(response.status_code, response.headers, response.text)
    return response


def not_http(exc: httpx.HTTPError) -> bool:
    """Whether a failure before the reply's headers means the peer does not speak HTTP
    (a garbage status line, another protocol's banner) rather than hanging up."""
    return isinstance(exc, httpx.RemoteProtocolError) and _NO_RESPONSE not in str(exc)


def transport_error(
    exc: httpx.HTTPError,
    *,
    server: str,
    provider: str,
    timeout: float,
    unreachable_hint: str,
    timeout_hint: str,
) -> ProviderError:
    """The Coda error for an httpx failure before the reply started."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ProviderUnavailableError(
            f"{server} is not reachable ({exc or type(exc).__name__})",
            unreachable_hint,
            provider=provider,
        )
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeout(
            f"{server} did not answer within {timeout:g}s", timeout_hint, provider=provider
        )
    if not_http(exc):
        return ProviderError(
            f"{server} sent something that is not HTTP ({exc})",
            "check that the URL and port are those of the model server",
            provider=provider,
        )
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return ProviderUnavailableError(
            f"{server} closed the connection without answering ({exc or type(exc).__name__})",
            "see the server's log; retry the question",
            provider=provider,
        )
    return ProviderError(f"request to {server} failed: {exc}", provider=provider)


def timed_out(
    server: str, provider: str, timeout: float, hint: str, started: bool
) -> ProviderTimeout:
    """The Coda error when a `Deadline` ran out: before the reply or mid-answer."""
    if started:
        return ProviderTimeout(
            f"{server} stopped answering for {timeout:g}s mid-answer (the partial answer was kept)",
            hint,
            provider=provider,
        )
    return ProviderTimeout(f"{server} did not answer within {timeout:g}s", hint, provider=provider)
