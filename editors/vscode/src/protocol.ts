/**
 * The coda-ls wire contract as the extension uses it: command ids, argument and result
 * shapes, and the `coda/stream` notification. Pure module (no 'vscode' import) so the unit
 * tests run under plain node.
 */

export const STREAM_NOTIFICATION = 'coda/stream';
/** The experimental client capability that asks coda-ls for coda/stream notifications. */
export const STREAM_CAPABILITY = { codaStream: true } as const;

/** Server commands that call the LLM: they take a client-chosen requestId and stream. */
export const LLM_COMMANDS = ['coda.ask', 'coda.chat', 'coda.explain', 'coda.review', 'coda.refactor'] as const;
export type LlmCommand = (typeof LLM_COMMANDS)[number];

export function isLlmCommand(command: string): command is LlmCommand {
  return (LLM_COMMANDS as readonly string[]).includes(command);
}

/** LSP positions are zero-based; `character` counts UTF-16 code units, as in VS Code. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  cost?: number;
}

export interface ServerError {
  message: string;
  hint?: string;
}

/** The provider and model that produced an answer (sent with the last notification). */
export interface AnsweredBy {
  provider?: string;
  model: string;
}

export interface StreamParams {
  requestId: string;
  sessionId?: string;
  delta: string;
  done: boolean;
  /** Set on the last notification of a request the server stopped on coda.cancel. */
  cancelled?: boolean;
  usage?: Usage;
  error?: ServerError;
  answeredBy?: AnsweredBy;
  /** Something the user should know along the way (a compaction, an MCP server down). */
  notice?: string;
}

export interface AskResult {
  requestId: string;
  sessionId?: string;
  text: string;
  usage?: Usage;
  answeredBy?: AnsweredBy;
}

export interface ReviewResult {
  requestId: string;
  findings: unknown[];
}

export interface RefactorResult {
  requestId: string;
  applied: boolean;
}

export interface ModelInfo {
  provider: string;
  name: string;
  contextWindow?: number;
  supportsTools?: boolean;
}

export interface ModelsResult {
  models: ModelInfo[];
  current: { provider?: string; model?: string };
}

export interface SetModelResult {
  provider?: string;
  model?: string;
}

export interface NewSessionResult {
  sessionId: string;
}

export interface RepoMapResult {
  text: string;
  tokens?: number;
}

export interface CancelResult {
  cancelled: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Usage with only the numeric fields kept; undefined when nothing usable is there. */
export function parseUsage(value: unknown): Usage | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const usage: Usage = {
    inputTokens: optionalNumber(value.inputTokens),
    outputTokens: optionalNumber(value.outputTokens),
    cachedTokens: optionalNumber(value.cachedTokens),
    cost: optionalNumber(value.cost),
  };
  for (const key of Object.keys(usage) as (keyof Usage)[]) {
    if (usage[key] === undefined) {
      delete usage[key];
    }
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}

/** `{provider?, model}` from an object carrying string `model` (and `provider`) fields. */
export function parseAnsweredBy(value: unknown): AnsweredBy | undefined {
  if (!isObject(value) || typeof value.model !== 'string' || value.model === '') {
    return undefined;
  }
  return typeof value.provider === 'string' && value.provider
    ? { provider: value.provider, model: value.model }
    : { model: value.model };
}

export function parseServerError(value: unknown): ServerError | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  const message = typeof value.message === 'string' && value.message ? value.message : 'coda-ls reported an error';
  const hint = typeof value.hint === 'string' && value.hint ? value.hint : undefined;
  return hint ? { message, hint } : { message };
}

/**
 * Validate a `coda/stream` notification. Returns undefined for anything without a string
 * requestId: such a message cannot be routed, and a malformed notification must never
 * break the view that renders the others.
 */
export function parseStreamParams(value: unknown): StreamParams | undefined {
  if (!isObject(value) || typeof value.requestId !== 'string' || value.requestId === '') {
    return undefined;
  }
  const params: StreamParams = {
    requestId: value.requestId,
    delta: typeof value.delta === 'string' ? value.delta : '',
    done: value.done === true,
  };
  if (typeof value.sessionId === 'string' && value.sessionId) {
    params.sessionId = value.sessionId;
  }
  if (value.cancelled === true) {
    params.cancelled = true;
  }
  const usage = parseUsage(value.usage);
  if (usage) {
    params.usage = usage;
  }
  const error = value.error === undefined || value.error === null ? undefined : parseServerError(value.error);
  if (error) {
    params.error = error;
  }
  const answeredBy = parseAnsweredBy(value);
  if (answeredBy) {
    params.answeredBy = answeredBy;
  }
  if (typeof value.notice === 'string' && value.notice) {
    params.notice = value.notice;
  }
  return params;
}

export function parseAskResult(value: unknown): AskResult {
  if (!isObject(value)) {
    throw new Error(`coda-ls returned no result object (got ${JSON.stringify(value)})`);
  }
  const result: AskResult = {
    requestId: typeof value.requestId === 'string' ? value.requestId : '',
    text: typeof value.text === 'string' ? value.text : '',
  };
  if (typeof value.sessionId === 'string' && value.sessionId) {
    result.sessionId = value.sessionId;
  }
  const usage = parseUsage(value.usage);
  if (usage) {
    result.usage = usage;
  }
  return result;
}

export function parseModelsResult(value: unknown): ModelsResult {
  if (!isObject(value) || !Array.isArray(value.models)) {
    throw new Error('coda-ls returned no model list');
  }
  const models: ModelInfo[] = [];
  for (const item of value.models) {
    if (isObject(item) && typeof item.name === 'string' && typeof item.provider === 'string') {
      const model: ModelInfo = { provider: item.provider, name: item.name };
      const contextWindow = optionalNumber(item.contextWindow);
      if (contextWindow !== undefined) {
        model.contextWindow = contextWindow;
      }
      if (typeof item.supportsTools === 'boolean') {
        model.supportsTools = item.supportsTools;
      }
      models.push(model);
    }
  }
  const current = isObject(value.current) ? value.current : {};
  return {
    models,
    current: {
      provider: typeof current.provider === 'string' ? current.provider : undefined,
      model: typeof current.model === 'string' ? current.model : undefined,
    },
  };
}
