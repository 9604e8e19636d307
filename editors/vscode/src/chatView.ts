/**
 * The chat view (a webview in the Coda activity-bar container): renders questions and
 * streamed replies as markdown with highlighted code, takes questions, and cancels.
 */

import * as fs from 'node:fs';

import * as vscode from 'vscode';

import { chatHtml, makeNonce } from './chatHtml';
import type { RequestPresenter } from './client';
import type { LlmCommand } from './protocol';
import type { StreamState } from './stream';
import { Transcript, type ChatEntry } from './transcript';

/** Re-render a streaming reply at most this often; markdown-it on each delta is wasteful. */
const RENDER_INTERVAL_MS = 50;

export interface ChatViewActions {
  ask(question: string): void;
  cancel(): void;
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
    view.webview.onDidReceiveMessage((message: { type?: string; question?: unknown }) => {
      switch (message?.type) {
        case 'ready':
          this.ready = true;
          void view.webview.postMessage({ type: 'entries', entries: this.transcript.all() });
          void view.webview.postMessage({ type: 'busy', busy: this.busy });
          break;
        case 'ask':
          if (typeof message.question === 'string' && message.question.trim()) {
            this.actions.ask(message.question);
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
