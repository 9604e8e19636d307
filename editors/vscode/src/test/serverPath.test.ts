import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { expandConfiguredPath, findServer, isExecutableFile, notFoundMessage, serverCandidates } from '../serverPath';

test('the Python interpreter bin dir is searched before PATH', () => {
  const candidates = serverCandidates({ interpreter: '/proj/.venv/bin/python', pathEnv: '/usr/local/bin:/usr/bin', platform: 'linux' });
  assert.deepEqual(candidates, [
    { path: '/proj/.venv/bin/coda-ls', source: 'python' },
    { path: '/usr/local/bin/coda-ls', source: 'PATH' },
    { path: '/usr/bin/coda-ls', source: 'PATH' },
  ]);
});

test('duplicates and empty PATH entries are skipped', () => {
  const candidates = serverCandidates({ interpreter: '/usr/bin/python3', pathEnv: '/usr/bin::/usr/bin', platform: 'darwin' });
  assert.deepEqual(candidates.map((c) => c.path), ['/usr/bin/coda-ls']);
});

test('Windows: .exe launchers, Scripts dir and PATHEXT', () => {
  const candidates = serverCandidates({
    interpreter: 'C:\\Python312\\python.exe',
    pathEnv: 'C:\\Tools',
    pathExt: '.EXE;.CMD',
    platform: 'win32',
  });
  assert.deepEqual(
    candidates.map((c) => c.path),
    [
      'C:\\Python312\\coda-ls.exe',
      'C:\\Python312\\coda-ls.cmd',
      'C:\\Python312\\Scripts\\coda-ls.exe',
      'C:\\Python312\\Scripts\\coda-ls.cmd',
      'C:\\Tools\\coda-ls.exe',
      'C:\\Tools\\coda-ls.cmd',
    ],
  );
});

test('an explicit serverPath is the only candidate', () => {
  assert.deepEqual(serverCandidates({ configured: '/opt/coda/bin/coda-ls', interpreter: '/x/bin/python', pathEnv: '/usr/bin', platform: 'linux' }), [
    { path: '/opt/coda/bin/coda-ls', source: 'setting' },
  ]);
});

test('serverPath expands ~ and ${workspaceFolder}, and resolves relative paths in the workspace', () => {
  const input = { platform: 'linux' as const, home: '/home/u', workspaceFolder: '/ws' };
  assert.equal(expandConfiguredPath('~/bin/coda-ls', input), '/home/u/bin/coda-ls');
  assert.equal(expandConfiguredPath('${workspaceFolder}/.venv/bin/coda-ls', input), '/ws/.venv/bin/coda-ls');
  assert.equal(expandConfiguredPath('.venv/bin/coda-ls', input), '/ws/.venv/bin/coda-ls');
});

test('a bare command name in serverPath is looked up on PATH', () => {
  assert.deepEqual(serverCandidates({ configured: 'coda-ls-dev', pathEnv: '/a:/b', platform: 'linux' }), [
    { path: '/a/coda-ls-dev', source: 'setting' },
    { path: '/b/coda-ls-dev', source: 'setting' },
  ]);
});

test('findServer on a real file system: skips non-executables, finds the venv one first', async (t) => {
  if (process.platform === 'win32') {
    t.skip('exec bits are POSIX');
    return;
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'coda-vscode-'));
  try {
    const venvBin = path.join(root, 'venv', 'bin');
    const pathDir = path.join(root, 'usr', 'bin');
    await mkdir(venvBin, { recursive: true });
    await mkdir(pathDir, { recursive: true });
    await writeFile(path.join(venvBin, 'python'), '');
    await writeFile(path.join(pathDir, 'coda-ls'), '#!/bin/sh\n');
    await chmod(path.join(pathDir, 'coda-ls'), 0o755);
    const notExec = path.join(venvBin, 'coda-ls');
    await writeFile(notExec, '#!/bin/sh\n');
    await chmod(notExec, 0o644);

    const input = { interpreter: path.join(venvBin, 'python'), pathEnv: pathDir, platform: process.platform };
    let result = await findServer(input);
    assert.deepEqual(result.found, { path: path.join(pathDir, 'coda-ls'), source: 'PATH' });
    assert.equal(result.tried.length, 2);

    await chmod(notExec, 0o755);
    result = await findServer(input);
    assert.deepEqual(result.found, { path: notExec, source: 'python' });

    assert.equal(await isExecutableFile(venvBin), false, 'a directory is not a server');
    const missing = await findServer({ configured: path.join(root, 'nope'), platform: process.platform, pathEnv: pathDir });
    assert.equal(missing.found, undefined);
    assert.match(notFoundMessage({ configured: path.join(root, 'nope'), platform: process.platform }, missing), /coda\.serverPath/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('the not-found message tells the user what to do', () => {
  const message = notFoundMessage({ interpreter: '/v/bin/python', platform: 'linux' }, { tried: [{ path: '/v/bin/coda-ls', source: 'python' }] });
  assert.match(message, /\/v\/bin\/python/);
  assert.match(message, /pip install/);
  assert.match(message, /coda\.serverPath/);
});
