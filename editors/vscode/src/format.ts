/** Short human-readable strings for the status bar, tooltips and the chat view. Pure. */

import type { ServerError, Usage } from './protocol';

export function formatTokens(count: number): string {
  if (count < 1000) {
    return String(count);
  }
  if (count < 10_000) {
    return `${(count / 1000).toFixed(1)}k`;
  }
  return `${Math.round(count / 1000)}k`;
}

export function formatCost(cost: number): string {
  if (cost === 0) {
    return '$0';
  }
  if (cost < 0.01) {
    return `$${cost.toFixed(4)}`;
  }
  return `$${cost.toFixed(2)}`;
}

/** "1.2k in · 340 out · 800 cached · $0.0031", only the parts the server sent. */
export function formatUsage(usage: Usage | undefined): string {
  if (!usage) {
    return '';
  }
  const parts: string[] = [];
  if (usage.inputTokens !== undefined) {
    parts.push(`${formatTokens(usage.inputTokens)} in`);
  }
  if (usage.outputTokens !== undefined) {
    parts.push(`${formatTokens(usage.outputTokens)} out`);
  }
  if (usage.cachedTokens) {
    parts.push(`${formatTokens(usage.cachedTokens)} cached`);
  }
  if (usage.cost !== undefined) {
    parts.push(formatCost(usage.cost));
  }
  return parts.join(' · ');
}

export function formatError(error: ServerError): string {
  return error.hint ? `${error.message} — ${error.hint}` : error.message;
}

/** "ollama/llama3.2", or just the model, or a placeholder before the server answered. */
export function modelLabel(current: { provider?: string; model?: string } | undefined): string {
  if (!current?.model) {
    return current?.provider ? `${current.provider}/default` : 'no model';
  }
  return current.provider ? `${current.provider}/${current.model}` : current.model;
}

export function statusBarText(label: string, busy: boolean): string {
  return busy ? `$(sync~spin) Coda: ${label}` : `$(hubot) Coda: ${label}`;
}

/**
 * The message of an error thrown by the language client: a JSON-RPC ResponseError keeps
 * the server's hint in `data`, which the user needs more than the error code.
 */
export function errorFromException(err: unknown): ServerError {
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; data?: unknown };
    const message = typeof e.message === 'string' && e.message ? e.message : String(err);
    const data = e.data as { hint?: unknown } | string | undefined;
    const hint = typeof data === 'string' ? data : typeof data?.hint === 'string' ? data.hint : undefined;
    return hint ? { message, hint } : { message };
  }
  return { message: String(err) };
}
