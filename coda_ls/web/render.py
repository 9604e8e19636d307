"""Markdown to HTML on the server: markdown-it-py (already a dependency of rich) with code
blocks highlighted by Pygments, so the page needs no JavaScript renderer. Raw HTML in a
model's answer is escaped, never rendered."""

from __future__ import annotations

from html import escape
from typing import Any

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, guess_lexer
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: Any) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else guess_lexer(code)
    except ClassNotFound:
        return escape(code)
    return str(highlight(code, lexer, _FORMATTER))


_MD = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")


def markdown_html(text: str) -> str:
    """The answer as safe HTML; fenced code becomes `<pre><code class="language-x">`
    with Pygments' token spans inside."""
    return str(_MD.render(text))


def pygments_css() -> str:
    return str(_FORMATTER.get_style_defs(".md pre code"))


def highlight_code(code: str, lang: str) -> str:
    """One block of code as Pygments' token spans (escaped text if the language is unknown)."""
    return _highlight(code, lang, None)


def code_css(*selectors: str) -> str:
    """Pygments' colours for code in Markdown blocks and in `pre.tool` blocks."""
    return str(_FORMATTER.get_style_defs([".md pre code", "pre.tool code", *selectors]))
