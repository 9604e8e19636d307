/**
 * Maps the extension's `coda.*` settings to coda-ls's initializationOptions and
 * workspace/didChangeConfiguration payload. Pure: the caller supplies a lookup that returns
 * only values the user set explicitly, so Coda's own config files (user and project
 * config.toml) keep deciding everything the user did not override in VS Code.
 */

export const MODES = ['chat', 'code', 'explain', 'review', 'refactor', 'debug'] as const;
export const PERMISSIONS = ['allow', 'ask', 'deny'] as const;
export const MIN_REPOMAP_TOKENS = 64;

/** Settings forwarded to the server, as VS Code keys below `coda.`; dots become tables. */
export const SERVER_SETTING_KEYS = [
  'provider',
  'model',
  'mode',
  'repomap.tokens',
  'permissions.read',
  'permissions.write',
  'permissions.shell',
  'permissions.web',
  'completion.enabled',
  'completion.model',
] as const;
export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

/** Settings only the extension reads. */
export const CLIENT_SETTING_KEYS = ['serverPath', 'serverArgs', 'trace.server'] as const;

export type Permission = (typeof PERMISSIONS)[number];

export interface ServerSettings {
  provider?: string;
  model?: string;
  mode?: string;
  repomap?: { tokens?: number };
  permissions?: { read?: Permission; write?: Permission; shell?: Permission; web?: Permission };
  completion?: { enabled?: boolean; model?: string };
}

export interface MappedSettings {
  settings: ServerSettings;
  /** One line per ignored value, for a warning the user can act on. */
  problems: string[];
}

type Validator = (value: unknown) => unknown | undefined;

const nonEmptyString: Validator = (value) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
const oneOf =
  (choices: readonly string[]): Validator =>
  (value) =>
    typeof value === 'string' && choices.includes(value) ? value : undefined;
const tokens: Validator = (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= MIN_REPOMAP_TOKENS ? value : undefined;

const VALIDATORS: Record<ServerSettingKey, Validator> = {
  provider: nonEmptyString,
  model: nonEmptyString,
  mode: oneOf(MODES),
  'repomap.tokens': tokens,
  'permissions.read': oneOf(PERMISSIONS),
  'permissions.write': oneOf(PERMISSIONS),
  'permissions.shell': oneOf(PERMISSIONS),
  'permissions.web': oneOf(PERMISSIONS),
  'completion.enabled': (value) => (typeof value === 'boolean' ? value : undefined),
  'completion.model': nonEmptyString,
};

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function setNested(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) {
      node[part] = {};
    }
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * Build the server settings. `lookup(key)` gets a key below `coda.` and returns the value
 * the user set, or undefined. Blank values mean "not set"; invalid ones are dropped and
 * reported rather than sent, so the server never rejects the whole initialize over one typo.
 */
export function toServerSettings(lookup: (key: ServerSettingKey) => unknown): MappedSettings {
  const settings: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of SERVER_SETTING_KEYS) {
    const raw = lookup(key);
    if (isBlank(raw)) {
      continue;
    }
    const value = VALIDATORS[key](raw);
    if (value === undefined) {
      problems.push(`coda.${key}: ignoring invalid value ${JSON.stringify(raw)}`);
      continue;
    }
    setNested(settings, key, value);
  }
  return { settings: settings as ServerSettings, problems };
}

/** The params of workspace/didChangeConfiguration, as the contract spells them. */
export function didChangeConfigurationParams(settings: ServerSettings): { settings: { coda: ServerSettings } } {
  return { settings: { coda: settings } };
}

/** Did a change to these `coda.*` keys require restarting the server process? */
export function needsRestart(changed: (key: string) => boolean): boolean {
  return changed('serverPath') || changed('serverArgs');
}
