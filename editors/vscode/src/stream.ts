/**
 * Assembles `coda/stream` notifications into one reply per requestId and routes each update
 * to whoever started the request. Pure (no 'vscode'): the client feeds it notifications and
 * command results, views subscribe to it.
 */

import { parseStreamParams, type AnsweredBy, type AskResult, type ServerError, type Usage } from './protocol';

export type StreamStatus = 'streaming' | 'done' | 'error' | 'cancelled';

export interface StreamState {
  requestId: string;
  sessionId?: string;
  text: string;
  status: StreamStatus;
  usage?: Usage;
  error?: ServerError;
  /** The provider/model that answered, once the server said. */
  answeredBy?: AnsweredBy;
  /** How many deltas arrived; the command result may carry text when none did. */
  deltas: number;
  /** Notices the server sent along the way (a compaction, an MCP server that failed). */
  notices?: string[];
}

export type StreamListener = (state: Readonly<StreamState>) => void;

function isFinal(state: StreamState): boolean {
  return state.status !== 'streaming';
}

export class StreamAssembler {
  private readonly states = new Map<string, StreamState>();

  get(requestId: string): Readonly<StreamState> | undefined {
    return this.states.get(requestId);
  }

  /** Start tracking a request before its command is sent, so no early delta is lost. */
  begin(requestId: string, sessionId?: string): Readonly<StreamState> {
    const existing = this.states.get(requestId);
    if (existing) {
      return existing;
    }
    const state: StreamState = { requestId, text: '', status: 'streaming', deltas: 0 };
    if (sessionId) {
      state.sessionId = sessionId;
    }
    this.states.set(requestId, state);
    return state;
  }

  /**
   * Apply one notification. Returns the updated state, or undefined when the notification
   * is malformed or arrives after the request finished (late deltas must not reopen a reply).
   */
  apply(raw: unknown): Readonly<StreamState> | undefined {
    const params = parseStreamParams(raw);
    if (!params) {
      return undefined;
    }
    const state = this.states.get(params.requestId) ?? (this.begin(params.requestId) as StreamState);
    if (isFinal(state)) {
      return undefined;
    }
    if (params.delta) {
      state.text += params.delta;
      state.deltas += 1;
    }
    if (params.sessionId) {
      state.sessionId = params.sessionId;
    }
    if (params.usage) {
      state.usage = params.usage;
    }
    if (params.answeredBy) {
      state.answeredBy = params.answeredBy;
    }
    if (params.notice) {
      state.notices = [...(state.notices ?? []), params.notice];
    }
    if (params.error) {
      state.error = params.error;
      state.status = 'error';
    } else if (params.cancelled) {
      state.status = 'cancelled';
    } else if (params.done) {
      state.status = 'done';
    }
    return state;
  }

  /**
   * The command returned. Its text is authoritative when it differs from what streamed
   * (a server that does not stream, or a delta lost on the way); the usage and session
   * fill in what the last notification did not carry.
   */
  complete(requestId: string, result: Partial<AskResult> = {}): Readonly<StreamState> {
    const state = this.begin(requestId) as StreamState;
    if (state.status === 'cancelled' || state.status === 'error') {
      if (result.text && result.text.length > state.text.length) {
        state.text = result.text;
      }
      return state;
    }
    if (typeof result.text === 'string' && result.text !== '' && result.text !== state.text) {
      state.text = result.text;
    }
    if (result.sessionId) {
      state.sessionId = result.sessionId;
    }
    if (result.usage) {
      state.usage = { ...state.usage, ...result.usage };
    }
    if (result.answeredBy) {
      state.answeredBy = result.answeredBy;
    }
    state.status = 'done';
    return state;
  }

  fail(requestId: string, error: ServerError): Readonly<StreamState> {
    const state = this.begin(requestId) as StreamState;
    if (state.status === 'streaming' || state.status === 'done') {
      state.error = error;
      state.status = 'error';
    }
    return state;
  }

  cancel(requestId: string): Readonly<StreamState> {
    const state = this.begin(requestId) as StreamState;
    if (state.status === 'streaming') {
      state.status = 'cancelled';
    }
    return state;
  }

  forget(requestId: string): void {
    this.states.delete(requestId);
  }

  /** Request ids still streaming. */
  active(): string[] {
    return [...this.states.values()].filter((state) => state.status === 'streaming').map((state) => state.requestId);
  }
}

/**
 * Routes assembled updates: to the listener registered for a requestId, or to the fallback
 * listener for requests nobody claimed (for example a server that picks its own ids).
 * Reports whether anything is streaming so the status bar can spin.
 */
export class StreamRouter {
  readonly assembler = new StreamAssembler();
  private readonly listeners = new Map<string, StreamListener>();
  private fallback: StreamListener | undefined;
  private lastBusy = false;

  constructor(private readonly onBusyChange: (busy: boolean) => void = () => undefined) {}

  setFallback(listener: StreamListener | undefined): void {
    this.fallback = listener;
  }

  /** Track a request and send its updates to `listener`. */
  track(requestId: string, listener: StreamListener, sessionId?: string): void {
    this.listeners.set(requestId, listener);
    this.assembler.begin(requestId, sessionId);
    this.updateBusy();
  }

  notify(raw: unknown): void {
    const state = this.assembler.apply(raw);
    if (state) {
      this.emit(state);
    }
  }

  complete(requestId: string, result?: Partial<AskResult>): Readonly<StreamState> {
    return this.finish(this.assembler.complete(requestId, result));
  }

  fail(requestId: string, error: ServerError): Readonly<StreamState> {
    return this.finish(this.assembler.fail(requestId, error));
  }

  /**
   * Mark a request cancelled: the reply keeps what streamed, later deltas are dropped and
   * the spinner stops at once. Its listener stays until complete() or fail() reports the
   * command's end, which may still bring the server's final (partial) text.
   */
  cancel(requestId: string): Readonly<StreamState> {
    const state = this.assembler.cancel(requestId);
    this.emit(state);
    return state;
  }

  active(): string[] {
    return this.assembler.active();
  }

  private finish(state: Readonly<StreamState>): Readonly<StreamState> {
    this.emit(state);
    this.listeners.delete(state.requestId);
    this.assembler.forget(state.requestId);
    return state;
  }

  private emit(state: Readonly<StreamState>): void {
    const listener = this.listeners.get(state.requestId) ?? this.fallback;
    listener?.(state);
    if (isFinal(state as StreamState) && !this.listeners.has(state.requestId)) {
      // An unclaimed request that the server finished: nothing will call complete() for it.
      this.assembler.forget(state.requestId);
    }
    this.updateBusy();
  }

  private updateBusy(): void {
    const busy = this.assembler.active().length > 0;
    if (busy !== this.lastBusy) {
      this.lastBusy = busy;
      this.onBusyChange(busy);
    }
  }
}
