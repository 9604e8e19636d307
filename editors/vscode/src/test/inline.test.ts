import assert from 'node:assert/strict';
import { test } from 'node:test';

import { inlineParams, parseCompletionStatus, parseInlineItems } from '../inlineProtocol';

test('inline params carry the document, the cursor and the trigger kind', () => {
  assert.deepEqual(inlineParams('file:///a.py', { line: 3, character: 7 }, false), {
    textDocument: { uri: 'file:///a.py' },
    position: { line: 3, character: 7 },
    context: { triggerKind: 2 },
  });
  assert.equal((inlineParams('file:///a.py', { line: 0, character: 0 }, true) as { context: { triggerKind: number } }).context.triggerKind, 1);
});

test('items keep their text and the range they replace', () => {
  const range = { start: { line: 4, character: 0 }, end: { line: 4, character: 9 } };
  assert.deepEqual(parseInlineItems({ items: [{ insertText: '    x = 1', range }, { insertText: 'y' }] }), [
    { insertText: '    x = 1', range },
    { insertText: 'y' },
  ]);
  assert.deepEqual(parseInlineItems([{ insertText: 'z' }]), [{ insertText: 'z' }]);
});

test('anything else is no items', () => {
  for (const value of [null, undefined, 3, 'x', { items: 'no' }, { items: [{ insertText: { kind: 'snippet' } }] }]) {
    assert.deepEqual(parseInlineItems(value), []);
  }
});

test('completion status', () => {
  assert.deepEqual(parseCompletionStatus({ uri: 'file:///a', state: 'pending' }), { uri: 'file:///a', pending: true });
  assert.deepEqual(parseCompletionStatus({ uri: 'file:///a', state: 'done' }), { uri: 'file:///a', pending: false });
  assert.equal(parseCompletionStatus({ state: 'done' }), undefined);
});

test('completion settings reach the server as a [completion] table', async () => {
  const { toServerSettings } = await import('../settings');
  const values: Record<string, unknown> = { 'completion.enabled': false, 'completion.model': ' qwen2.5-coder:1.5b-base ' };
  assert.deepEqual(toServerSettings((key) => values[key]), {
    settings: { completion: { enabled: false, model: 'qwen2.5-coder:1.5b-base' } },
    problems: [],
  });
  assert.deepEqual(toServerSettings((key) => (key === 'completion.enabled' ? 'yes' : undefined)).problems, [
    'coda.completion.enabled: ignoring invalid value "yes"',
  ]);
});
