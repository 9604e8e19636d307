import assert from 'node:assert/strict';
import { test } from 'node:test';

import { didChangeConfigurationParams, needsRestart, toServerSettings, type ServerSettingKey } from '../settings';

function lookup(values: Partial<Record<ServerSettingKey, unknown>>) {
  return (key: ServerSettingKey): unknown => values[key];
}

test('nothing set maps to an empty object so Coda config files decide', () => {
  assert.deepEqual(toServerSettings(lookup({})), { settings: {}, problems: [] });
});

test('dotted keys become nested tables as in config.toml', () => {
  const { settings, problems } = toServerSettings(
    lookup({
      provider: 'ollama',
      model: 'llama3.2',
      mode: 'review',
      'repomap.tokens': 2048,
      'permissions.read': 'allow',
      'permissions.write': 'deny',
      'permissions.shell': 'ask',
      'permissions.web': 'deny',
    }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, {
    provider: 'ollama',
    model: 'llama3.2',
    mode: 'review',
    repomap: { tokens: 2048 },
    permissions: { read: 'allow', write: 'deny', shell: 'ask', web: 'deny' },
  });
});

test('blank strings and null mean unset; strings are trimmed', () => {
  const { settings, problems } = toServerSettings(lookup({ provider: '  ', model: ' gpt-4o ', mode: null }));
  assert.deepEqual(settings, { model: 'gpt-4o' });
  assert.deepEqual(problems, []);
});

test('invalid values are dropped and reported, the rest still goes through', () => {
  const { settings, problems } = toServerSettings(
    lookup({ mode: 'yolo', 'repomap.tokens': 10, 'permissions.shell': 'always', provider: 'oci' }),
  );
  assert.deepEqual(settings, { provider: 'oci' });
  assert.equal(problems.length, 3);
  assert.match(problems.join('\n'), /coda\.mode.*"yolo"/);
  assert.match(problems.join('\n'), /coda\.repomap\.tokens.*10/);
  assert.match(problems.join('\n'), /coda\.permissions\.shell.*"always"/);
});

test('repomap.tokens must be an integer', () => {
  assert.deepEqual(toServerSettings(lookup({ 'repomap.tokens': 100.5 })).settings, {});
  assert.deepEqual(toServerSettings(lookup({ 'repomap.tokens': '2048' })).settings, {});
});

test('didChangeConfiguration params wrap the settings under settings.coda', () => {
  assert.deepEqual(didChangeConfigurationParams({ model: 'm', repomap: { tokens: 512 } }), {
    settings: { coda: { model: 'm', repomap: { tokens: 512 } } },
  });
});

test('only server path and arguments require a restart', () => {
  assert.equal(needsRestart((key) => key === 'serverPath'), true);
  assert.equal(needsRestart((key) => key === 'serverArgs'), true);
  assert.equal(needsRestart((key) => key === 'model' || key === 'permissions.write'), false);
});
