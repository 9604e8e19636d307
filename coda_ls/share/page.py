"""A shared session as one self-contained, read-only HTML page.

Everything is inline: CSS (with Pygments' colours for the highlighted code), no script
and no external resource, so the page opens from a file, an e-mail attachment or a share
link alike, and a Content-Security-Policy of `default-src 'none'` does not break it. Tool
calls and their results are folded in `<details>`. The (already redacted) export is
embedded as JSON, so `coda sessions import page.html` continues the session elsewhere.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import escape
from typing import Any

from coda_ls.errors import CodaError

DATA_ID = "coda-session"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:960px;padding:16px;color:#222}
header{border-bottom:1px solid #ddd;margin-bottom:12px}.meta{color:#666;font-size:13px}
.msg{border-left:3px solid #ccc;padding:4px 12px;margin:12px 0}
.msg.user{border-color:#4e79a7}.msg.assistant{border-color:#59a14f}
.msg.system{border-color:#b07aa1}.role{font-weight:600;text-transform:capitalize}
.md pre,pre.tool{background:#f6f8fa;padding:8px;overflow:auto;font-size:13px}
details.tool{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:2px 8px}
details.tool summary{cursor:pointer;color:#555;font-family:monospace}
.error{color:#b91c1c}footer{color:#666;font-size:12px;margin-top:24px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px}
"""


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return escape(iso)


def _code(text: str, lang: str) -> str:
    from coda_ls.web.render import highlight_code

    return f"<pre class='tool'><code>{highlight_code(text, lang)}</code></pre>"


def _arguments(call: dict[str, Any]) -> str:
    raw = call.get("arguments", call.get("function", {}).get("arguments", {}))
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return str(raw)
    return json.dumps(raw, indent=2, ensure_ascii=False)


def _call_name(call: dict[str, Any]) -> str:
    return str(call.get("name") or call.get("function", {}).get("name") or "tool")


def _tool_block(call: dict[str, Any], result: dict[str, Any] | None) -> str:
    name = _call_name(call)
    args = _arguments(call)
    brief = " ".join(args.split())
    brief = brief if len(brief) <= 80 else brief[:79] + "…"
    parts = [f"<details class='tool' data-tool='{escape(name)}'>"]
    parts.append(f"<summary>tool call: {escape(name)} {escape(brief)}</summary>")
    parts.append(_code(args, "json"))
    if result is not None:
        status = " (failed)" if result.get("error") else ""
        parts.append(f"<div class='meta'>result{status}</div>")
        parts.append(_code(str(result.get("content") or result.get("error") or ""), "text"))
    parts.append("</details>")
    return "".join(parts)


def _message(message: dict[str, Any], results: dict[str, dict[str, Any]]) -> str:
    from coda_ls.web.render import markdown_html

    role = str(message.get("role", "user"))
    details = [_when(message.get("created_at"))]
    if message.get("model"):
        provider = message.get("provider")
        details.append(f"{provider}/{message['model']}" if provider else str(message["model"]))
    if message.get("mode"):
        details.append(f"mode {message['mode']}")
    tokens = (message.get("input_tokens") or 0, message.get("output_tokens") or 0)
    if any(tokens):
        details.append(f"{tokens[0]}→{tokens[1]} tokens")
    if message.get("status") not in (None, "complete"):
        details.append(str(message["status"]))
    meta = " · ".join(escape(part) for part in details if part)
    body = markdown_html(str(message.get("content") or ""))
    if role == "system":
        body = f"<details class='tool'><summary>system prompt</summary>{body}</details>"
    parts = [
        f"<section class='msg {escape(role)}'><div><span class='role'>{escape(role)}</span>"
        f" <span class='meta'>{meta}</span></div><div class='md'>{body}</div>"
    ]
    for call in message.get("tool_calls") or []:
        parts.append(_tool_block(call, results.get(str(call.get("id")))))
    if message.get("error"):
        parts.append(f"<p class='error'>{escape(str(message['error']))}</p>")
    parts.append("</section>")
    return "".join(parts)


def _totals(messages: list[dict[str, Any]]) -> str:
    inputs = sum(int(m.get("input_tokens") or 0) for m in messages)
    outputs = sum(int(m.get("output_tokens") or 0) for m in messages)
    costs = [float(m["cost"]) for m in messages if m.get("cost") is not None]
    models = sorted({str(m["model"]) for m in messages if m.get("model")})
    text = f"{len(messages)} messages · {inputs:,} input / {outputs:,} output tokens"
    if costs:
        text += f" · ${sum(costs):.4f}"
    if models:
        text += " · " + ", ".join(models)
    return escape(text)


def _embedded(data: dict[str, Any]) -> str:
    # `<`, `>` and `&` escaped as JSON unicode escapes: the text cannot close the script.
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<script type='application/json' id='{DATA_ID}'>{text}</script>"


def render_page(data: dict[str, Any]) -> str:
    """The page for a (redacted) session export."""
    from coda_ls.web.render import code_css

    session = data.get("session") or {}
    messages: list[dict[str, Any]] = list(data.get("messages") or [])
    # A tool result is shown inside the call that asked for it.
    results = {
        str(m["tool_call_id"]): m
        for m in messages
        if m.get("role") == "tool" and m.get("tool_call_id")
    }
    called = {str(c.get("id")) for m in messages for c in (m.get("tool_calls") or [])}
    shown = [
        m
        for m in messages
        if not (m.get("role") == "tool" and str(m.get("tool_call_id")) in called)
    ]
    title = str(session.get("title") or "Shared Coda session")
    meta = [f"shared session · {_totals(messages)}"]
    if session.get("project"):
        meta.append(f"project {escape(str(session['project']))}")
    if session.get("vcs_revision"):
        meta.append(f"revision {escape(str(session['vcs_revision'])[:12])}")
    if session.get("created_at"):
        meta.append(f"started {_when(session['created_at'])}")
    body = []
    for message in shown:
        if message.get("role") == "tool":  # a result whose call is not in the history
            call: dict[str, Any] = {
                "id": message.get("tool_call_id"),
                "name": "tool",
                "arguments": {},
            }
            body.append(f"<section class='msg tool'>{_tool_block(call, message)}</section>")
        else:
            body.append(_message(message, results))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
        "<meta name='robots' content='noindex'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)} · Coda</title><style>{_CSS}{code_css()}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p class='meta'>{' · '.join(meta)}</p></header>"
        f"<main>{''.join(body)}</main>"
        "<footer>Read-only copy made with <code>coda sessions share</code>; secrets and "
        "absolute paths were redacted. Continue it elsewhere with "
        "<code>coda sessions import this-page.html</code>.</footer>"
        f"{_embedded(data)}</body></html>"
    )


_DATA = re.compile(
    r"<script[^>]*\bid=['\"]" + DATA_ID + r"['\"][^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE
)


def read_shared(text: str) -> str:
    """The session JSON in `text`: the text itself, or the JSON a shared page embeds."""
    stripped = text.lstrip()
    if not stripped.startswith("<"):
        return text
    match = _DATA.search(text)
    if match is None:
        raise CodaError(
            "this HTML file is not a page made by `coda sessions share`",
            "import the page itself or the JSON from `coda sessions export --format json`",
        )
    return match.group(1)
