"""web_fetch: an http(s) page as text (HTML converted to markdown), with a size cap."""

from __future__ import annotations

import contextlib
import json
from urllib.parse import urlparse

from pydantic import Field

from coda_ls.errors import ToolError
from coda_ls.tools.base import Tool, ToolArgs, ToolContext, ToolResult
from coda_ls.tools.html2md import html_to_markdown
from coda_ls.tools.permissions import PermissionRequest

MAX_DOWNLOAD = 5_000_000
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
        return PermissionRequest(
            self.name, self.category, f"Fetch {args.url}", details={"url": args.url}
        )

    async def run(self, args: WebFetchArgs, ctx: ToolContext) -> ToolResult:
        parsed = urlparse(args.url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ToolError(f"{args.url!r} is not an http(s) URL")
        body, content_type, status, final_url = await _download(args.url)
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


async def _download(url: str) -> tuple[bytes, str, int, str]:
    """Body (at most MAX_DOWNLOAD bytes), content type, status, URL after redirects."""
    import httpx

    headers = {"User-Agent": "coda-web-fetch/1", "Accept": "*/*"}
    try:
        async with (
            httpx.AsyncClient(follow_redirects=True, timeout=TIMEOUT, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_DOWNLOAD:
                    break  # the cap: the rest is never read
            body = b"".join(chunks)[:MAX_DOWNLOAD]
            return (
                body,
                response.headers.get("content-type", ""),
                response.status_code,
                str(response.url),
            )
    except httpx.TimeoutException:
        raise ToolError(f"{url}: no answer within {TIMEOUT:g}s") from None
    except httpx.HTTPError as exc:
        raise ToolError(f"{url}: {type(exc).__name__}: {exc}") from None
