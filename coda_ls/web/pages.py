"""The HTML of each page: plain server-rendered markup, one small script for streaming.
Every value from the store or a model is escaped here."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING

from coda_ls.web.charts import bar_chart
from coda_ls.web.render import markdown_html, pygments_css

if TYPE_CHECKING:
    from coda_ls.doctor import Check
    from coda_ls.sessions import MessageRecord, SearchHit, Session
    from coda_ls.sessions.usage import UsageReport, UsageRow

CSS = """
body{font-family:system-ui,sans-serif;margin:0;color:#222}
nav{background:#1f2937;padding:8px 16px}nav a{color:#fff;margin-right:16px;text-decoration:none}
main{padding:16px;max-width:1100px}
table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
.ok{color:#15803d}.fail{color:#b91c1c}.info{color:#666}
.md pre{background:#f6f8fa;padding:8px;overflow:auto}
.msg{border-left:3px solid #ccc;padding:4px 12px;margin:8px 0}.msg.user{border-color:#4e79a7}
.msg.assistant{border-color:#59a14f}.meta{color:#666;font-size:12px}
.cols{display:flex;gap:12px}.cols>div{flex:1;border:1px solid #ddd;padding:8px;min-width:0}
mark{background:#fde68a}.error{color:#b91c1c}
.permission{border:1px solid #f59e0b;background:#fffbeb;padding:6px;margin:4px 0}
figure.diagram{margin:8px 0}figure.diagram figcaption{color:#666;font-size:12px}
textarea{width:100%;height:80px}.chart .axis{font-size:10px}.chart .chart-title{font-size:12px}
"""

# The one script: streaming over fetch (EventSource cannot POST a form), @file completion.
SCRIPT = (files("coda_ls.web") / "page.js").read_text(encoding="utf-8")


def layout(title: str, body: str, *, script: str = "") -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)} · Coda</title><style>{CSS}{pygments_css()}</style></head><body>"
        "<nav><a href='/'>Dashboard</a><a href='/chat'>Chat</a><a href='/compare'>Compare</a>"
        "<a href='/sessions'>Sessions</a></nav>"
        f"<main><h1>{escape(title)}</h1>{body}</main>"
        # mermaid.js only from the local copy the settings name (404 without one).
        "<script src='/assets/mermaid.js'></script>"
        f"<script>{SCRIPT}{script}</script></body></html>"
    )


def _when(stamp: float) -> str:
    return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def dashboard(
    checks: Sequence[Check], report: UsageReport, latency: dict[str, float | None]
) -> str:
    rows = []
    for check in checks:
        state, css = {True: ("ok", "ok"), False: ("failed", "fail"), None: ("—", "info")}[check.ok]
        provider = check.area == "provider"
        rows.append(
            f"<tr class='check {css}' data-area='{escape(check.area)}'><td>{escape(check.area)}"
            f"</td><td>{escape(check.name)}</td><td class='{css}'>{state}</td>"
            f"<td class='latency'>{_ms(latency.get(check.name)) if provider else ''}"
            f"</td><td>{escape(check.detail)}</td><td>{escape(check.fix)}</td></tr>"
        )
    days = [row.key for row in report.days]
    tokens = bar_chart(
        "Tokens per day",
        days,
        [
            ("input", [r.input_tokens for r in report.days]),
            ("output", [r.output_tokens for r in report.days]),
            ("cached", [r.cached_tokens for r in report.days]),
        ],
    )
    cost = bar_chart(
        "Cost per day (USD)", days, [("cost", [r.cost for r in report.days])], fmt="{:,.4f}"
    )
    body = (
        "<h2>Providers and checks</h2><table id='checks'><tr><th>area</th><th>name</th>"
        "<th>state</th><th>latency</th><th>detail</th><th>to fix</th></tr>"
        + "".join(rows)
        + "</table>"
        f"<h2>Usage, last 30 days</h2><div id='usage-charts'>{tokens}{cost}</div>"
        + _usage_table("Per model (time to first token, errors)", "per-model", report.models)
        + _usage_table("Per provider", "per-provider", report.providers)
        + _usage_table("Per mode", "per-mode", report.modes)
    )
    return layout("Dashboard", body)


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.0f} ms"


def _usage_table(title: str, css_id: str, rows: Sequence[UsageRow]) -> str:
    lines = [
        f"<h3>{escape(title)}</h3><table id='{css_id}'><tr><th>name</th><th>replies</th>"
        "<th>tokens in</th><th>out</th><th>cached</th><th>cost</th><th>avg ttft</th>"
        "<th>error rate</th></tr>"
    ]
    for r in rows:
        ttft = f"{r.ttft_ms:.0f} ms" if r.ttft_ms is not None else "—"
        lines.append(
            f"<tr><td>{escape(r.key)}</td><td>{r.replies}</td><td>{r.input_tokens:,}</td>"
            f"<td>{r.output_tokens:,}</td><td>{r.cached_tokens:,}</td><td>${r.cost:.4f}</td>"
            f"<td>{ttft}</td><td>{r.error_rate:.1%}</td></tr>"
        )
    return "".join(lines) + "</table>"


def _messages(history: Sequence[MessageRecord]) -> str:
    return "".join(
        f"<div class='msg {escape(m.role)}'><div class='md'>{markdown_html(m.content)}</div></div>"
        for m in history
        if m.role in ("user", "assistant") and m.content
    )


def _model_options(models: Sequence[tuple[str, str]]) -> str:
    return "".join(
        f"<option value='{escape(p)}::{escape(m)}'>{escape(m)} ({escape(p)})</option>"
        for p, m in models
    )


def chat(
    modes: Sequence[str],
    models: Sequence[tuple[str, str]],
    problems: Sequence[str],
    session_id: str = "",
    history: Sequence[MessageRecord] = (),
) -> str:
    mode_options = "".join(f"<option>{escape(m)}</option>" for m in modes)
    warn = "".join(f"<p class='error'>{escape(p)}</p>" for p in problems)
    body = (
        f"{warn}<div id='log'>{_messages(history)}</div><form id='chat-form'>"
        f"<input type='hidden' name='session' value='{escape(session_id)}'>"
        f"<label>mode <select name='mode'>{mode_options}</select></label> "
        f"<label>model <select name='model'><option value=''>default</option>"
        f"{_model_options(models)}</select></label>"
        "<textarea name='question' placeholder='Ask about this project; @path adds a file'>"
        "</textarea><ul id='mention-list'></ul>"
        "<label>attach <input type='file' name='uploads' multiple></label> "
        "<label><input type='checkbox' name='tools' checked> tools (asks first)</label> "
        "<button type='submit'>Send</button> <span id='status'></span></form>"
    )
    return layout("Chat", body, script="setupChat();")


def compare(models: Sequence[tuple[str, str]]) -> str:
    boxes = "".join(
        f"<label><input type='checkbox' name='models' value='{escape(p)}::{escape(m)}'>"
        f"{escape(m)} ({escape(p)})</label> "
        for p, m in models
    )
    body = (
        f"<form id='compare-form'><p>{boxes}</p><textarea name='question'></textarea>"
        "<button type='submit'>Compare</button></form><div id='columns' class='cols'></div>"
    )
    return layout("Compare models", body, script="setupCompare();")


def sessions(items: Sequence[Session], hits: Sequence[SearchHit] | None, query: str) -> str:
    search = (
        "<form method='get' action='/sessions'><input name='q' id='search' "
        f"value='{escape(query)}' placeholder='search every message'>"
        "<button>Search</button></form>"
    )
    if hits is not None:
        rows = []
        for hit in hits:
            snippet = "".join(
                f"<mark>{escape(text)}</mark>" if match else escape(text)
                for text, match in hit.parts()
            )
            rows.append(
                f"<li class='hit'><a href='/sessions/{hit.session_id}#m{hit.message_id}'>"
                f"{escape(hit.session_title or 'untitled')}</a> ({escape(hit.role)}) "
                f"<span class='snippet'>{snippet}</span></li>"
            )
        listing = f"<h2>{len(hits)} matches</h2><ul id='hits'>{''.join(rows)}</ul>"
    else:
        rows = [
            f"<tr class='session'><td><a href='/sessions/{s.id}'>"
            f"{escape(s.title or 'untitled')}</a></td><td>{s.short_id}</td>"
            f"<td>{s.message_count}</td><td>{_when(s.updated_at)}</td>"
            f"<td>{'branch of ' + s.parent_id[:8] if s.parent_id else ''}</td></tr>"
            for s in items
        ]
        listing = (
            "<table id='sessions'><tr><th>title</th><th>id</th><th>messages</th>"
            f"<th>updated</th><th></th></tr>{''.join(rows)}</table>"
        )
    return layout("Sessions", search + listing)


def session(item: Session, history: Sequence[MessageRecord], share: str = "") -> str:
    sid = item.id
    parts = [
        f"<form method='post' action='/sessions/{sid}/rename'><input name='title' id='title' "
        f"value='{escape(item.title or '')}'><button>Rename</button></form>"
        f"<p><a href='/sessions/{sid}/export.md'>Export Markdown</a> · "
        f"<a href='/sessions/{sid}/export.json'>Export JSON</a> · "
        f"<a href='/chat?session={sid}'>Continue in chat</a></p>"
        f"<form method='post' action='/sessions/{sid}/delete' "
        "onsubmit=\"return confirm('Delete this session and its branches?')\">"
        "<button>Delete</button></form>",
        share,
    ]
    for m in history:
        meta = " · ".join(x for x in (m.role, m.model or "", _when(m.created_at)) if x)
        parts.append(
            f"<div class='msg {escape(m.role)}' id='m{m.id}'><div class='meta'>{escape(meta)}"
            f"<form method='post' action='/sessions/{sid}/branch' style='display:inline'>"
            f"<input type='hidden' name='message' value='{m.id}'>"
            f"<button class='branch'>Branch here</button></form></div>"
            f"<div class='md'>{markdown_html(m.content)}</div></div>"
        )
    return layout(item.title or "untitled", "".join(parts))
