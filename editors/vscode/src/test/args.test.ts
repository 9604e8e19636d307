import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  askArgs,
  chatArgs,
  documentArgs,
  newRequestId,
  nonEmptyRange,
  refactorArgs,
  repoMapArgs,
  setModelArgs,
  withRequestId,
} from '../args';
import type { Range } from '../protocol';

const uri = 'file:///ws/app.py';
const range: Range = { start: { line: 2, character: 0 }, end: { line: 5, character: 4 } };
const empty: Range = { start: { line: 3, character: 7 }, end: { line: 3, character: 7 } };

test('ask carries the question, editor context and session', () => {
  assert.deepEqual(askArgs({ question: ' why? ', requestId: 'r1', sessionId: 's1', mode: 'explain', context: { uri, range } }), {
    question: 'why?',
    requestId: 'r1',
    uri,
    range,
    sessionId: 's1',
    mode: 'explain',
  });
});

test('ask with an empty selection sends the file but no range', () => {
  assert.deepEqual(askArgs({ question: 'q', requestId: 'r', context: { uri, range: empty } }), { question: 'q', requestId: 'r', uri });
});

test('ask without context or session sends only question and requestId', () => {
  assert.deepEqual(askArgs({ question: 'q', requestId: 'r' }), { question: 'q', requestId: 'r' });
});

test('an empty question is refused before reaching the server', () => {
  assert.throws(() => askArgs({ question: '   ', requestId: 'r' }), /question is empty/);
  assert.throws(() => chatArgs('', 'r'), /question is empty/);
});

test('chat args continue the session when there is one', () => {
  assert.deepEqual(chatArgs('hi', 'r'), { question: 'hi', requestId: 'r' });
  assert.deepEqual(chatArgs('hi', 'r', 's'), { question: 'hi', requestId: 'r', sessionId: 's' });
});

test('a selection made upwards is sent start-before-end', () => {
  const backwards: Range = { start: range.end, end: range.start };
  assert.deepEqual(nonEmptyRange(backwards), range);
  assert.equal(nonEmptyRange(empty), undefined);
  assert.equal(nonEmptyRange(undefined), undefined);
});

test('explain and review send the range only when something is selected', () => {
  assert.deepEqual(documentArgs(uri, 'r', range), { uri, requestId: 'r', range });
  assert.deepEqual(documentArgs(uri, 'r', empty), { uri, requestId: 'r' });
  assert.throws(() => documentArgs('', 'r'), /uri is empty/);
});

test('refactor needs a selection and an instruction', () => {
  assert.deepEqual(refactorArgs(uri, range, ' extract a function ', 'r'), {
    uri,
    range,
    instruction: 'extract a function',
    requestId: 'r',
  });
  assert.throws(() => refactorArgs(uri, empty, 'x', 'r'), /Select the code/);
  assert.throws(() => refactorArgs(uri, range, ' ', 'r'), /instruction is empty/);
});

test('repo map args drop bad budgets and duplicate focus files', () => {
  assert.deepEqual(repoMapArgs(undefined, []), {});
  assert.deepEqual(repoMapArgs(0, [undefined, '']), {});
  assert.deepEqual(repoMapArgs(2048, [uri, 'file:///ws/b.py', uri]), { tokens: 2048, focus: [uri, 'file:///ws/b.py'] });
});

test('setModel args', () => {
  assert.deepEqual(setModelArgs('llama3.2', 'ollama'), { model: 'llama3.2', provider: 'ollama' });
  assert.deepEqual(setModelArgs('gpt-4o'), { model: 'gpt-4o' });
  assert.throws(() => setModelArgs(' '), /model name is empty/);
});

test('request ids are unique strings', () => {
  const ids = new Set(Array.from({ length: 100 }, () => newRequestId()));
  assert.equal(ids.size, 100);
  for (const id of ids) {
    assert.match(id, /^vscode-[0-9a-f-]{36}$/);
  }
});

test('code-action commands get a requestId injected without losing their arguments', () => {
  const injected = withRequestId('coda.explain', [{ uri, range }], () => 'rid');
  assert.deepEqual(injected, { args: [{ uri, range, requestId: 'rid' }], requestId: 'rid' });
});

test('an existing requestId is kept', () => {
  const args = [{ uri, requestId: 'theirs' }];
  assert.deepEqual(withRequestId('coda.review', args, () => 'ours'), { args, requestId: 'theirs' });
});

test('non-LLM commands and foreign argument shapes pass through untouched', () => {
  assert.equal(withRequestId('coda.models', [{}], () => 'x'), undefined);
  assert.equal(withRequestId('coda.cancel', [{ requestId: 'r' }], () => 'x'), undefined);
  assert.equal(withRequestId('coda.ask', ['a string'], () => 'x'), undefined);
  assert.deepEqual(withRequestId('coda.chat', [], () => 'x'), { args: [{ requestId: 'x' }], requestId: 'x' });
});
