"""Markdown to HTML on the server: markdown-it-py (already a dependency of rich) with code
blocks highlighted by Pygments, so the page needs no JavaScript renderer. Raw HTML in a
model's answer is escaped, never rendered. Mermaid and Graphviz blocks become a labelled
`<figure class="diagram">` holding the source; page.js draws Mermaid ones when a local
mermaid.js is configured, and the label says so when it is not."""

from __future__ import annotations

from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
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

# Diagram languages an answer may use (`coda explain --diagram` asks for Mermaid).
DIAGRAMS = {"mermaid": "Mermaid", "dot": "Graphviz", "graphviz": "Graphviz"}
NOT_RENDERED = {
    # page.js replaces this caption once mermaid.js has drawn the diagram.
    "Mermaid": "Mermaid diagram, shown as text: no mermaid.js is available offline "
    "(set [diagrams] mermaid_js to a local mermaid.min.js to draw it here)",
    "Graphviz": "Graphviz diagram, shown as text (paste it into any DOT viewer)",
}


def _fence(self: RendererHTML, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0].lower() if token.info.strip() else ""
    kind = DIAGRAMS.get(lang)
    if kind is None:
        return RendererHTML.fence(self, tokens, idx, options, env)
    return (
        f"<figure class='diagram' data-lang='{kind.lower()}'>"
        f"<figcaption>{escape(NOT_RENDERED[kind])}</figcaption>"
        f"<pre><code class='language-{lang}'>{escape(token.content)}</code></pre></figure>\n"
    )


_MD.add_render_rule("fence", _fence)


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
