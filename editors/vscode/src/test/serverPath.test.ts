import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import {
  canImportServer,
  commandLine,
  expandConfiguredPath,
  findServer,
  installCommand,
  installFailureHint,
  isExecutableFile,
  notFoundMessage,
  serverCandidates,
} from '../serverPath';

test('the Python interpreter comes first, then python -m coda_ls, pipx, ~/.local/bin, PATH', () => {
  const candidates = serverCandidates({
    interpreter: '/proj/.venv/bin/python',
    pathEnv: '/usr/local/bin:/usr/bin',
    platform: 'linux',
    home: '/home/u',
  });
  assert.deepEqual(candidates, [
    { path: '/proj/.venv/bin/coda-ls', source: 'python' },
    { path: '/proj/.venv/bin/python', args: ['-m', 'coda_ls'], source: 'python-module' },
    { path: '/home/u/.local/pipx/venvs/coda-assistant/bin/coda-ls', source: 'pipx' },
    { path: '/home/u/.local/share/pipx/venvs/coda-assistant/bin/coda-ls', source: 'pipx' },
    { path: '/home/u/.local/bin/coda-ls', source: 'user' },
    { path: '/usr/local/bin/coda-ls', source: 'PATH' },
    { path: '/usr/bin/coda-ls', source: 'PATH' },
  ]);
});

test('PIPX_HOME and PIPX_BIN_DIR replace the default pipx places', () => {
  const candidates = serverCandidates({ platform: 'linux', home: '/h', pipxHome: '/opt/pipx', pipxBinDir: '/opt/bin' });
  assert.deepEqual(
    candidates.map((c) => c.path),
    ['/opt/bin/coda-ls', '/opt/pipx/venvs/coda-assistant/bin/coda-ls', '/h/.local/bin/coda-ls'],
  );
});

test('an interpreter Coda was installed into is searched after the selected one', () => {
  const candidates = serverCandidates({ interpreter: '/a/bin/python', installedInterpreter: '/b/bin/python3', platform: 'linux' });
  assert.deepEqual(
    candidates.map((c) => [c.path, ...(c.args ?? [])].join(' ')),
    ['/a/bin/coda-ls', '/a/bin/python -m coda_ls', '/b/bin/coda-ls', '/b/bin/python3 -m coda_ls'],
  );
});

test('a module candidate starts the interpreter with -m coda_ls before the server arguments', () => {
  assert.deepEqual(commandLine({ path: '/v/bin/python', args: ['-m', 'coda_ls'], source: 'python-module' }, ['--log-level', 'INFO']), {
    command: '/v/bin/python',
    args: ['-m', 'coda_ls', '--log-level', 'INFO'],
  });
  assert.deepEqual(commandLine({ path: '/v/bin/coda-ls', source: 'python' }), { command: '/v/bin/coda-ls', args: [] });
});

test('install: pip install into the chosen interpreter, with a hint for the usual failures', () => {
  assert.deepEqual(installCommand('/usr/bin/python3'), {
    command: '/usr/bin/python3',
    args: ['-m', 'pip', 'install', '--upgrade', 'coda-assistant'],
  });
  assert.match(installFailureHint('error: externally-managed-environment\n...'), /pipx install coda-assistant/);
  assert.match(installFailureHint('/usr/bin/python3: No module named pip'), /no pip/);
  assert.match(installFailureHint('something else'), /output/);
});

test('duplicates and empty PATH entries are skipped', () => {
  const candidates = serverCandidates({ interpreter: '/usr/bin/python3', pathEnv: '/usr/bin::/usr/bin', platform: 'darwin' });
  assert.deepEqual(candidates.map((c) => c.path), ['/usr/bin/coda-ls', '/usr/bin/python3']);
});

test('Windows: .exe launchers, Scripts dir and PATHEXT', () => {
  const candidates = serverCandidates({
    interpreter: 'C:\\Python312\\python.exe',
    pathEnv: 'C:\\Tools',
    pathExt: '.EXE;.CMD',
    platform: 'win32',
  });
  assert.deepEqual(
    candidates.filter((c) => !c.args).map((c) => c.path),
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
    assert.equal(result.tried.length, 3); // venv coda-ls, venv python -m coda_ls, PATH

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

test('python -m coda_ls is used when the interpreter imports coda_ls and has no launcher', async (t) => {
  if (process.platform === 'win32') {
    t.skip('POSIX shell scripts stand in for interpreters');
    return;
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'coda-vscode-'));
  try {
    // Fake interpreters: one that "has" coda_ls (exit 0), one that does not (exit 1).
    const withCoda = path.join(root, 'with', 'python3');
    const without = path.join(root, 'without', 'python3');
    for (const [file, code] of [
      [withCoda, 0],
      [without, 1],
    ] as const) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `#!/bin/sh\nexit ${code}\n`);
      await chmod(file, 0o755);
    }
    assert.equal(await canImportServer(withCoda), true);
    assert.equal(await canImportServer(without), false);
    assert.equal(await canImportServer(path.join(root, 'missing')), false);

    const found = await findServer({ interpreter: withCoda, platform: process.platform });
    assert.deepEqual(found.found, { path: withCoda, args: ['-m', 'coda_ls'], source: 'python-module' });
    const notFound = await findServer({ interpreter: without, platform: process.platform });
    assert.equal(notFound.found, undefined);
    assert.deepEqual(
      notFound.tried.map((c) => c.source),
      ['python', 'python-module'],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
