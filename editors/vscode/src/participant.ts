/**
 * `@coda` in VS Code's Chat view, where the chat participant API exists (VS Code 1.90+ with
 * a chat UI). Feature-detected: on older VS Code the extension's own chat view is the only one.
 */

import * as vscode from 'vscode';

import { askArgs, newRequestId, type EditorContext } from './args';
import { referenceAttachments, type ChatReferenceLike } from './attachments';
import type { CodaClient } from './client';
import { MODES } from './settings';

// The subset of the 1.90 API used here; the extension compiles against 1.82 typings.
interface ChatRequest {
  prompt: string;
  command?: string;
  // Files and images attached in the chat input (dragged in, pasted, or #file).
  references?: readonly ChatReferenceLike[];
}
interface ChatResponseStream {
  markdown(value: string): void;
  progress?(value: string): void;
}
interface ChatResult {
  errorDetails?: { message: string };
}
type ChatHandler = (
  request: ChatRequest,
  context: unknown,
  response: ChatResponseStream,
  token: vscode.CancellationToken,
) => Promise<ChatResult>;
interface ChatApi {
  createChatParticipant(id: string, handler: ChatHandler): vscode.Disposable & { iconPath?: unknown };
}

export function registerChatParticipant(
  client: CodaClient,
  extensionUri: vscode.Uri,
  editorContext: () => EditorContext | undefined,
): vscode.Disposable | undefined {
  const chat = (vscode as unknown as { chat?: Partial<ChatApi> }).chat;
  if (typeof chat?.createChatParticipant !== 'function') {
    return undefined;
  }
  const participant = chat.createChatParticipant('coda.participant', async (request, _context, response, token) => {
    const requestId = newRequestId();
    // "/review …" and friends pick the mode; plain questions use the configured default.
    const mode = request.command && (MODES as readonly string[]).includes(request.command) ? request.command : undefined;
    let shown = 0;
    const cancel = token.onCancellationRequested(() => void client.cancel(requestId));
    try {
      // Images and PDFs dragged into the chat go as attachments (the server checks the model reads images).
      const attachments = await referenceAttachments(request.references ?? [], (uri) =>
        vscode.workspace.fs.readFile(vscode.Uri.from(uri)),
      );
      const { state } = await client.runLlm(
        'coda.ask',
        askArgs({ question: request.prompt, requestId, sessionId: client.sessionId, mode, context: editorContext(), attachments }),
        'Chat',
        (update) => {
          // The chat API only appends, so show what is new since the last update.
          if (update.text.length > shown) {
            response.markdown(update.text.slice(shown));
            shown = update.text.length;
          }
        },
      );
      if (state.status === 'error' && state.error) {
        return { errorDetails: { message: state.error.hint ? `${state.error.message} — ${state.error.hint}` : state.error.message } };
      }
      return {};
    } finally {
      cancel.dispose();
    }
  });
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'coda.svg');
  return participant;
}
