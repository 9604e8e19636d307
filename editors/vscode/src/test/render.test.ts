import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chatHtml, makeNonce } from '../chatHtml';
import { errorFromException, formatTokens, formatUsage, modelLabel, statusBarText, structuredReplyText } from '../format';
import { renderMarkdown } from '../markdown';
import { Transcript, replyHtml } from '../transcript';

test('fenced code is highlighted with highlight.js classes', () => {
  const html = renderMarkdown('Try:\n\n```python\ndef f(x):\n    return "hi"\n```\n');
  assert.match(html, /<pre class="hljs"><code class="hljs language-python">/);
  assert.match(html, /<span class="hljs-keyword">def<\/span>/);
  assert.match(html, /<span class="hljs-string">&quot;hi&quot;<\/span>/);
});

test('unknown languages and bare fences are escaped, not highlighted', () => {
  const html = renderMarkdown('```nosuchlang\n<b>x</b>\n```\n\n```\na < b\n```');
  assert.doesNotMatch(html, /<b>/);
  assert.match(html, /&lt;b&gt;x&lt;\/b&gt;/);
  assert.match(html, /a &lt; b/);
});

test('raw HTML and javascript: links in a reply are not rendered', () => {
  const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))');
  assert.doesNotMatch(html, /<script|<img|href="javascript/i);
});

test('a fence still open mid-stream renders as code', () => {
  const html = renderMarkdown('Here:\n```ts\nconst a = 1;');
  assert.match(html, /<code class="hljs language-ts">/);
  assert.match(html, /hljs-keyword">const/);
});

test('reply HTML for waiting, error and cancelled states', () => {
  const base = { requestId: 'r', deltas: 0 };
  assert.match(replyHtml({ ...base, text: '', status: 'streaming' }), /Thinking/);
  const error = replyHtml({ ...base, text: 'part', status: 'error', error: { message: 'No <model>', hint: 'run coda models' } });
  assert.match(error, /<p>part<\/p>/);
  assert.match(error, /No &lt;model&gt;/);
  assert.match(error, /class="hint">run coda models/);
  assert.match(replyHtml({ ...base, text: 'part', status: 'cancelled' }), /Cancelled/);
});

test('the transcript updates one entry per request and caps its length', () => {
  const transcript = new Transcript();
  transcript.addUser('**hi**');
  transcript.updateReply({ requestId: 'r', text: 'a', status: 'streaming', deltas: 1 }, 'Explain');
  transcript.updateReply({ requestId: 'r', text: 'ab', status: 'done', deltas: 2, usage: { inputTokens: 1200, outputTokens: 30 } });
  assert.equal(transcript.all().length, 2);
  const reply = transcript.get('r');
  assert.equal(reply?.title, 'Explain');
  assert.equal(reply?.footer, '1.2k in · 30 out');
  assert.equal(transcript.all()[0].html.trim(), '<p><strong>hi</strong></p>');
  transcript.annotate('r', '2 findings');
  assert.equal(transcript.get('r')?.footer, '1.2k in · 30 out · 2 findings');
  for (let i = 0; i < 300; i++) {
    transcript.addInfo(`n${i}`);
  }
  assert.equal(transcript.all().length, 200);
  assert.equal(transcript.get('r'), undefined);
});

test('usage, token and model labels', () => {
  assert.equal(formatTokens(999), '999');
  assert.equal(formatTokens(1234), '1.2k');
  assert.equal(formatTokens(123456), '123k');
  assert.equal(formatUsage({ inputTokens: 10, outputTokens: 5, cachedTokens: 0, cost: 0.0012 }), '10 in · 5 out · $0.0012');
  assert.equal(formatUsage({ cost: 1.5 }), '$1.50');
  assert.equal(formatUsage(undefined), '');
  assert.equal(modelLabel({ provider: 'ollama', model: 'llama3.2' }), 'ollama/llama3.2');
  assert.equal(modelLabel({ provider: 'oci' }), 'oci/default');
  assert.equal(modelLabel(undefined), 'no model');
  assert.equal(statusBarText('m', true), '$(sync~spin) Coda: m');
  assert.equal(statusBarText('m', false), '$(hubot) Coda: m');
});

test('server errors keep their hint from the JSON-RPC error data', () => {
  assert.deepEqual(errorFromException({ message: 'OCI config not found', data: { hint: 'run oci setup config' } }), {
    message: 'OCI config not found',
    hint: 'run oci setup config',
  });
  assert.deepEqual(errorFromException(new Error('plain')), { message: 'plain' });
  assert.deepEqual(errorFromException('text'), { message: 'text' });
});

test('the webview allows only its own nonce-tagged script', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{32}$/);
  const html = chatHtml({ cspSource: 'vscode-resource:', nonce, scriptUri: 'vscode-resource:/chat.js', styleUri: 'vscode-resource:/chat.css' });
  assert.match(html, new RegExp(`script-src 'nonce-${nonce}'`));
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="vscode-resource:/chat.js">`));
  assert.doesNotMatch(html, /unsafe-inline|unsafe-eval/);
});

test('review and refactor replies show findings and outcomes, not the JSON that streamed', () => {
  const review = {
    summary: 'two small issues',
    findings: [
      { severity: 'warning', start_line: 9, end_line: 10, message: 'perimeter lacks a docstring' },
      { severity: 'error', start_line: 4, end_line: 4, message: 'no type hints' },
    ],
  };
  assert.equal(
    structuredReplyText('coda.review', review),
    'two small issues\n- **warning** line 9–10: perimeter lacks a docstring\n- **error** line 4: no type hints',
  );
  assert.equal(structuredReplyText('coda.review', { findings: [] }), 'No findings.');
  assert.equal(structuredReplyText('coda.refactor', { applied: true, summary: 'swap factors' }), 'swap factors');
  assert.equal(
    structuredReplyText('coda.refactor', { applied: false, reason: 'no edit was produced', text: 'Install numpy.' }),
    '_no edit was produced_\n\nInstall numpy.',
  );
  assert.equal(structuredReplyText('coda.explain', { text: 'x' }), undefined);
});

test('mermaid and graphviz fences become labelled figures with escaped source', () => {
  const html = renderMarkdown('Flow:\n\n```mermaid\nflowchart LR\n  a --> b<script>\n```\n\n```dot\ndigraph { a -> b }\n```\n');
  assert.match(html, /<figure class="diagram" data-lang="mermaid"><figcaption>Mermaid diagram, shown as text/);
  assert.match(html, /a --&gt; b&lt;script&gt;/);
  assert.doesNotMatch(html, /<script/);
  assert.match(html, /<figure class="diagram" data-lang="graphviz"><figcaption>Graphviz diagram, shown as text/);
  assert.doesNotMatch(renderMarkdown('```python\nx = 1\n```'), /figure/);
});

test('the chat HTML loads mermaid.js with the nonce only when the build bundled it', () => {
  const base = { cspSource: 'vscode-resource:', nonce: 'N0NCE', scriptUri: 'chat.js', styleUri: 'chat.css' };
  const without = chatHtml(base);
  assert.doesNotMatch(without, /mermaid/);
  assert.doesNotMatch(without, /unsafe-inline/);
  const withMermaid = chatHtml({ ...base, mermaidUri: 'media/mermaid.min.js' });
  assert.match(withMermaid, /<script nonce="N0NCE" src="media\/mermaid.min.js"><\/script>\n<script nonce="N0NCE" src="chat.js">/);
  assert.match(withMermaid, /style-src vscode-resource: 'unsafe-inline'/);
  assert.match(withMermaid, /script-src 'nonce-N0NCE'/);
});
