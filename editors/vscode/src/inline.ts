/**
 * Inline (ghost-text) completions from coda-ls's `textDocument/inlineCompletion`.
 *
 * vscode-languageclient 9 has no inline-completion feature (it arrives in 10), so an
 * InlineCompletionItemProvider forwards VS Code's requests to the server; VS Code's
 * cancellation token becomes `$/cancelRequest`, which stops the model call on the server.
 * While a suggestion is pending the server sends `coda/completionStatus` (this client
 * asks for it with an experimental capability) and a status bar item shows a spinner.
 */

import * as vscode from 'vscode';

import { inlineParams, parseCompletionStatus, parseInlineItems } from './inlineProtocol';

export type InlineRequest = (params: object, token: vscode.CancellationToken) => Promise<unknown>;

/** Forwards VS Code's inline completion requests to coda-ls. */
export class CodaInlineCompletions implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly request: InlineRequest,
    private readonly asUri: (uri: vscode.Uri) => string = (uri) => uri.toString(),
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[]> {
    const invoked = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    let result: unknown;
    try {
      result = await this.request(inlineParams(this.asUri(document.uri), position, invoked), token);
    } catch {
      return []; // cancelled, or the server is not running: no ghost text, no error popup
    }
    if (token.isCancellationRequested) {
      return [];
    }
    return parseInlineItems(result).map((item) => {
      const range = item.range
        ? new vscode.Range(item.range.start.line, item.range.start.character, item.range.end.line, item.range.end.character)
        : undefined;
      return new vscode.InlineCompletionItem(item.insertText, range);
    });
  }
}

/** A status bar item that spins while a completion is pending (hidden otherwise). */
export class CompletionStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly pending = new Set<string>();

  constructor() {
    this.item = vscode.window.createStatusBarItem('coda.completion', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'Coda completion';
    this.item.text = '$(loading~spin) Coda';
    this.item.tooltip = 'Coda is asking the completion model';
  }

  update(value: unknown): void {
    const status = parseCompletionStatus(value);
    if (!status) {
      return;
    }
    if (status.pending) {
      this.pending.add(status.uri);
    } else {
      this.pending.delete(status.uri);
    }
    if (this.pending.size > 0) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** The pieces of CodaClient inline completion needs (kept narrow for the provider). */
export interface InlineClient {
  inlineCompletion: InlineRequest;
  protocolUri(uri: vscode.Uri): string;
  onDidChangeCompletionStatus: vscode.Event<unknown>;
}

/** Register the provider for files and the status item; dispose to undo both. */
export function registerInlineCompletions(client: InlineClient): vscode.Disposable {
  const status = new CompletionStatusItem();
  const provider = new CodaInlineCompletions(
    (params, token) => client.inlineCompletion(params, token),
    (uri) => client.protocolUri(uri),
  );
  return vscode.Disposable.from(
    status,
    client.onDidChangeCompletionStatus((params) => status.update(params)),
    vscode.languages.registerInlineCompletionItemProvider({ scheme: 'file' }, provider),
  );
}
