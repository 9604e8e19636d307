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

interface FindingLike {
  severity?: unknown;
  start_line?: unknown;
  end_line?: unknown;
  message?: unknown;
}

/**
 * What the chat view shows for a review or refactor instead of the JSON the model streamed:
 * the summary and the findings, or what the refactoring did (or why it produced no edit,
 * with the model's answer). undefined for other commands or unusable results.
 */
export function structuredReplyText(command: string, result: unknown): string | undefined {
  if (!result || typeof result !== 'object') {
    return undefined;
  }
  const r = result as Record<string, unknown>;
  const summary = typeof r.summary === 'string' ? r.summary.trim() : '';
  if (command === 'coda.review' && Array.isArray(r.findings)) {
    const lines = r.findings.map((f: FindingLike) => {
      const start = typeof f.start_line === 'number' ? f.start_line : 0;
      const end = typeof f.end_line === 'number' && f.end_line !== start ? `–${f.end_line}` : '';
      return `- **${String(f.severity ?? 'warning')}** line ${start}${end}: ${String(f.message ?? '')}`;
    });
    return [summary, ...lines].filter((line) => line !== '').join('\n') || 'No findings.';
  }
  if (command === 'coda.refactor' && typeof r.applied === 'boolean') {
    if (r.applied) {
      return summary || 'Refactored.';
    }
    if (r.edit) {
      return `${summary ? `${summary}\n\n` : ''}_the editor did not apply the edit_`;
    }
    const reason = typeof r.reason === 'string' ? r.reason : 'no edit was produced';
    const answer = typeof r.text === 'string' ? r.text.trim() : '';
    return `_${reason}_${answer ? `\n\n${answer}` : ''}`;
  }
  return undefined;
}
