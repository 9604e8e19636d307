/**
 * The wire side of inline completion (no `vscode` import, so it is unit-tested with node):
 * the params of `textDocument/inlineCompletion`, its items, and `coda/completionStatus`.
 */

export const INLINE_COMPLETION_METHOD = 'textDocument/inlineCompletion';
export const COMPLETION_STATUS_NOTIFICATION = 'coda/completionStatus';
/** The experimental client capability that asks coda-ls for coda/completionStatus. */
export const COMPLETION_STATUS_CAPABILITY = { codaCompletionStatus: true } as const;

export interface Position {
  line: number;
  character: number;
}

export interface InlineItem {
  insertText: string;
  range?: { start: Position; end: Position };
}

/** LSP's InlineCompletionTriggerKind: 1 = invoked (a key), 2 = automatic (typing). */
export function inlineParams(uri: string, position: Position, invoked: boolean): object {
  return {
    textDocument: { uri },
    position: { line: position.line, character: position.character },
    context: { triggerKind: invoked ? 1 : 2 },
  };
}

function isPosition(value: unknown): value is Position {
  const p = value as Position | null;
  return typeof p === 'object' && p !== null && Number.isInteger(p.line) && Number.isInteger(p.character);
}

/** The items of an InlineCompletionList or InlineCompletionItem[] (anything else: none). */
export function parseInlineItems(value: unknown): InlineItem[] {
  const list = Array.isArray(value) ? value : (value as { items?: unknown } | null)?.items;
  if (!Array.isArray(list)) {
    return [];
  }
  const items: InlineItem[] = [];
  for (const raw of list) {
    const item = raw as { insertText?: unknown; range?: { start?: unknown; end?: unknown } } | null;
    if (!item || typeof item.insertText !== 'string') {
      continue; // a snippet string ({kind, value}) is not something Coda sends
    }
    const range = item.range;
    items.push(
      range && isPosition(range.start) && isPosition(range.end)
        ? { insertText: item.insertText, range: { start: range.start, end: range.end } }
        : { insertText: item.insertText },
    );
  }
  return items;
}

/** `pending` while the server asks the model; anything else ends the pending state. */
export function parseCompletionStatus(value: unknown): { uri: string; pending: boolean } | undefined {
  const params = value as { uri?: unknown; state?: unknown } | null;
  if (!params || typeof params.uri !== 'string' || typeof params.state !== 'string') {
    return undefined;
  }
  return { uri: params.uri, pending: params.state === 'pending' };
}

