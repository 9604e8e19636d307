import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseStreamParams } from '../protocol';
import { StreamAssembler, StreamRouter, type StreamState } from '../stream';

function note(requestId: string, delta: string, extra: Record<string, unknown> = {}) {
  return { requestId, sessionId: 's1', delta, done: false, ...extra };
}

test('deltas concatenate in arrival order and done finishes the reply', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('r', 'Hello'));
  assembler.apply(note('r', ', '));
  assembler.apply(note('r', 'world'));
  const state = assembler.apply(
    note('r', '', { done: true, usage: { inputTokens: 10, outputTokens: 3, cachedTokens: 0, cost: 0.001 } }),
  );
  assert.equal(state?.text, 'Hello, world');
  assert.equal(state?.status, 'done');
  assert.equal(state?.deltas, 3);
  assert.equal(state?.sessionId, 's1');
  assert.deepEqual(state?.usage, { inputTokens: 10, outputTokens: 3, cachedTokens: 0, cost: 0.001 });
});

test('interleaved requests are kept apart', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('a', 'A1'));
  assembler.apply(note('b', 'B1'));
  assembler.apply(note('a', 'A2'));
  assembler.apply(note('b', 'B2'));
  assert.equal(assembler.get('a')?.text, 'A1A2');
  assert.equal(assembler.get('b')?.text, 'B1B2');
  assert.deepEqual(assembler.active().sort(), ['a', 'b']);
});

test('a delta after done does not reopen the reply', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('r', 'x', { done: true }));
  assert.equal(assembler.apply(note('r', 'late')), undefined);
  assert.equal(assembler.get('r')?.text, 'x');
});

test('an error notification ends the reply with message and hint, keeping the partial text', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('r', 'partial'));
  const state = assembler.apply(note('r', '', { done: true, error: { message: 'Ollama is not running', hint: 'run `ollama serve`' } }));
  assert.equal(state?.status, 'error');
  assert.equal(state?.text, 'partial');
  assert.deepEqual(state?.error, { message: 'Ollama is not running', hint: 'run `ollama serve`' });
});

test('malformed notifications are ignored', () => {
  const assembler = new StreamAssembler();
  for (const bad of [null, 42, 'text', {}, { requestId: 7, delta: 'x' }, { requestId: '', delta: 'x' }]) {
    assert.equal(assembler.apply(bad), undefined);
  }
  assert.deepEqual(assembler.active(), []);
  assert.deepEqual(parseStreamParams({ requestId: 'r', delta: 5, done: 'yes', usage: { inputTokens: 'many' } }), {
    requestId: 'r',
    delta: '',
    done: false,
  });
});

test('the command result text wins when deltas were lost or never sent', () => {
  const assembler = new StreamAssembler();
  assembler.begin('r');
  assembler.apply(note('r', 'Hel'));
  const state = assembler.complete('r', { text: 'Hello', sessionId: 's2', usage: { outputTokens: 2 } });
  assert.equal(state.text, 'Hello');
  assert.equal(state.sessionId, 's2');
  assert.equal(state.status, 'done');
  assert.deepEqual(state.usage, { outputTokens: 2 });
  const silent = new StreamAssembler();
  assert.equal(silent.complete('q', { text: 'whole reply' }).text, 'whole reply');
});

test('an empty result text does not erase what streamed (review/refactor results have none)', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('r', 'streamed'));
  assert.equal(assembler.complete('r', {}).text, 'streamed');
});

test('cancel keeps the partial reply and drops later deltas', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('r', 'part'));
  assert.equal(assembler.cancel('r').status, 'cancelled');
  assert.equal(assembler.apply(note('r', 'more')), undefined);
  const state = assembler.complete('r', { text: 'part' });
  assert.equal(state.status, 'cancelled');
  assert.equal(state.text, 'part');
});

test('a notification with cancelled: true ends the reply as cancelled', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('r', 'part'));
  const state = assembler.apply(note('r', '', { done: true, cancelled: true }));
  assert.equal(state?.status, 'cancelled');
  assert.equal(state?.text, 'part');
  assert.deepEqual(assembler.active(), []);
});

test('router sends updates to the request listener, others to the fallback', () => {
  const busy: boolean[] = [];
  const router = new StreamRouter((b) => busy.push(b));
  const mine: StreamState[] = [];
  const other: StreamState[] = [];
  router.setFallback((s) => other.push({ ...s }));
  router.track('mine', (s) => mine.push({ ...s }));
  router.notify(note('mine', 'a'));
  router.notify(note('theirs', 'b'));
  router.notify(note('theirs', '', { done: true }));
  router.notify(note('mine', 'c', { done: true }));
  const final = router.complete('mine', { text: 'ac' });
  assert.deepEqual(
    mine.map((s) => [s.text, s.status]),
    [
      ['a', 'streaming'],
      ['ac', 'done'],
      ['ac', 'done'],
    ],
  );
  assert.deepEqual(
    other.map((s) => [s.requestId, s.text, s.status]),
    [
      ['theirs', 'b', 'streaming'],
      ['theirs', 'b', 'done'],
    ],
  );
  assert.equal(final.status, 'done');
  assert.deepEqual(router.active(), []);
  assert.deepEqual(busy, [true, false]);
});

test('router spins while a tracked command has not returned, even without deltas', () => {
  const busy: boolean[] = [];
  const router = new StreamRouter((b) => busy.push(b));
  router.track('r', () => undefined);
  assert.deepEqual(router.active(), ['r']);
  router.fail('r', { message: 'boom', hint: 'check the server log' });
  assert.deepEqual(router.active(), []);
  assert.deepEqual(busy, [true, false]);
});

test('router cancel stops the spinner at once and the late result finishes the entry', () => {
  const busy: boolean[] = [];
  const router = new StreamRouter((b) => busy.push(b));
  const seen: string[] = [];
  router.track('r', (s) => seen.push(s.status));
  router.notify(note('r', 'x'));
  router.cancel('r');
  assert.deepEqual(busy, [true, false]);
  router.notify(note('r', 'ignored'));
  const state = router.complete('r', { text: 'x' });
  assert.equal(state.status, 'cancelled');
  assert.deepEqual(seen, ['streaming', 'cancelled', 'cancelled']);
});

test('a thousand small deltas assemble exactly', () => {
  const assembler = new StreamAssembler();
  let expected = '';
  for (let i = 0; i < 1000; i++) {
    const delta = `tok${i} `;
    expected += delta;
    assembler.apply(note('r', delta));
  }
  assert.equal(assembler.get('r')?.text, expected);
});

test('the model that answered comes with the last notification, or from the result', () => {
  const assembler = new StreamAssembler();
  assembler.apply(note('r', 'Hi'));
  const done = assembler.apply(note('r', '', { done: true, provider: 'ollama', model: 'qwen2.5-coder:7b' }));
  assert.deepEqual(done?.answeredBy, { provider: 'ollama', model: 'qwen2.5-coder:7b' });
  // a server that does not stream: the command result says it
  const other = assembler.complete('q', { text: 'x', answeredBy: { model: 'gpt-4o-mini' } });
  assert.deepEqual(other.answeredBy, { model: 'gpt-4o-mini' });
  // nothing usable: no model claimed
  assert.equal(parseStreamParams(note('z', '', { model: '' }))?.answeredBy, undefined);
});

test('a notice (compaction) is kept with the reply and shown above its text', async () => {
  const { replyHtml } = await import('../transcript');
  const assembler = new StreamAssembler();
  assembler.begin('n1');
  assembler.apply(note('n1', '', { notice: 'Compacting the conversation: <older turns>' }));
  const state = assembler.apply(note('n1', 'The answer.'));
  assert.deepEqual(state?.notices, ['Compacting the conversation: <older turns>']);
  const html = replyHtml(state as StreamState);
  assert.ok(html.startsWith('<p class="notice">Compacting the conversation: &lt;older turns&gt;</p>'));
  assert.ok(html.includes('The answer.'));
  assert.equal(parseStreamParams(note('n1', 'x', { notice: 7 }))?.notice, undefined);
});
