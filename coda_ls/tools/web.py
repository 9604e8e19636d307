"""web_fetch: an http(s) page as text (HTML converted to markdown), with a size cap."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from coda_ls.errors import ToolError
from coda_ls.tools.base import Tool, ToolArgs, ToolContext, ToolResult
from coda_ls.tools.html2md import html_to_markdown
from coda_ls.tools.netguard import host_allowed, resolve_public
from coda_ls.tools.permissions import PermissionRequest

if TYPE_CHECKING:
    import httpx

MAX_DOWNLOAD = 5_000_000
MAX_REDIRECTS = 10
TIMEOUT = 20.0
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-yaml", "application/yaml", "application/toml")  # fmt: skip


class WebFetchArgs(ToolArgs):
    url: str = Field(description="http:// or https:// URL")
    max_chars: int = Field(20_000, ge=100, le=200_000, description="Cut the text after this")


class WebFetch(Tool[WebFetchArgs]):
    name = "web_fetch"
    description = "Fetch a web page or text file; HTML is converted to markdown."
    category = "web"
    Args = WebFetchArgs

    async def describe(self, args: WebFetchArgs, ctx: ToolContext) -> PermissionRequest:
        # Refused before anyone is asked: a private address is not the user's call to
        # make in a hurry, it is web.allow_hosts' (a redirect is checked again in run).
        await _target(_parse(args.url), ctx.settings.web.allow_hosts)
        return PermissionRequest(
            self.name, self.category, f"Fetch {args.url}", details={"url": args.url}
        )

    async def run(self, args: WebFetchArgs, ctx: ToolContext) -> ToolResult:
        body, content_type, status, final_url = await _download(
            _parse(args.url), ctx.settings.web.allow_hosts
        )
        charset = "utf-8"
        if "charset=" in content_type:
            charset = content_type.split("charset=")[-1].split(";")[0].strip() or charset
        mime = content_type.split(";")[0].strip().lower()
        try:
            text = body.decode(charset, "replace")
        except LookupError:  # an unknown charset name in the header
            text = body.decode("utf-8", "replace")
        if mime in ("text/html", "application/xhtml+xml") or (
            not mime and text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))
        ):
            text = html_to_markdown(text)
        elif mime == "application/json":
            with contextlib.suppress(json.JSONDecodeError):
                text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        elif mime and not mime.startswith(_TEXT_TYPES) and not mime.endswith(("+json", "+xml")):
            raise ToolError(f"{args.url} is {mime} ({len(body):,} bytes), not text")
        if len(text) > args.max_chars:
            text = text[: args.max_chars] + f"\n[… cut at {args.max_chars:,} characters …]"
        header = f"{final_url} ({status}, {mime or 'unknown type'})"
        return ToolResult(f"{header}\n\n{text}", is_error=status >= 400)


def _parse(url: str) -> httpx.URL:
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise ToolError(f"{url!r} is not an http(s) URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ToolError(f"{url!r} is not an http(s) URL")
    return parsed


async def _target(url: httpx.URL, allow_hosts: Sequence[str]) -> str | None:
    """The checked address to connect to, or None for an allowed host (connect as usual).
    Raises ToolError for a loopback, private, link-local, … address."""
    port = url.port or (443 if url.scheme == "https" else 80)
    if host_allowed(url.host, port, allow_hosts):
        return None
    return await resolve_public(url.host, port)


async def _download(url: httpx.URL, allow_hosts: Sequence[str]) -> tuple[bytes, str, int, str]:
    """Body (at most MAX_DOWNLOAD bytes), content type, status, URL after redirects.

    Redirects are followed here, not by httpx, so that every hop is checked; each
    connection goes to the address that was checked (Host header and TLS name stay the
    host's), so a second DNS answer cannot swap in a private address."""
    import httpx

    headers = {"User-Agent": "coda-web-fetch/1", "Accept": "*/*"}
    try:
        async with httpx.AsyncClient(follow_redirects=False, timeout=TIMEOUT) as client:
            for _ in range(MAX_REDIRECTS + 1):
                address = await _target(url, allow_hosts)
                request = _pinned_request(client, url, address, headers)
                response = await client.send(request, stream=True)
                try:
                    location = response.headers.get("location")
                    if response.is_redirect and location:
                        next_url = url.join(location)
                        if next_url.scheme not in ("http", "https"):
                            raise ToolError(f"{url} redirects to {next_url}, not http(s)")
                        url = next_url
                        continue
                    return await _read_capped(response) + (response.status_code, str(url))
                finally:
                    await response.aclose()
            raise ToolError(f"{url}: more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        raise ToolError(f"{url}: no answer within {TIMEOUT:g}s") from None
    except httpx.HTTPError as exc:
        raise ToolError(f"{url}: {type(exc).__name__}: {exc}") from None


def _pinned_request(
    client: httpx.AsyncClient, url: httpx.URL, address: str | None, headers: dict[str, str]
) -> httpx.Request:
    if address is None:
        return client.build_request("GET", url, headers=headers)
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    return client.build_request(
        "GET",
        url.copy_with(host=address),
        headers={**headers, "Host": url.netloc.decode("ascii")},
        extensions=extensions,
    )


async def _read_capped(response: httpx.Response) -> tuple[bytes, str]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_DOWNLOAD:
            break  # the cap: the rest is never read
    return b"".join(chunks)[:MAX_DOWNLOAD], response.headers.get("content-type", "")
