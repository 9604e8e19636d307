/**
 * The chat view's content as data: entries the webview draws, built from questions and
 * stream states. Pure, so what the user sees for each stream state is unit-tested.
 */

import { escapeHtml, renderMarkdown } from './markdown';
import { formatUsage } from './format';
import type { StreamState } from './stream';

export type EntryRole = 'user' | 'assistant' | 'info';
export type EntryStatus = 'streaming' | 'done' | 'error' | 'cancelled';

export interface ChatEntry {
  id: string;
  role: EntryRole;
  title: string;
  /** Already sanitized HTML (markdown rendered with raw HTML escaped). */
  html: string;
  footer: string;
  status: EntryStatus;
}

/** The HTML of a reply in any state: text so far, then the error or cancel note. */
export function replyHtml(state: Readonly<StreamState>): string {
  let html = state.text ? renderMarkdown(state.text) : '';
  if (state.status === 'streaming' && !state.text) {
    html = '<p class="waiting">Thinking…</p>';
  }
  const notices = (state.notices ?? []).map((text) => `<p class="notice">${escapeHtml(text)}</p>`);
  html = notices.join('') + html;
  if (state.status === 'error' && state.error) {
    const hint = state.error.hint ? `<div class="hint">${escapeHtml(state.error.hint)}</div>` : '';
    html += `<div class="error"><strong>Error:</strong> ${escapeHtml(state.error.message)}${hint}</div>`;
  }
  if (state.status === 'cancelled') {
    html += '<p class="cancelled">Cancelled.</p>';
  }
  return html;
}

export function replyFooter(state: Readonly<StreamState>): string {
  return formatUsage(state.usage);
}

export class Transcript {
  private readonly entries: ChatEntry[] = [];
  private readonly byId = new Map<string, ChatEntry>();
  private counter = 0;

  all(): readonly ChatEntry[] {
    return this.entries;
  }

  get(id: string): ChatEntry | undefined {
    return this.byId.get(id);
  }

  clear(): void {
    this.entries.length = 0;
    this.byId.clear();
  }

  addUser(text: string, title = 'You'): ChatEntry {
    return this.push({
      id: `user-${++this.counter}`,
      role: 'user',
      title,
      html: renderMarkdown(text),
      footer: '',
      status: 'done',
    });
  }

  addInfo(markdown: string, title = 'Coda'): ChatEntry {
    return this.push({
      id: `info-${++this.counter}`,
      role: 'info',
      title,
      html: renderMarkdown(markdown),
      footer: '',
      status: 'done',
    });
  }

  /** Create or update the reply entry of a request; its id is the requestId. */
  updateReply(state: Readonly<StreamState>, title = 'Coda'): ChatEntry {
    const existing = this.byId.get(state.requestId);
    const entry: ChatEntry = {
      id: state.requestId,
      role: 'assistant',
      title: existing?.title ?? title,
      html: replyHtml(state),
      footer: replyFooter(state),
      status: state.status,
    };
    if (existing) {
      Object.assign(existing, entry);
      return existing;
    }
    return this.push(entry);
  }

  /** Append a note to a finished reply (review findings count, refactor applied). */
  annotate(id: string, footer: string): ChatEntry | undefined {
    const entry = this.byId.get(id);
    if (entry) {
      entry.footer = [entry.footer, footer].filter((part) => part !== '').join(' · ');
    }
    return entry;
  }

  private push(entry: ChatEntry): ChatEntry {
    this.entries.push(entry);
    this.byId.set(entry.id, entry);
    // A long day of chatting must not grow the view without bound.
    while (this.entries.length > 200) {
      const dropped = this.entries.shift();
      if (dropped) {
        this.byId.delete(dropped.id);
      }
    }
    return entry;
  }
}
