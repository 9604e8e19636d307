import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chatArgs, askArgs } from '../args';
import { MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES, PendingAttachments, attachmentArg, baseName, isImageName, referenceAttachments } from '../attachments';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

test('an attachment is its name and base64 data', () => {
  assert.deepEqual(attachmentArg('shot.png', png), { name: 'shot.png', data: 'iVBORw0KGgo=' });
  assert.throws(() => attachmentArg('huge.pdf', new Uint8Array(MAX_ATTACHMENT_BYTES + 1)), /over the 20,000,000-byte limit/);
});

test('names come from paths and uris; images are recognised by name for the chips', () => {
  assert.equal(baseName('file:///home/me/Pictures/Error%20shot.png'), 'Error shot.png');
  assert.equal(baseName('C:\\Users\\me\\doc.pdf'), 'doc.pdf');
  assert.ok(isImageName('A.PNG') && !isImageName('spec.pdf'));
});

test('pending attachments go with one question, and come back when it is refused', () => {
  const pending = new PendingAttachments();
  pending.add(attachmentArg('shot.png', png));
  pending.add(attachmentArg('spec.pdf', png));
  pending.add(attachmentArg('shot.png', png)); // same name: replaced, not doubled
  assert.deepEqual(pending.names(), ['spec.pdf', 'shot.png']);
  const taken = pending.take();
  assert.equal(pending.size, 0);
  pending.restore(taken);
  assert.deepEqual(pending.names(), ['spec.pdf', 'shot.png']);
  pending.remove('spec.pdf');
  assert.deepEqual(pending.names(), ['shot.png']);
  for (let i = 1; i < MAX_ATTACHMENTS; i++) {
    pending.add(attachmentArg(`${i}.png`, png));
  }
  assert.throws(() => pending.add(attachmentArg('one-more.png', png)), /at most 8 files/);
});

test('chat and ask carry attachments only when there are some', () => {
  const attachments = [attachmentArg('shot.png', png)];
  assert.deepEqual(chatArgs('why?', 'r1', 's1', attachments), { question: 'why?', requestId: 'r1', sessionId: 's1', attachments });
  assert.deepEqual(chatArgs('why?', 'r1', undefined, []), { question: 'why?', requestId: 'r1' });
  assert.deepEqual(askArgs({ question: 'q', requestId: 'r', attachments }), { question: 'q', requestId: 'r', attachments });
});

test('chat references: dragged-in images and PDF files become attachments, code does not', async () => {
  const read = async (uri: { path: string }): Promise<Uint8Array> => new TextEncoder().encode(`bytes of ${uri.path}`);
  const found = await referenceAttachments(
    [
      { id: 'pasted', value: { mimeType: 'image/png', data: async () => png } },
      { id: 'file', value: { scheme: 'file', path: '/ws/docs/spec.pdf' } },
      { id: 'code', value: { scheme: 'file', path: '/ws/app.py' } },
      { id: 'range', value: { uri: { scheme: 'file', path: '/ws/app.py' }, range: {} } },
    ],
    read,
  );
  assert.deepEqual(found.map((a) => a.name), ['image-1.png', 'spec.pdf']);
  assert.equal(found[0].data, 'iVBORw0KGgo=');
  assert.equal(Buffer.from(found[1].data, 'base64').toString(), 'bytes of /ws/docs/spec.pdf');
});
