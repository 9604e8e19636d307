// Checks package.json against the code: every command and setting the code uses is
// contributed, with the same choices, and the pure modules never load 'vscode'.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { UI_COMMANDS } from '../commandIds';
import { LLM_COMMANDS } from '../protocol';
import { CLIENT_SETTING_KEYS, MIN_REPOMAP_TOKENS, MODES, PERMISSIONS, SERVER_SETTING_KEYS } from '../settings';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { enum?: string[]; minimum?: number; default?: unknown }> =
  manifest.contributes.configuration.properties;

test('every UI command is contributed and none clashes with a server command id', () => {
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(contributed, Object.values(UI_COMMANDS).sort());
  for (const id of contributed) {
    assert.ok(!(LLM_COMMANDS as readonly string[]).includes(id), id);
    assert.ok(id.startsWith('coda.ui.'), id);
  }
});

test('menus only reference contributed commands', () => {
  const ids = new Set(Object.values(UI_COMMANDS) as string[]);
  for (const [menu, items] of Object.entries(manifest.contributes.menus as Record<string, { command: string }[]>)) {
    for (const item of items) {
      assert.ok(ids.has(item.command), `${menu}: ${item.command}`);
    }
  }
});

test('every setting the code maps is contributed with matching choices', () => {
  for (const key of [...SERVER_SETTING_KEYS, ...CLIENT_SETTING_KEYS]) {
    assert.ok(properties[`coda.${key}`], `coda.${key} missing from package.json`);
  }
  assert.deepEqual(properties['coda.mode'].enum, [...MODES]);
  for (const kind of ['read', 'write', 'shell', 'web']) {
    assert.deepEqual(properties[`coda.permissions.${kind}`].enum, [...PERMISSIONS]);
  }
  assert.equal(properties['coda.repomap.tokens'].minimum, MIN_REPOMAP_TOKENS);
  assert.equal(Object.keys(properties).length, SERVER_SETTING_KEYS.length + CLIENT_SETTING_KEYS.length);
});

test('vsce needs no prompt: publisher, license, repository, engine and LICENSE file', () => {
  assert.ok(manifest.publisher);
  assert.equal(manifest.license, 'MIT');
  assert.ok(manifest.repository?.url);
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  assert.match(readFileSync(path.join(root, 'LICENSE'), 'utf8'), /MIT License/);
  assert.equal(manifest.dependencies['vscode-languageclient'].split('.')[0], '9');
});

test('pure modules do not import vscode, so these tests run without VS Code', () => {
  const vscodeModules = new Set(['extension.js', 'client.js', 'chatView.js', 'statusBar.js', 'participant.js', 'pythonEnv.js', 'install.js', 'inline.js']);
  const out = path.resolve(__dirname, '..');
  const files = readdirSync(out).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 12, `expected the compiled modules in ${out}`);
  for (const file of files) {
    const source = readFileSync(path.join(out, file), 'utf8');
    const importsVscode = /require\("vscode"\)/.test(source);
    assert.equal(importsVscode, vscodeModules.has(file), `${file} imports vscode: ${importsVscode}`);
  }
});
