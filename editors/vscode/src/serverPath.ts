/**
 * Finds coda-ls the way Python tooling extensions find their servers, in this order:
 *
 * 1. the `coda.serverPath` setting (only it, when set: a typo must not be hidden);
 * 2. the interpreter selected in the Python extension: its `coda-ls` launcher, then
 *    `python -m coda_ls` from it (a `pip install --user`, or a launcher outside bin/);
 * 3. pipx: `$PIPX_BIN_DIR`, then the pipx venv of the `coda-assistant` package;
 * 4. `~/.local/bin` (pipx's default bin dir and pip's `--user` scripts);
 * 5. PATH.
 *
 * VS Code started from a desktop, or on a remote / code-server host, rarely has the
 * virtualenv on PATH (issue #18), hence 2-4. Pure apart from the injectable file and
 * module checks, so the search order is unit-tested on every platform's rules.
 */

import { execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export const SERVER_NAME = 'coda-ls';
export const SERVER_MODULE = 'coda_ls';
/** The PyPI distribution that provides coda-ls. */
export const PACKAGE_NAME = 'coda-assistant';

export type ServerSource = 'setting' | 'python' | 'python-module' | 'pipx' | 'user' | 'PATH';

export interface Candidate {
  path: string;
  /** Arguments that come before coda-ls's own (`-m coda_ls` for an interpreter). */
  args?: string[];
  source: ServerSource;
}

export interface SearchInput {
  /** The coda.serverPath setting, as typed. */
  configured?: string;
  /** The selected Python interpreter's executable. */
  interpreter?: string;
  /** An interpreter Coda was just installed into ("Install Coda"), searched after it. */
  installedInterpreter?: string;
  pathEnv?: string;
  /** Windows PATHEXT; ignored elsewhere. */
  pathExt?: string;
  platform: NodeJS.Platform;
  workspaceFolder?: string;
  home?: string;
  /** $PIPX_HOME and $PIPX_BIN_DIR, when set. */
  pipxHome?: string;
  pipxBinDir?: string;
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
  const inDirs = (dirs: string[], source: ServerSource): void => {
    for (const dir of dirs) {
      for (const name of names) {
        candidates.push({ path: p.join(dir, name), source });
      }
    }
  };
  const win = input.platform === 'win32';
  for (const interpreter of [input.interpreter, input.installedInterpreter]) {
    if (!interpreter) {
      continue;
    }
    const binDir = p.dirname(interpreter);
    // venvs keep python.exe in Scripts\, conda and python.org installs at the root with
    // console scripts in Scripts\.
    inDirs(win ? [binDir, p.join(binDir, 'Scripts')] : [binDir], 'python');
    candidates.push({ path: interpreter, args: ['-m', SERVER_MODULE], source: 'python-module' });
  }
  const venvBin = win ? 'Scripts' : 'bin';
  const pipxHomes = input.pipxHome
    ? [input.pipxHome]
    : input.home
      ? win
        ? [p.join(input.home, 'pipx')]
        : // pipx < 1.3 used ~/.local/pipx; newer ones the XDG data dir
          [p.join(input.home, '.local', 'pipx'), p.join(input.home, '.local', 'share', 'pipx')]
      : [];
  inDirs(input.pipxBinDir ? [input.pipxBinDir] : [], 'pipx');
  inDirs(
    pipxHomes.map((home) => p.join(home, 'venvs', PACKAGE_NAME, venvBin)),
    'pipx',
  );
  if (input.home) {
    inDirs([p.join(input.home, '.local', 'bin')], 'user');
  }
  inDirs(
    (input.pathEnv ?? '').split(p.delimiter).filter((dir) => dir !== ''),
    'PATH',
  );
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const raw = [candidate.path, ...(candidate.args ?? [])].join('\0');
    const key = win ? raw.toLowerCase() : raw;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** The command line a candidate starts: program and arguments (before coda-ls's own). */
export function commandLine(candidate: Candidate, serverArgs: string[] = []): { command: string; args: string[] } {
  return { command: candidate.path, args: [...(candidate.args ?? []), ...serverArgs] };
}

/** A readable form of a candidate, for logs and messages. */
export function describe(candidate: Candidate): string {
  return [candidate.path, ...(candidate.args ?? [])].join(' ');
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

/** True if `python` can import coda_ls (it exits 0 on `python -c "import coda_ls"`). */
export function canImportServer(python: string, timeoutMs = 15_000): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', `import ${SERVER_MODULE}`], { timeout: timeoutMs, windowsHide: true }, (err) =>
      resolve(!err),
    );
  });
}

export async function findServer(
  input: SearchInput,
  isExecutable: (file: string) => Promise<boolean> = isExecutableFile,
  canImport: (python: string) => Promise<boolean> = canImportServer,
): Promise<SearchResult> {
  const tried: Candidate[] = [];
  for (const candidate of serverCandidates(input)) {
    tried.push(candidate);
    if (!(await isExecutable(candidate.path))) {
      continue;
    }
    if (candidate.source === 'python-module' && !(await canImport(candidate.path))) {
      continue;
    }
    return { found: candidate, tried };
  }
  return { tried };
}

/** `python -m pip install coda-assistant`: the one-click install into an interpreter. */
export function installCommand(python: string, spec: string = PACKAGE_NAME): { command: string; args: string[] } {
  return { command: python, args: ['-m', 'pip', 'install', '--upgrade', spec] };
}

/** What to tell the user when pip refused (the usual cause first). */
export function installFailureHint(output: string): string {
  if (/externally-managed-environment/.test(output)) {
    return (
      'This interpreter is managed by the system (PEP 668). Create a virtual environment ' +
      '(python3 -m venv .venv) and select it, or install with pipx: pipx install ' +
      PACKAGE_NAME
    );
  }
  if (/No module named pip/.test(output)) {
    return 'This interpreter has no pip: choose another one, or install pip into it.';
  }
  return 'See the Coda output for pip\'s messages.';
}

/** A message that says what was searched and how to fix it. */
export function notFoundMessage(input: SearchInput, result: SearchResult): string {
  if (input.configured?.trim()) {
    return (
      `coda-ls not found at coda.serverPath "${input.configured.trim()}". ` +
      'Fix the setting, or clear it to search the Python environment and PATH.'
    );
  }
  const where = input.interpreter ? `the Python environment (${input.interpreter}), pipx, ~/.local/bin and PATH` : 'pipx, ~/.local/bin and PATH';
  return (
    `coda-ls not found in ${where} (${result.tried.length} places searched). ` +
    `Use "Install Coda" to pip install ${PACKAGE_NAME} into an interpreter, ` +
    'select the interpreter that has it with "Python: Select Interpreter", or set coda.serverPath.'
  );
}
