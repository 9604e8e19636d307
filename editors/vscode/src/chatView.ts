/**
 * The chat view (a webview in the Coda activity-bar container): renders questions and
 * streamed replies as markdown with highlighted code, takes questions, and cancels.
 */

import * as fs from 'node:fs';

import * as vscode from 'vscode';

import { PendingAttachments, attachmentArg, baseName, type AttachmentArg } from './attachments';
import { chatHtml, makeNonce } from './chatHtml';
import type { RequestPresenter } from './client';
import type { LlmCommand } from './protocol';
import type { StreamState } from './stream';
import { Transcript, type ChatEntry } from './transcript';

/** Re-render a streaming reply at most this often; markdown-it on each delta is wasteful. */
const RENDER_INTERVAL_MS = 50;

export interface ChatViewActions {
  /** `attachments`: the files attached in the view, taken for this question. */
  ask(question: string, attachments: AttachmentArg[]): void;
  cancel(): void;
}

/** What the webview posts (see media/chat.js). */
interface ViewMessage {
  type?: string;
  question?: unknown;
  name?: unknown;
  data?: unknown;
  uris?: unknown[];
}

export class ChatViewProvider implements vscode.WebviewViewProvider, RequestPresenter, vscode.Disposable {
  static readonly viewId = 'coda.chat';

  readonly transcript = new Transcript();
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private busy = false;
  private readonly pending = new Map<string, { state: Readonly<StreamState>; title: string }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly titles = new Map<string, string>();
  readonly attachments = new PendingAttachments();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly actions: ChatViewActions,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [media] };
    view.webview.html = chatHtml({
      cspSource: view.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'chat.css')).toString(),
      mermaidUri: bundledMermaid(view.webview, media),
    });
    view.webview.onDidReceiveMessage((message: ViewMessage) => {
      switch (message?.type) {
        case 'ready':
          this.ready = true;
          void view.webview.postMessage({ type: 'entries', entries: this.transcript.all() });
          void view.webview.postMessage({ type: 'busy', busy: this.busy });
          this.showAttachments();
          break;
        case 'ask':
          if (typeof message.question === 'string' && message.question.trim()) {
            this.actions.ask(message.question, this.attachments.take());
            this.showAttachments();
          }
          break;
        case 'attachData':
          if (typeof message.name === 'string' && typeof message.data === 'string') {
            this.guard(() => this.attachments.add({ name: message.name as string, data: message.data as string }));
          }
          break;
        case 'attachUris':
          if (Array.isArray(message.uris)) {
            void this.attachUris(message.uris.filter((u): u is string => typeof u === 'string').map((u) => vscode.Uri.parse(u)));
          }
          break;
        case 'pickAttachment':
          void this.pickAttachments();
          break;
        case 'detach':
          if (typeof message.name === 'string') {
            this.attachments.remove(message.name);
            this.showAttachments();
          }
          break;
        case 'cancel':
          this.actions.cancel();
          break;
      }
    });
    view.onDidDispose(() => {
      this.view = undefined;
      this.ready = false;
    });
  }

  /** Attach files to the next question (the "Attach…" button, or a command). */
  async pickAttachments(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Attach',
      title: 'Attach to the next question',
      filters: { 'Images and PDFs': ['png', 'jpg', 'jpeg', 'gif', 'webp', 'pdf'], 'All files': ['*'] },
    });
    if (picked?.length) {
      await this.attachUris(picked);
    }
  }

  async attachUris(uris: vscode.Uri[]): Promise<void> {
    for (const uri of uris) {
      try {
        const bytes = await vscode.workspace.fs.readFile(uri);
        this.attachments.add(attachmentArg(baseName(uri.path), bytes));
      } catch (err) {
        void vscode.window.showErrorMessage(`Coda: cannot attach ${baseName(uri.path)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.showAttachments();
  }

  /** Give back attachments of a question that was refused, for the next try. */
  restoreAttachments(items: AttachmentArg[]): void {
    this.attachments.restore(items);
    this.showAttachments();
  }

  private guard(change: () => void): void {
    try {
      change();
    } catch (err) {
      void vscode.window.showErrorMessage(`Coda: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.showAttachments();
  }

  private showAttachments(): void {
    if (this.ready) {
      void this.view?.webview.postMessage({ type: 'attachments', names: this.attachments.names() });
    }
  }

  /** Bring the view forward (opening the Coda container if needed). */
  async reveal(): Promise<void> {
    if (this.view) {
      this.view.show(true);
    } else {
      await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
    }
  }

  addUser(text: string, title?: string): void {
    this.post(this.transcript.addUser(text, title));
  }

  addInfo(markdown: string, title?: string): void {
    this.post(this.transcript.addInfo(markdown, title));
  }

  annotate(id: string, footer: string): void {
    const entry = this.transcript.annotate(id, footer);
    if (entry) {
      this.post(entry);
    }
  }

  clear(): void {
    this.transcript.clear();
    this.pending.clear();
    if (this.ready) {
      void this.view?.webview.postMessage({ type: 'entries', entries: [] });
    }
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    if (this.ready) {
      void this.view?.webview.postMessage({ type: 'busy', busy });
    }
  }

  // RequestPresenter: replies of requests that came without a listener of their own.
  started(requestId: string, _command: LlmCommand, title: string): void {
    this.titles.set(requestId, title);
  }

  update(state: Readonly<StreamState>): void {
    const title = this.titles.get(state.requestId) ?? 'Coda';
    // Copy: the assembler mutates its state object in place.
    this.pending.set(state.requestId, { state: { ...state }, title });
    if (state.status !== 'streaming') {
      this.titles.delete(state.requestId);
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), RENDER_INTERVAL_MS);
    }
  }

  dispose(): void {
    if (this.timer) {
      clearTimeout(this.timer);
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (const { state, title } of this.pending.values()) {
      this.post(this.transcript.updateReply(state, title));
    }
    this.pending.clear();
  }

  private post(entry: ChatEntry): void {
    if (this.ready) {
      void this.view?.webview.postMessage({ type: 'entry', entry });
    }
  }
}

/** media/mermaid.min.js as a webview URI, when build.sh could bundle it (from npm). */
function bundledMermaid(webview: vscode.Webview, media: vscode.Uri): string | undefined {
  const file = vscode.Uri.joinPath(media, 'mermaid.min.js');
  return fs.existsSync(file.fsPath) ? webview.asWebviewUri(file).toString() : undefined;
}
