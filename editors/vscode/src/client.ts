/**
 * Owns the coda-ls process through vscode-languageclient: finds and starts the server,
 * forwards settings, runs commands, and routes `coda/stream` notifications to views.
 */

import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
  type ShowDocumentResult,
} from 'vscode-languageclient/node';

import { withRequestId } from './args';
import { errorFromException, structuredReplyText } from './format';
import { COMPLETION_STATUS_CAPABILITY, COMPLETION_STATUS_NOTIFICATION, INLINE_COMPLETION_METHOD } from './inlineProtocol';
import { isLlmCommand, parseAnsweredBy, STREAM_CAPABILITY, STREAM_NOTIFICATION, type AnsweredBy, type LlmCommand, type ServerError } from './protocol';
import { activeInterpreter } from './pythonEnv';
import { chooseInterpreter, installInto } from './install';
import { commandLine, describe, findServer, notFoundMessage, type Candidate, type SearchInput } from './serverPath';
import { didChangeConfigurationParams, toServerSettings, type MappedSettings, type ServerSettingKey } from './settings';
import { StreamRouter, type StreamListener, type StreamState } from './stream';

/** Seconds to wait for the server to honour coda.cancel before dropping the request. */
const CANCEL_GRACE_MS = 3000;

/** Where replies to requests that no view claimed go (the chat view). */
export interface RequestPresenter {
  started(requestId: string, command: LlmCommand, title: string): void;
  update(state: Readonly<StreamState>): void;
}

export type ClientStatus = 'stopped' | 'starting' | 'running' | 'failed';

export interface TrackedResult {
  state: Readonly<StreamState>;
  /** The command's result object; undefined when it failed or was dropped on cancel. */
  result?: unknown;
}

function configuration(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('coda', vscode.workspace.workspaceFolders?.[0]?.uri);
}

/** A `coda.*` value only if the user set it somewhere (not the contributed default). */
export function explicitSetting(key: string): unknown {
  const inspected = configuration().inspect(key);
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
}

export function currentServerSettings(): MappedSettings {
  return toServerSettings((key: ServerSettingKey) => explicitSetting(key));
}

export class CodaClient implements vscode.Disposable {
  readonly router: StreamRouter;
  /** The conversation new questions continue; set by results and by New Session. */
  sessionId: string | undefined;
  presenter: RequestPresenter | undefined;

  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private server: Candidate | undefined;
  private readonly cancelSources = new Map<string, vscode.CancellationTokenSource>();
  /** coda.ask requests whose reply a chat UI already shows (see showDocument below). */
  private readonly shownInChat = new Set<string>();
  private readonly statusEmitter = new vscode.EventEmitter<ClientStatus>();
  private readonly busyEmitter = new vscode.EventEmitter<boolean>();
  private readonly answerEmitter = new vscode.EventEmitter<AnsweredBy>();
  private readonly completionStatusEmitter = new vscode.EventEmitter<unknown>();
  private readonly disposables: vscode.Disposable[] = [];
  private lastWarnedProblems = '';
  /** The interpreter "Install Coda" put coda-ls into (this session): searched next. */
  private installedInterpreter: string | undefined;

  readonly onDidChangeStatus = this.statusEmitter.event;
  readonly onDidChangeBusy = this.busyEmitter.event;
  /** Fires with the provider/model of each answer that came back. */
  readonly onDidAnswer = this.answerEmitter.event;
  /** coda/completionStatus params (see inline.ts). */
  readonly onDidChangeCompletionStatus = this.completionStatusEmitter.event;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly extensionMode: vscode.ExtensionMode,
  ) {
    this.router = new StreamRouter((busy) => this.busyEmitter.fire(busy));
    this.router.setFallback((state) => this.presenter?.update(state));
    this.disposables.push(this.statusEmitter, this.busyEmitter, this.answerEmitter, this.completionStatusEmitter);
  }

  get isRunning(): boolean {
    return this.client?.state === State.Running;
  }

  /** textDocument/inlineCompletion, only while the server runs (never starts it: a
   * keystroke must not launch a server); the token's cancellation is $/cancelRequest. */
  async inlineCompletion(params: object, token: vscode.CancellationToken): Promise<unknown> {
    const client = this.client;
    if (client?.state !== State.Running) {
      return null;
    }
    return client.sendRequest(INLINE_COMPLETION_METHOD, params, token);
  }

  /** The URI as the server knows it (the language client's own conversion). */
  protocolUri(uri: vscode.Uri): string {
    return this.client ? this.client.code2ProtocolConverter.asUri(uri) : uri.toString();
  }

  get serverPath(): string | undefined {
    return this.server?.path;
  }

  /** Start the server once; concurrent callers share the same start. */
  start(): Promise<LanguageClient> {
    const client = this.client;
    if (client && client.state === State.Running) {
      return Promise.resolve(client);
    }
    if (client && client.state === State.Starting && !this.starting) {
      // The language client is restarting a crashed server on its own: wait for that.
      return client.start().then(() => client);
    }
    if (!this.starting) {
      this.starting = this.doStart().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // Requests in flight reject when the connection closes, and their views show that.
    if (client) {
      try {
        await client.dispose();
      } catch (err) {
        // A server that already died cannot be stopped cleanly; it is gone either way.
        this.output.warn(`stopping coda-ls: ${String(err)}`);
      }
    }
    this.statusEmitter.fire('stopped');
  }

  /** Pick an interpreter, pip install Coda into it, select it for Coda, restart. */
  async installServer(): Promise<void> {
    const python = await chooseInterpreter(this.output);
    if (!python || !(await installInto(python, this.output))) {
      return;
    }
    this.installedInterpreter = python;
    await this.restart();
    void vscode.window.showInformationMessage(`Coda: installed into ${python}; coda-ls is running.`);
  }

  async restart(): Promise<LanguageClient> {
    await this.stop();
    return this.start();
  }

  /** Send the current settings to a running server (workspace/didChangeConfiguration). */
  async pushSettings(): Promise<void> {
    const mapped = this.settingsWithWarnings();
    if (this.client?.state === State.Running) {
      await this.client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(mapped.settings));
    }
  }

  /** workspace/executeCommand with the contract's one object argument. */
  async execute(command: string, arg: object = {}, token?: vscode.CancellationToken): Promise<unknown> {
    const client = await this.start();
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] }, token);
  }

  /**
   * Run an LLM command whose argument carries `requestId`: its stream goes to `listener`
   * (default: the presenter), the status bar spins until it ends, and cancel() can stop it.
   * Never throws for server errors: they end up in the returned state, where views show them.
   */
  async runLlm(
    command: LlmCommand,
    arg: { requestId: string },
    title: string,
    listener?: StreamListener,
  ): Promise<TrackedResult> {
    const source = new vscode.CancellationTokenSource();
    return this.track(command, arg.requestId, title, listener, source, async () => {
      const client = await this.start();
      return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [arg] }, source.token);
    });
  }

  /** Ask the server to stop a request; drop it locally if the server does not end it soon. */
  async cancel(requestId: string): Promise<void> {
    const state = this.router.assembler.get(requestId);
    if (!state || state.status !== 'streaming') {
      return;
    }
    this.router.cancel(requestId);
    // Looked up when needed: the request may have ended (and its source been disposed).
    const drop = (): void => this.cancelSources.get(requestId)?.cancel();
    setTimeout(drop, CANCEL_GRACE_MS).unref?.();
    const client = this.client;
    if (client?.state !== State.Running) {
      drop();
      return;
    }
    try {
      const reply = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'coda.cancel',
        arguments: [{ requestId }],
      })) as { cancelled?: unknown } | null;
      if (reply?.cancelled !== true) {
        // The server no longer knows the request (finished, or never started): stop
        // waiting for it now rather than after the grace period.
        drop();
      }
    } catch (err) {
      this.output.warn(`coda.cancel ${requestId}: ${String(err)}`);
      drop();
    }
  }

  async cancelAll(): Promise<void> {
    await Promise.all(this.router.active().map((requestId) => this.cancel(requestId)));
  }

  dispose(): void {
    for (const source of this.cancelSources.values()) {
      source.cancel();
      source.dispose();
    }
    void this.stop();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private async track(
    command: LlmCommand,
    requestId: string,
    title: string,
    listener: StreamListener | undefined,
    source: vscode.CancellationTokenSource | undefined,
    send: () => Promise<unknown>,
  ): Promise<TrackedResult> {
    if (!listener) {
      this.presenter?.started(requestId, command, title);
    }
    this.router.track(requestId, listener ?? ((state) => this.presenter?.update(state)), this.sessionId);
    if (source) {
      this.cancelSources.set(requestId, source);
    }
    if (command === 'coda.ask' || command === 'coda.chat') {
      this.shownInChat.add(requestId);
    }
    try {
      const result = await send();
      const text = result && typeof result === 'object' ? (result as { text?: unknown }).text : undefined;
      const sessionId = result && typeof result === 'object' ? (result as { sessionId?: unknown }).sessionId : undefined;
      const usage = result && typeof result === 'object' ? (result as { usage?: unknown }).usage : undefined;
      if (typeof sessionId === 'string' && sessionId) {
        this.sessionId = sessionId;
      }
      const state = this.router.complete(requestId, {
        // review/refactor stream JSON: the reply shows the findings or the outcome instead
        text: structuredReplyText(command, result) ?? (typeof text === 'string' ? text : undefined),
        sessionId: typeof sessionId === 'string' ? sessionId : undefined,
        usage: usage && typeof usage === 'object' ? (usage as StreamState['usage']) : undefined,
        answeredBy: parseAnsweredBy(result),
      });
      if (state.answeredBy) {
        this.answerEmitter.fire(state.answeredBy);
      }
      return { state, result };
    } catch (err) {
      const cancelled = source?.token.isCancellationRequested === true;
      const error: ServerError = cancelled ? { message: 'Cancelled' } : errorFromException(err);
      if (!cancelled) {
        this.output.error(`${command} ${requestId}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
      }
      return { state: this.router.fail(requestId, error) };
    } finally {
      this.cancelSources.delete(requestId);
      this.shownInChat.delete(requestId);
      source?.dispose();
    }
  }

  private settingsWithWarnings(): MappedSettings {
    const mapped = currentServerSettings();
    const problems = mapped.problems.join('\n');
    if (problems && problems !== this.lastWarnedProblems) {
      void vscode.window.showWarningMessage(`Coda settings: ${mapped.problems.join('; ')}`);
    }
    this.lastWarnedProblems = problems;
    return mapped;
  }

  private async searchInput(): Promise<SearchInput> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return {
      configured: configuration().get<string>('serverPath', ''),
      interpreter: await activeInterpreter(folder?.uri, this.output),
      installedInterpreter: this.installedInterpreter,
      pathEnv: process.env.PATH,
      pathExt: process.env.PATHEXT,
      platform: process.platform,
      workspaceFolder: folder?.uri.fsPath,
      home: os.homedir(),
      pipxHome: process.env.PIPX_HOME,
      pipxBinDir: process.env.PIPX_BIN_DIR,
    };
  }

  private async doStart(): Promise<LanguageClient> {
    if (this.client) {
      // A client the language client gave up restarting: replace it.
      await this.stop();
    }
    this.statusEmitter.fire('starting');
    const input = await this.searchInput();
    const search = await findServer(input);
    if (!search.found) {
      this.statusEmitter.fire('failed');
      const message = notFoundMessage(input, search);
      this.output.error(message);
      for (const candidate of search.tried.slice(0, 20)) {
        this.output.info(`  looked at ${candidate.path} (${candidate.source})`);
      }
      void vscode.window.showErrorMessage(message, 'Install Coda…', 'Open Settings', 'Show Output').then((choice) => {
        if (choice === 'Install Coda…') {
          void this.installServer();
        } else if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'coda.serverPath');
        } else if (choice === 'Show Output') {
          this.output.show();
        }
      });
      throw new Error(message);
    }
    this.server = search.found;
    const line = commandLine(search.found, configuration().get<string[]>('serverArgs', []));
    this.output.info(`starting ${line.command} ${line.args.join(' ')} (found via ${search.found.source})`);
    const folder = vscode.workspace.workspaceFolders?.[0];
    const serverOptions: ServerOptions = {
      command: line.command,
      args: line.args,
      transport: TransportKind.stdio,
      options: {
        cwd: folder?.uri.fsPath,
        // Windows can only spawn .cmd/.bat launchers through a shell.
        shell: /\.(cmd|bat)$/i.test(search.found.path),
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }, { scheme: 'untitled' }],
      initializationOptions: this.settingsWithWarnings().settings,
      outputChannel: this.output,
      middleware: {
        executeCommand: (command, args, next) => this.interceptCommand(command, args, next),
        window: {
          // coda-ls also writes a coda.ask answer to a markdown file and asks to show it;
          // the chat view shows it already, so that document would only steal focus. The
          // server names the file after the requestId. Explain documents are still shown.
          showDocument: async (params, next) => {
            if ([...this.shownInChat].some((requestId) => params.uri.includes(requestId))) {
              return { success: true };
            }
            // next() is the client's own handler, which resolves to a result, never an error.
            return (await next(params, new vscode.CancellationTokenSource().token)) as ShowDocumentResult;
          },
        },
        workspace: {
          // A server that pulls `coda` settings gets what initializationOptions carried
          // (only what the user set), not VS Code's raw section with contributed defaults.
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (!Array.isArray(answers)) {
              return answers;
            }
            return params.items.map((item, index) =>
              item.section === 'coda' ? currentServerSettings().settings : answers[index],
            );
          },
        },
      },
    };
    const client = new LanguageClient('coda', 'Coda', serverOptions, clientOptions);
    // coda-ls sends coda/stream only to clients that ask for it; this one renders it.
    client.registerFeature({
      fillClientCapabilities: (capabilities) => {
        capabilities.experimental = {
          ...(capabilities.experimental as object | undefined),
          ...STREAM_CAPABILITY,
          ...COMPLETION_STATUS_CAPABILITY,
        };
      },
      initialize: () => undefined,
      getState: () => ({ kind: 'static' }),
      clear: () => undefined,
    });
    client.onNotification(STREAM_NOTIFICATION, (params: unknown) => this.router.notify(params));
    client.onNotification(COMPLETION_STATUS_NOTIFICATION, (params: unknown) => this.completionStatusEmitter.fire(params));
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) {
        this.statusEmitter.fire('running');
      } else if (event.newState === State.Stopped && this.client === client) {
        this.statusEmitter.fire('stopped');
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.client = undefined;
      this.statusEmitter.fire('failed');
      const error = errorFromException(err);
      this.output.error(`coda-ls failed to start: ${error.message}`);
      void vscode.window.showErrorMessage(`Coda: coda-ls failed to start: ${error.message}`, 'Show Output').then((choice) => {
        if (choice) {
          this.output.show();
        }
      });
      throw err;
    }
    if (this.extensionMode === vscode.ExtensionMode.Development) {
      this.output.info(`coda-ls running (${describe(search.found)})`);
    }
    return client;
  }

  /**
   * Commands the language client runs for us: code actions from the lightbulb and anything
   * else that executes a server command by id. LLM commands get a requestId of ours so
   * their stream shows in the chat view and the cancel button reaches them.
   */
  private async interceptCommand(
    command: string,
    args: unknown[],
    next: (command: string, args: unknown[]) => vscode.ProviderResult<unknown>,
  ): Promise<unknown> {
    const injected = isLlmCommand(command) ? withRequestId(command, args) : undefined;
    if (!injected || !isLlmCommand(command)) {
      return next(command, args);
    }
    if (command === 'coda.refactor') {
      // "Coda: Refactor…" from the lightbulb comes with a generic instruction; let the user
      // say what they want, starting from it. Escape cancels the refactoring.
      const arg = injected.args[0] as { instruction?: unknown };
      const instruction = await vscode.window.showInputBox({
        title: 'Refactor with Coda',
        prompt: 'What should change?',
        value: typeof arg.instruction === 'string' ? arg.instruction : '',
        ignoreFocusOut: true,
      });
      if (!instruction?.trim()) {
        return undefined;
      }
      injected.args[0] = { ...arg, instruction: instruction.trim() };
    }
    const title = titleForServerCommand(command, injected.args[0]);
    const tracked = await this.track(command, injected.requestId, title, undefined, undefined, async () =>
      next(command, injected.args),
    );
    if (tracked.state.status === 'error' && tracked.state.error) {
      void vscode.window.showErrorMessage(`Coda: ${tracked.state.error.message}`);
    }
    return tracked.result;
  }
}

function titleForServerCommand(command: LlmCommand, arg: unknown): string {
  const uri = arg && typeof arg === 'object' ? (arg as { uri?: unknown }).uri : undefined;
  const file = typeof uri === 'string' ? vscode.workspace.asRelativePath(vscode.Uri.parse(uri)) : '';
  const verb = command.slice('coda.'.length);
  return file ? `${verb[0].toUpperCase()}${verb.slice(1)} ${file}` : `${verb[0].toUpperCase()}${verb.slice(1)}`;
}
