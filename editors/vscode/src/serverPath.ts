/**
 * Finds the coda-ls executable: the `coda.serverPath` setting, else the bin directory of the
 * Python interpreter selected in the Python extension, else PATH. Pure apart from the
 * injectable file check, so the search order is unit-tested on every platform's rules.
 */

import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export const SERVER_NAME = 'coda-ls';

export type ServerSource = 'setting' | 'python' | 'PATH';

export interface Candidate {
  path: string;
  source: ServerSource;
}

export interface SearchInput {
  /** The coda.serverPath setting, as typed. */
  configured?: string;
  /** The selected Python interpreter's executable. */
  interpreter?: string;
  pathEnv?: string;
  /** Windows PATHEXT; ignored elsewhere. */
  pathExt?: string;
  platform: NodeJS.Platform;
  workspaceFolder?: string;
  home?: string;
}

function pathModule(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** Expand `~` and `${workspaceFolder}`; resolve a relative path against the workspace. */
export function expandConfiguredPath(configured: string, input: SearchInput): string {
  const p = pathModule(input.platform);
  let value = configured.trim();
  if (input.workspaceFolder) {
    value = value.split('${workspaceFolder}').join(input.workspaceFolder);
  }
  if (input.home && (value === '~' || value.startsWith('~/') || value.startsWith('~\\'))) {
    value = p.join(input.home, value.slice(1));
  }
  if (!p.isAbsolute(value) && input.workspaceFolder && /[\\/]/.test(value)) {
    value = p.resolve(input.workspaceFolder, value);
  }
  return value;
}

function executableNames(input: SearchInput): string[] {
  if (input.platform !== 'win32') {
    return [SERVER_NAME];
  }
  const exts = (input.pathExt || '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .map((ext) => ext.trim().toLowerCase())
    .filter((ext) => ext !== '');
  // pip writes coda-ls.exe launchers on Windows; list .exe first whatever PATHEXT says.
  return [...new Set(['.exe', ...exts])].map((ext) => SERVER_NAME + ext);
}

/** Every place to look, in order, without touching the file system. */
export function serverCandidates(input: SearchInput): Candidate[] {
  const p = pathModule(input.platform);
  const configured = input.configured?.trim();
  if (configured) {
    const expanded = expandConfiguredPath(configured, input);
    if (!p.isAbsolute(expanded) && !/[\\/]/.test(expanded)) {
      // A bare name such as "coda-ls-dev": look it up on PATH like a shell would.
      return (input.pathEnv ?? '')
        .split(p.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => ({ path: p.join(dir, expanded), source: 'setting' as const }));
    }
    // An explicit path is the only candidate: silently falling back to another coda-ls
    // would hide a typo in the setting.
    return [{ path: expanded, source: 'setting' }];
  }
  const names = executableNames(input);
  const candidates: Candidate[] = [];
  if (input.interpreter) {
    const binDir = p.dirname(input.interpreter);
    const dirs = [binDir];
    if (input.platform === 'win32') {
      // venvs keep python.exe in Scripts\, conda and python.org installs at the root with
      // console scripts in Scripts\.
      dirs.push(p.join(binDir, 'Scripts'));
    }
    for (const dir of dirs) {
      for (const name of names) {
        candidates.push({ path: p.join(dir, name), source: 'python' });
      }
    }
  }
  for (const dir of (input.pathEnv ?? '').split(p.delimiter)) {
    if (dir === '') {
      continue;
    }
    for (const name of names) {
      candidates.push({ path: p.join(dir, name), source: 'PATH' });
    }
  }
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const key = input.platform === 'win32' ? candidate.path.toLowerCase() : candidate.path;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      await fs.access(file, fsConstants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

export interface SearchResult {
  found?: Candidate;
  /** Every path looked at, for the error message when nothing was found. */
  tried: Candidate[];
}

export async function findServer(
  input: SearchInput,
  isExecutable: (file: string) => Promise<boolean> = isExecutableFile,
): Promise<SearchResult> {
  const tried: Candidate[] = [];
  for (const candidate of serverCandidates(input)) {
    tried.push(candidate);
    if (await isExecutable(candidate.path)) {
      return { found: candidate, tried };
    }
  }
  return { tried };
}

/** A message that says what was searched and how to fix it. */
export function notFoundMessage(input: SearchInput, result: SearchResult): string {
  if (input.configured?.trim()) {
    return (
      `coda-ls not found at coda.serverPath "${input.configured.trim()}". ` +
      'Fix the setting, or clear it to search the Python environment and PATH.'
    );
  }
  const where = input.interpreter ? `the Python environment (${input.interpreter}) and PATH` : 'PATH';
  return (
    `coda-ls not found in ${where} (${result.tried.length} places searched). ` +
    'Install Coda into the selected Python environment (pip install coda-assistant), ' +
    'select that interpreter with "Python: Select Interpreter", or set coda.serverPath.'
  );
}
