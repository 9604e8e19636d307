// The extension's pure logic against the real coda-ls: a JSON-RPC client over stdio (the
// same vscode-jsonrpc the language client uses) sends the arguments args.ts builds and the
// settings settings.ts maps, and the StreamRouter assembles the real coda/stream
// notifications. The model is the project's scripted Ollama-compatible server on 127.0.0.1.
// Needs coda-ls: $CODA_LS, or on PATH (CI puts the project's venv bin dir there).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-languageserver-protocol/node';

import { askArgs, chatArgs, documentArgs, newRequestId, refactorArgs, repoMapArgs } from '../args';
import { parseAskResult, parseModelsResult, STREAM_CAPABILITY, STREAM_NOTIFICATION } from '../protocol';
import { findServer } from '../serverPath';
import { didChangeConfigurationParams, toServerSettings, type ServerSettingKey } from '../settings';
import { StreamRouter, type StreamState } from '../stream';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const modelServerScript = path.join(repoRoot, 'tests', 'support', 'model_server.py');
// 30 words streamed one per 25 ms: long enough to cancel mid-reply, short for the suite.
const REPLY = Array.from({ length: 30 }, (_, i) => (i === 0 ? 'The function `add` returns the sum' : `word${i}`)).join(' ') + '.';
const CHUNK_DELAY_S = '0.025';
const TIMEOUT_MS = 60_000;

interface Fixture {
  home: string;
  workspace: string;
  fileUri: string;
  model: ChildProcess;
  server: ChildProcess;
  connection: MessageConnection;
  router: StreamRouter;
  edits: unknown[];
  shownDocuments: string[];
  stderr: string[];
}

let fixture: Fixture | undefined;
let skipReason: string | undefined;

async function locateServer(): Promise<string | undefined> {
  if (process.env.CODA_LS) {
    return process.env.CODA_LS;
  }
  const found = await findServer({ pathEnv: process.env.PATH, platform: process.platform });
  return found.found?.path;
}

/** The Python next to coda-ls (same environment), else python3 on PATH. */
function pythonFor(server: string): string {
  for (const name of ['python', 'python3']) {
    const candidate = path.join(path.dirname(server), name);
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  return 'python3';
}

function startModelServer(python: string, env: NodeJS.ProcessEnv, extra: string[]): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(python, ['-m', 'tests.support.model_server', '--port', '0', '--reply', REPLY, ...extra], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`model server did not start: ${out}`)), 20_000);
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ proc, port: Number(match[1]) });
      }
    });
    proc.on('exit', (code) => reject(new Error(`model server exited with ${code}: ${out}`)));
  });
}

before(async () => {
  const server = await locateServer();
  if (!server || !existsSync(modelServerScript)) {
    skipReason = !server ? 'coda-ls not found (set CODA_LS or put it on PATH)' : 'tests/support/model_server.py not found';
    return;
  }
  const home = await mkdtemp(path.join(os.tmpdir(), 'coda-vscode-it-'));
  const workspace = path.join(home, 'ws');
  await mkdir(workspace, { recursive: true });
  const file = path.join(workspace, 'calc.py');
  await writeFile(file, 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n');
  // Coda's config, data and cache go to the temporary home; no CODA_* from the caller.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    LANG: 'C.UTF-8',
  };
  const python = pythonFor(server);
  const model = await startModelServer(python, env, ['--delay', CHUNK_DELAY_S]);
  const proc = spawn(server, [], {
    cwd: workspace,
    env: { ...env, OLLAMA_HOST: `http://127.0.0.1:${model.port}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  proc.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const connection = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const router = new StreamRouter();
  const edits: unknown[] = [];
  const shownDocuments: string[] = [];
  connection.onNotification(STREAM_NOTIFICATION, (params: unknown) => router.notify(params));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/showDocument', (params: { uri: string }) => {
    shownDocuments.push(params.uri);
    return { success: true };
  });
  connection.onRequest('workspace/applyEdit', (params: unknown) => {
    edits.push(params);
    return { applied: true };
  });
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
  connection.onNotification('window/logMessage', (params: { message: string }) => stderr.push(`log: ${params.message}\n`));
  connection.onNotification('window/showMessage', (params: { message: string }) => stderr.push(`show: ${params.message}\n`));
  connection.onNotification(() => undefined);
  connection.listen();
  fixture = { home, workspace, fileUri: pathToFileURL(file).toString(), model: model.proc, server: proc, connection, router, edits, shownDocuments, stderr };

  const settings: Partial<Record<ServerSettingKey, unknown>> = { provider: 'ollama', model: 'llama3.2:latest', 'repomap.tokens': 512 };
  const mapped = toServerSettings((key) => settings[key]);
  assert.deepEqual(mapped.problems, []);
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).toString(),
    workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: 'ws' }],
    capabilities: {
      window: { workDoneProgress: true, showDocument: { support: true } },
      workspace: { applyEdit: true, configuration: true, workspaceFolders: true },
      textDocument: { publishDiagnostics: {} },
      experimental: STREAM_CAPABILITY, // as the extension's client declares it
    },
    initializationOptions: mapped.settings,
  });
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: fixture.fileUri, languageId: 'python', version: 1, text: 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n' },
  });
});

after(async () => {
  if (!fixture) {
    return;
  }
  const { connection, server, model, home } = fixture;
  if (process.env.CODA_TEST_VERBOSE) {
    process.stderr.write(`--- coda-ls stderr ---\n${fixture.stderr.join('')}\nshown: ${fixture.shownDocuments.join(', ')}\n`);
  }
  try {
    await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000).unref())]);
    await connection.sendNotification('exit');
  } catch {
    // The server may already be gone; it is killed below either way.
  }
  connection.dispose();
  for (const proc of [server, model]) {
    proc.kill();
  }
  await rm(home, { recursive: true, force: true });
});

async function execute(command: string, arg: object): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${command} timed out; server log: ${fixture!.stderr.join('').slice(-2000)}`)),
      TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([fixture!.connection.sendRequest('workspace/executeCommand', { command, arguments: [arg] }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('coda.ask streams deltas that assemble into the result text', async (t) => {
  if (!fixture) {
    t.skip(skipReason);
    return;
  }
  const requestId = newRequestId();
  const seen: StreamState[] = [];
  fixture.router.track(requestId, (state) => seen.push({ ...state }));
  const started = performance.now();
  const args = askArgs({
    question: 'What does add do?',
    requestId,
    context: { uri: fixture.fileUri, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } } },
  });
  const result = parseAskResult(await execute('coda.ask', args));
  const state = fixture.router.complete(requestId, result);
  const elapsed = performance.now() - started;
  t.diagnostic(`coda.ask round trip ${elapsed.toFixed(0)} ms, ${seen.length} stream updates`);
  assert.equal(result.requestId, requestId);
  assert.equal(result.text, REPLY);
  const streamed = seen.filter((s) => s.status === 'streaming');
  assert.ok(streamed.length > 1, `expected several deltas, got ${streamed.length}`);
  assert.equal(streamed[streamed.length - 1].text, REPLY, 'the deltas alone rebuild the reply');
  assert.equal(state.status, 'done');
  assert.equal(state.usage?.inputTokens, 11);
  assert.equal(state.usage?.outputTokens, 7);
});

test('coda.chat continues the session', async (t) => {
  if (!fixture) {
    t.skip(skipReason);
    return;
  }
  // The session store opens in the background after `initialized`; until then the server
  // answers sessionId null. Wait for it through coda.newSession, as the extension's
  // New Session command would.
  let sessionId: string | null = null;
  for (let i = 0; i < 100 && !sessionId; i++) {
    sessionId = ((await execute('coda.newSession', { title: 'vscode test' })) as { sessionId: string | null }).sessionId;
    if (!sessionId) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(sessionId, 'coda.newSession returned a session id');
  const first = parseAskResult(await execute('coda.chat', chatArgs('hello', newRequestId(), sessionId)));
  assert.equal(first.sessionId, sessionId);
  const second = parseAskResult(await execute('coda.chat', chatArgs('again', newRequestId(), first.sessionId)));
  assert.ok(first.sessionId);
  assert.equal(second.sessionId, first.sessionId);
});

test('coda.explain with a selection streams and shows a markdown document', async (t) => {
  if (!fixture) {
    t.skip(skipReason);
    return;
  }
  const requestId = newRequestId();
  const seen: StreamState[] = [];
  fixture.router.track(requestId, (s) => seen.push({ ...s }));
  const args = documentArgs(fixture.fileUri, requestId, { start: { line: 0, character: 0 }, end: { line: 1, character: 16 } });
  const shownBefore = fixture.shownDocuments.length;
  const result = parseAskResult(await execute('coda.explain', args));
  fixture.router.complete(requestId, result);
  assert.equal(result.text, REPLY);
  assert.ok(seen.length > 1);
  const shown = fixture.shownDocuments.slice(shownBefore);
  assert.equal(shown.length, 1);
  assert.match(shown[0], /\.md$/);
  // The extension relies on the requestId in the document name to tell whose it is.
  assert.ok(shown[0].includes(requestId), shown[0]);
});

test('coda.models and didChangeConfiguration with {settings: {coda}}', async (t) => {
  if (!fixture) {
    t.skip(skipReason);
    return;
  }
  let models = parseModelsResult(await execute('coda.models', {}));
  assert.deepEqual(
    models.models.map((m) => m.name).sort(),
    ['llama3.2:latest', 'qwen2.5-coder:7b'],
  );
  assert.equal(models.current.model, 'llama3.2:latest');
  const changed = toServerSettings((key) => ({ provider: 'ollama', model: 'qwen2.5-coder:7b' })[key as string]);
  await fixture.connection.sendNotification('workspace/didChangeConfiguration', didChangeConfigurationParams(changed.settings));
  models = parseModelsResult(await execute('coda.models', {}));
  assert.equal(models.current.model, 'qwen2.5-coder:7b');
});

test('coda.repoMap with the focus file', async (t) => {
  if (!fixture) {
    t.skip(skipReason);
    return;
  }
  const result = (await execute('coda.repoMap', repoMapArgs(256, [fixture.fileUri]))) as { text: string; tokens: number };
  assert.match(result.text, /calc\.py/);
  assert.match(result.text, /add/);
  assert.ok(result.tokens <= 256);
});

test('coda.refactor sends a workspace/applyEdit', async (t) => {
  if (!fixture) {
    t.skip(skipReason);
    return;
  }
  const before = fixture.edits.length;
  const result = (await execute(
    'coda.refactor',
    refactorArgs(fixture.fileUri, { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, 'add type hints', newRequestId()),
  )) as { applied?: boolean };
  // The scripted model's prose is not an edit: the server reports applied=false rather than
  // corrupting the file, and the extension must cope with either answer.
  assert.equal(typeof result.applied, 'boolean');
  assert.equal(fixture.edits.length > before, result.applied);
});

test('coda.cancel stops a streaming reply; the partial text stays', async (t) => {
  if (!fixture) {
    t.skip(skipReason);
    return;
  }
  const requestId = newRequestId();
  const seen: StreamState[] = [];
  let firstDelta: () => void = () => undefined;
  const gotDelta = new Promise<void>((resolve) => (firstDelta = resolve));
  fixture.router.track(requestId, (s) => {
    seen.push({ ...s });
    if (s.text) {
      firstDelta();
    }
  });
  const running = execute('coda.chat', chatArgs('tell me a long story', requestId));
  await gotDelta;
  const cancelStarted = performance.now();
  const cancel = (await execute('coda.cancel', { requestId })) as { cancelled: boolean };
  assert.equal(cancel.cancelled, true);
  const result = (await running) as { cancelled?: boolean; text?: string | null };
  const state = fixture.router.complete(requestId, parseAskResult(result));
  t.diagnostic(`cancel to command end ${(performance.now() - cancelStarted).toFixed(0)} ms`);
  assert.equal(state.status, 'cancelled');
  assert.ok(state.text.length > 0 && state.text.length < REPLY.length, `partial text: ${JSON.stringify(state.text)}`);
  assert.deepEqual(fixture.router.active(), []);
});

