/**
 * Builds the ONE JSON-object argument of each coda-ls command from what the editor knows.
 * Pure: callers convert VS Code objects to plain uri strings and LSP ranges first.
 */

import { randomUUID } from 'node:crypto';

import type { AttachmentArg } from './attachments';
import { isLlmCommand, type Position, type Range } from './protocol';

export function newRequestId(): string {
  return `vscode-${randomUUID()}`;
}

export function isEmptyRange(range: Range | undefined): boolean {
  return !range || (range.start.line === range.end.line && range.start.character === range.end.character);
}

/** A copy of `range` with start before end, or undefined when it selects nothing. */
export function nonEmptyRange(range: Range | undefined): Range | undefined {
  if (!range || isEmptyRange(range)) {
    return undefined;
  }
  const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
  const [start, end] = before(range.start, range.end) ? [range.start, range.end] : [range.end, range.start];
  return { start: { ...start }, end: { ...end } };
}

function requireText(value: string | undefined, what: string): string {
  const text = (value ?? '').trim();
  if (!text) {
    throw new Error(`${what} is empty`);
  }
  return text;
}

export interface EditorContext {
  uri: string;
  range?: Range;
}

export interface AskInput {
  question: string;
  requestId: string;
  sessionId?: string;
  mode?: string;
  context?: EditorContext;
  attachments?: AttachmentArg[];
}

export interface AskArgs {
  question: string;
  requestId: string;
  uri?: string;
  range?: Range;
  sessionId?: string;
  mode?: string;
  attachments?: AttachmentArg[];
}

export function askArgs(input: AskInput): AskArgs {
  const args: AskArgs = { question: requireText(input.question, 'The question'), requestId: input.requestId };
  if (input.context?.uri) {
    args.uri = input.context.uri;
    const range = nonEmptyRange(input.context.range);
    if (range) {
      args.range = range;
    }
  }
  if (input.sessionId) {
    args.sessionId = input.sessionId;
  }
  if (input.mode) {
    args.mode = input.mode;
  }
  if (input.attachments?.length) {
    args.attachments = input.attachments;
  }
  return args;
}

export interface ChatArgs {
  question: string;
  requestId: string;
  sessionId?: string;
  attachments?: AttachmentArg[];
}

export function chatArgs(question: string, requestId: string, sessionId?: string, attachments?: AttachmentArg[]): ChatArgs {
  const args: ChatArgs = { question: requireText(question, 'The question'), requestId };
  if (sessionId) {
    args.sessionId = sessionId;
  }
  if (attachments?.length) {
    args.attachments = attachments;
  }
  return args;
}

export interface DocumentArgs {
  uri: string;
  requestId: string;
  range?: Range;
}

/** coda.explain and coda.review: the whole file unless something is selected. */
export function documentArgs(uri: string, requestId: string, range?: Range): DocumentArgs {
  const args: DocumentArgs = { uri: requireText(uri, 'The document uri'), requestId };
  const selected = nonEmptyRange(range);
  if (selected) {
    args.range = selected;
  }
  return args;
}

export interface RefactorArgs {
  uri: string;
  range: Range;
  instruction: string;
  requestId: string;
}

export function refactorArgs(uri: string, range: Range | undefined, instruction: string, requestId: string): RefactorArgs {
  const selected = nonEmptyRange(range);
  if (!selected) {
    throw new Error('Select the code to refactor first');
  }
  return {
    uri: requireText(uri, 'The document uri'),
    range: selected,
    instruction: requireText(instruction, 'The refactoring instruction'),
    requestId,
  };
}

export interface RepoMapArgs {
  tokens?: number;
  focus?: string[];
}

export function repoMapArgs(tokens: number | undefined, focus: (string | undefined)[]): RepoMapArgs {
  const args: RepoMapArgs = {};
  if (tokens !== undefined && Number.isInteger(tokens) && tokens > 0) {
    args.tokens = tokens;
  }
  const uris = [...new Set(focus.filter((uri): uri is string => typeof uri === 'string' && uri !== ''))];
  if (uris.length > 0) {
    args.focus = uris;
  }
  return args;
}

export function setModelArgs(model: string, provider?: string): { model: string; provider?: string } {
  const args: { model: string; provider?: string } = { model: requireText(model, 'The model name') };
  if (provider) {
    args.provider = provider;
  }
  return args;
}

/**
 * Gives an LLM command invoked by someone else (a code action from the lightbulb, another
 * extension) a requestId of ours, so its stream can be routed and cancelled like ours.
 * Returns the arguments to send and the requestId, or undefined for other commands.
 */
export function withRequestId(
  command: string,
  args: unknown[],
  makeId: () => string = newRequestId,
): { args: unknown[]; requestId: string } | undefined {
  if (!isLlmCommand(command)) {
    return undefined;
  }
  const first = args[0];
  if (typeof first === 'object' && first !== null && !Array.isArray(first)) {
    const existing = (first as { requestId?: unknown }).requestId;
    if (typeof existing === 'string' && existing !== '') {
      return { args, requestId: existing };
    }
    const requestId = makeId();
    return { args: [{ ...first, requestId }, ...args.slice(1)], requestId };
  }
  if (args.length === 0) {
    const requestId = makeId();
    return { args: [{ requestId }], requestId };
  }
  // Not the one-object shape of the contract: pass it through untouched and let the
  // server report the error rather than guessing.
  return undefined;
}
