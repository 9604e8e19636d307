/**
 * Markdown to HTML for the chat view, with code highlighting done here (in the extension
 * host) so the webview needs no scripts beyond its own. Raw HTML in a reply is escaped,
 * not rendered: replies are model output and must not inject markup into the view.
 */

import hljs from 'highlight.js/lib/common';
import MarkdownIt from 'markdown-it';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/** Highlighted HTML for a fenced block; plain escaped text for unknown languages. */
export function highlightCode(code: string, lang: string): string {
  const language = lang.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (language && hljs.getLanguage(language)) {
    try {
      return hljs.highlight(code, { language, ignoreIllegals: true }).value;
    } catch {
      // highlight.js throws only on grammar bugs; the reply is still worth showing plain.
      return escapeHtml(code);
    }
  }
  return escapeHtml(code);
}

const md: MarkdownIt = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight: (code, lang) => {
    const language = lang.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    const cls = language ? ` language-${escapeHtml(language)}` : '';
    return `<pre class="hljs"><code class="hljs${cls}">${highlightCode(code, lang)}</code></pre>`;
  },
});

/** Diagram languages a reply may use (`coda explain --diagram` asks for Mermaid). */
const DIAGRAMS: Record<string, string> = { mermaid: 'Mermaid', dot: 'Graphviz', graphviz: 'Graphviz' };

/** Shown until media/chat.js draws the diagram (it cannot without media/mermaid.min.js). */
export const NOT_DRAWN: Record<string, string> = {
  Mermaid: 'Mermaid diagram, shown as text: mermaid.js is not bundled in this build',
  Graphviz: 'Graphviz diagram, shown as text (paste it into any DOT viewer)',
};

const defaultFence = md.renderer.rules.fence!;
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const language = token.info.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const kind = DIAGRAMS[language];
  if (!kind) {
    return defaultFence(tokens, idx, options, env, self);
  }
  return (
    `<figure class="diagram" data-lang="${kind.toLowerCase()}"><figcaption>${escapeHtml(NOT_DRAWN[kind])}</figcaption>` +
    `<pre><code class="language-${escapeHtml(language)}">${escapeHtml(token.content)}</code></pre></figure>\n`
  );
};

/**
 * Render a (possibly partial) reply. A fence still open mid-stream renders as code to the
 * end, which is what the user expects to see while the block is being written.
 */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

export { escapeHtml };
