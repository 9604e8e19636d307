/**
 * Entry point: wires the language client, the chat view, the status bar and the palette
 * commands together. Each command is a few lines that build arguments (args.ts) and hand
 * the request to the client; the logic worth testing lives in the pure modules.
 */

import * as vscode from 'vscode';

import {
  askArgs,
  chatArgs,
  documentArgs,
  newRequestId,
  nonEmptyRange,
  refactorArgs,
  repoMapArgs,
  setModelArgs,
  type EditorContext,
} from './args';
import type { AttachmentArg } from './attachments';
import { ChatViewProvider } from './chatView';
import { registerInlineCompletions } from './inline';
import { CodaClient, explicitSetting } from './client';
import { UI_COMMANDS } from './commandIds';
import { errorFromException, formatError, formatUsage, modelLabel } from './format';
import { registerChatParticipant } from './participant';
import { parseModelsResult, type Range } from './protocol';
import { onInterpreterChange } from './pythonEnv';
import { needsRestart } from './settings';
import { CodaStatusBar } from './statusBar';

let coda: CodaExtension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  coda = new CodaExtension(context);
  await coda.activate();
}

export async function deactivate(): Promise<void> {
  await coda?.client.stop();
  coda = undefined;
}

function toRange(range: vscode.Range): Range {
  return {
    start: { line: range.start.line, character: range.start.character },
    end: { line: range.end.line, character: range.end.character },
  };
}

function rangeLabel(range: Range | undefined): string {
  if (!range) {
    return '';
  }
  const start = range.start.line + 1;
  const end = range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
  return start === end ? ` line ${start}` : ` lines ${start}–${end}`;
}

class CodaExtension {
  readonly client: CodaClient;
  private readonly output: vscode.LogOutputChannel;
  private readonly chatView: ChatViewProvider;
  private readonly statusBar: CodaStatusBar;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Coda', { log: true });
    this.client = new CodaClient(this.output, context.extensionMode);
    this.chatView = new ChatViewProvider(context.extensionUri, {
      ask: (question, attachments) => void this.chat(question, attachments),
      cancel: () => void this.client.cancelAll(),
    });
    this.client.presenter = this.chatView;
    this.statusBar = new CodaStatusBar();
    context.subscriptions.push(this.output, this.client, this.chatView, this.statusBar);
  }

  async activate(): Promise<void> {
    const { subscriptions } = this.context;
    subscriptions.push(registerInlineCompletions(this.client));
    subscriptions.push(
      vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, this.chatView, {
        webviewOptions: { retainContextWhenHidden: true },
      }),
      this.client.onDidChangeBusy((busy) => {
        this.statusBar.setBusy(busy);
        this.chatView.setBusy(busy);
        void vscode.commands.executeCommand('setContext', 'coda.streaming', busy);
      }),
      // The status bar names the model that actually answered (issue #18: it said
      // "no model" when coda.models could not tell, though answers came back).
      this.client.onDidAnswer((answeredBy) => this.statusBar.setModel(modelLabel(answeredBy))),
      this.client.onDidChangeStatus((status) => {
        this.statusBar.setStatus(status);
        if (status === 'running') {
          void this.refreshModel();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => void this.onConfigurationChanged(event)),
      ...this.registerCommands(),
    );
    const participant = registerChatParticipant(this.client, this.context.extensionUri, () => this.editorContext());
    if (participant) {
      subscriptions.push(participant);
    }
    const interpreterChanged = await onInterpreterChange(this.output);
    if (interpreterChanged) {
      subscriptions.push(
        interpreterChanged(() => {
          // Only a server found through the interpreter depends on it.
          if (!vscode.workspace.getConfiguration('coda').get<string>('serverPath')) {
            void this.client.restart().catch(() => undefined);
          }
        }),
      );
    }
    // Start eagerly so code actions are in the lightbulb from the first selection; a
    // failure is reported by the client and shown on the status bar.
    this.client.start().catch(() => undefined);
  }

  private registerCommands(): vscode.Disposable[] {
    const register = (id: string, run: () => Promise<unknown>): vscode.Disposable =>
      vscode.commands.registerCommand(id, async () => {
        try {
          await run();
        } catch (err) {
          // Command boundary: anything thrown becomes a message, never an unhandled rejection.
          const error = errorFromException(err);
          void vscode.window.showErrorMessage(`Coda: ${formatError(error)}`);
        }
      });
    return [
      register(UI_COMMANDS.ask, () => this.ask()),
      register(UI_COMMANDS.explainSelection, () => this.explainSelection()),
      register(UI_COMMANDS.explainDiagram, () => this.explainDiagram()),
      register(UI_COMMANDS.reviewFile, () => this.reviewFile()),
      register(UI_COMMANDS.refactorSelection, () => this.refactorSelection()),
      register(UI_COMMANDS.switchModel, () => this.switchModel()),
      register(UI_COMMANDS.newSession, () => this.newSession()),
      register(UI_COMMANDS.showRepoMap, () => this.showRepoMap()),
      register(UI_COMMANDS.cancel, () => this.client.cancelAll()),
      // From the explorer's context menu it gets the file(s); elsewhere it opens a picker.
      vscode.commands.registerCommand(UI_COMMANDS.attach, async (uri?: vscode.Uri, selected?: vscode.Uri[]) => {
        try {
          await this.chatView.reveal();
          const uris = selected?.length ? selected : uri instanceof vscode.Uri ? [uri] : [];
          await (uris.length ? this.chatView.attachUris(uris) : this.chatView.pickAttachments());
        } catch (err) {
          void vscode.window.showErrorMessage(`Coda: ${formatError(errorFromException(err))}`);
        }
      }),
      register(UI_COMMANDS.showChat, () => this.chatView.reveal()),
      register(UI_COMMANDS.restartServer, () => this.client.restart()),
      register(UI_COMMANDS.installServer, () => this.client.installServer()),
    ];
  }

  private editorContext(): EditorContext | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      return undefined;
    }
    const range = nonEmptyRange(toRange(editor.selection));
    return range ? { uri: editor.document.uri.toString(), range } : { uri: editor.document.uri.toString() };
  }

  private requireEditor(): vscode.TextEditor {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      throw new Error('Open a file in the editor first');
    }
    return editor;
  }

  private mode(): string | undefined {
    const mode = explicitSetting('mode');
    return typeof mode === 'string' && mode ? mode : undefined;
  }

  private afterReply(state: { usage?: Parameters<typeof formatUsage>[0] }): void {
    const usage = formatUsage(state.usage);
    if (usage) {
      this.statusBar.setLastUsage(usage);
    }
  }

  /** A question typed in the chat view: continues the session, no editor context. */
  private async chat(question: string, attachments: AttachmentArg[] = []): Promise<void> {
    const requestId = newRequestId();
    const args = chatArgs(question, requestId, this.client.sessionId, attachments);
    const names = attachments.map((a) => a.name).join(', ');
    this.chatView.addUser(question, names ? `You — with ${names}` : undefined);
    const { state } = await this.client.runLlm('coda.chat', args, 'Coda');
    if (state.status === 'error' && attachments.length) {
      this.chatView.restoreAttachments(attachments); // e.g. a model that reads no images
    }
    this.afterReply(state);
  }

  private async ask(): Promise<void> {
    const context = this.editorContext();
    const question = await vscode.window.showInputBox({
      title: 'Ask Coda',
      prompt: context?.range ? 'About the selection (and the repository)' : 'About the repository and the open file',
      ignoreFocusOut: true,
    });
    if (!question?.trim()) {
      return;
    }
    const requestId = newRequestId();
    const args = askArgs({ question, requestId, sessionId: this.client.sessionId, mode: this.mode(), context });
    await this.chatView.reveal();
    const where = context ? ` — ${vscode.workspace.asRelativePath(vscode.Uri.parse(context.uri))}${rangeLabel(context.range)}` : '';
    this.chatView.addUser(question, `You${where}`);
    const { state } = await this.client.runLlm('coda.ask', args, 'Coda');
    this.afterReply(state);
  }

  private async explainSelection(): Promise<void> {
    const editor = this.requireEditor();
    const range = nonEmptyRange(toRange(editor.selection));
    const args = documentArgs(editor.document.uri.toString(), newRequestId(), range);
    const file = vscode.workspace.asRelativePath(editor.document.uri);
    await this.chatView.reveal();
    this.chatView.addUser(`Explain \`${file}\`${rangeLabel(args.range)}`, 'You');
    // The server also opens its explanation as a markdown document (window/showDocument).
    const { state } = await this.client.runLlm('coda.explain', args, 'Explanation');
    this.afterReply(state);
  }

  /** Explain the selection (or file) with a Mermaid diagram the chat view draws. */
  private async explainDiagram(): Promise<void> {
    const editor = this.requireEditor();
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'Call graph', description: 'who calls whom', diagram: 'call' as const },
        { label: 'Class diagram', description: 'classes and their methods', diagram: 'class' as const },
      ],
      { placeHolder: 'Which diagram?' },
    );
    if (!picked) {
      return;
    }
    const range = nonEmptyRange(toRange(editor.selection));
    const args = { ...documentArgs(editor.document.uri.toString(), newRequestId(), range), diagram: picked.diagram };
    const file = vscode.workspace.asRelativePath(editor.document.uri);
    await this.chatView.reveal();
    this.chatView.addUser(`${picked.label} of \`${file}\`${rangeLabel(args.range)}`, 'You');
    const { state } = await this.client.runLlm('coda.explain', args, 'Explanation');
    this.afterReply(state);
  }

  private async reviewFile(): Promise<void> {
    const editor = this.requireEditor();
    const args = documentArgs(editor.document.uri.toString(), newRequestId());
    const file = vscode.workspace.asRelativePath(editor.document.uri);
    await this.chatView.reveal();
    this.chatView.addUser(`Review \`${file}\``, 'You');
    const { state, result } = await this.client.runLlm('coda.review', args, 'Review');
    this.afterReply(state);
    const findings = (result as { findings?: unknown } | undefined)?.findings;
    if (Array.isArray(findings)) {
      const note =
        findings.length === 0 ? 'no findings' : `${findings.length} finding${findings.length === 1 ? '' : 's'} in the Problems panel`;
      this.chatView.annotate(args.requestId, note);
      if (findings.length > 0) {
        void vscode.commands.executeCommand('workbench.actions.view.problems');
      } else {
        void vscode.window.showInformationMessage(`Coda found nothing to report in ${file}.`);
      }
    }
  }

  private async refactorSelection(): Promise<void> {
    const editor = this.requireEditor();
    const range = nonEmptyRange(toRange(editor.selection));
    if (!range) {
      throw new Error('Select the code to refactor first');
    }
    const instruction = await vscode.window.showInputBox({
      title: 'Refactor with Coda',
      prompt: 'What should change?',
      placeHolder: 'e.g. extract a function, add type hints, use a dataclass',
      ignoreFocusOut: true,
    });
    if (!instruction?.trim()) {
      return;
    }
    const args = refactorArgs(editor.document.uri.toString(), range, instruction, newRequestId());
    const file = vscode.workspace.asRelativePath(editor.document.uri);
    this.chatView.addUser(`Refactor \`${file}\`${rangeLabel(range)}: ${instruction}`, 'You');
    // The edit itself arrives as workspace/applyEdit, which the language client applies
    // (undoable with Ctrl+Z).
    const { state, result } = await this.client.runLlm('coda.refactor', args, 'Refactor');
    this.afterReply(state);
    const applied = (result as { applied?: unknown } | undefined)?.applied;
    if (applied === true) {
      this.chatView.annotate(args.requestId, 'edit applied');
    } else if (applied === false) {
      this.chatView.annotate(args.requestId, 'edit not applied');
      void vscode.window.showWarningMessage('Coda: the refactoring was not applied.');
    }
  }

  private async refreshModel(): Promise<void> {
    try {
      const models = parseModelsResult(await this.client.execute('coda.models'));
      this.statusBar.setModel(modelLabel(models.current));
    } catch (err) {
      // No reachable provider is a normal state before setup; the label says so.
      this.output.warn(`coda.models: ${formatError(errorFromException(err))}`);
      const model = explicitSetting('model');
      this.statusBar.setModel(typeof model === 'string' && model ? model : 'no model');
    }
  }

  private async switchModel(): Promise<void> {
    const models = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Coda: listing models' },
      async () => parseModelsResult(await this.client.execute('coda.models')),
    );
    if (models.models.length === 0) {
      throw new Error('No models available: is a provider configured and reachable? See "coda doctor".');
    }
    type Item = vscode.QuickPickItem & { provider: string; model: string };
    const items: Item[] = models.models.map((model) => {
      const current = model.name === models.current.model && model.provider === models.current.provider;
      const details = [
        model.contextWindow ? `${Math.round(model.contextWindow / 1000)}k context` : '',
        model.supportsTools ? 'tools' : '',
      ].filter((part) => part !== '');
      return {
        label: `${current ? '$(check) ' : ''}${model.name}`,
        description: model.provider,
        detail: details.join(' · ') || undefined,
        provider: model.provider,
        model: model.name,
      };
    });
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Coda: Switch Model',
      placeHolder: `Current: ${modelLabel(models.current)}`,
      matchOnDescription: true,
    });
    if (!picked) {
      return;
    }
    const result = (await this.client.execute('coda.setModel', setModelArgs(picked.model, picked.provider))) as {
      provider?: string;
      model?: string;
    } | null;
    this.statusBar.setModel(modelLabel(result ?? { provider: picked.provider, model: picked.model }));
  }

  private async newSession(): Promise<void> {
    const result = (await this.client.execute('coda.newSession', {})) as { sessionId?: unknown } | null;
    // A server without a session store answers null: the next question starts a new one.
    this.client.sessionId = typeof result?.sessionId === 'string' && result.sessionId ? result.sessionId : undefined;
    this.chatView.clear();
    this.chatView.addInfo('New session started.');
  }

  private async showRepoMap(): Promise<void> {
    const tokens = explicitSetting('repomap.tokens');
    const focus = vscode.window.visibleTextEditors
      .filter((editor) => editor.document.uri.scheme === 'file')
      .map((editor) => editor.document.uri.toString());
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active?.scheme === 'file') {
      focus.unshift(active.toString());
    }
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Coda: building the repo map' },
      () => this.client.execute('coda.repoMap', repoMapArgs(typeof tokens === 'number' ? tokens : undefined, focus)),
    );
    const text = (result as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') {
      throw new Error('coda-ls returned no repo map');
    }
    const document = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    await vscode.window.showTextDocument(document, { preview: true });
  }

  private async onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!event.affectsConfiguration('coda')) {
      return;
    }
    try {
      if (needsRestart((key) => event.affectsConfiguration(`coda.${key}`))) {
        await this.client.restart();
        return;
      }
      await this.client.pushSettings();
      if (event.affectsConfiguration('coda.model') || event.affectsConfiguration('coda.provider')) {
        await this.refreshModel();
      }
    } catch (err) {
      this.output.error(`applying settings: ${formatError(errorFromException(err))}`);
    }
  }
}
