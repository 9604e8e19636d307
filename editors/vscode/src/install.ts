/**
 * "Coda: Install Server": pip install coda-assistant into an interpreter the user picks (the
 * Python extension's selection, the pythons on PATH, or one browsed to), then restart the
 * server. The one-click fix offered when coda-ls cannot be found (issue #18).
 */

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';

import { activeInterpreter } from './pythonEnv';
import { installCommand, installFailureHint, isExecutableFile, PACKAGE_NAME } from './serverPath';

type Pick = vscode.QuickPickItem & { python?: string; browse?: boolean };

async function pythonsOnPath(): Promise<string[]> {
  const names = process.platform === 'win32' ? ['python.exe', 'py.exe'] : ['python3', 'python'];
  const found: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '')) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (!found.includes(candidate) && (await isExecutableFile(candidate))) {
        found.push(candidate);
      }
    }
  }
  return found;
}

/** Ask which interpreter to install into; undefined if the user backed out. */
export async function chooseInterpreter(log: vscode.LogOutputChannel): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const selected = await activeInterpreter(folder?.uri, log);
  const items: Pick[] = [];
  if (selected) {
    items.push({ label: selected, description: 'selected in the Python extension', python: selected });
  }
  for (const python of await pythonsOnPath()) {
    if (python !== selected) {
      items.push({ label: python, description: 'on PATH', python });
    }
  }
  items.push({ label: '$(folder) Browse for an interpreter…', browse: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: `Install ${PACKAGE_NAME} (coda-ls) into…`,
    placeHolder: 'The Python interpreter to pip install Coda into',
    ignoreFocusOut: true,
  });
  if (!picked) {
    return undefined;
  }
  if (!picked.browse) {
    return picked.python;
  }
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Python interpreter', openLabel: 'Install here' });
  return chosen?.[0]?.fsPath;
}

/** Run pip with a progress notification; resolves true when it succeeded. */
export async function installInto(python: string, log: vscode.LogOutputChannel): Promise<boolean> {
  const { command, args } = installCommand(python);
  log.info(`installing: ${command} ${args.join(' ')}`);
  const output = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Coda: installing ${PACKAGE_NAME} into ${python}` },
    () =>
      new Promise<{ ok: boolean; text: string }>((resolve) => {
        execFile(command, args, { timeout: 600_000, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
          resolve({ ok: !err, text: `${stdout}\n${stderr}` });
        });
      }),
  );
  for (const line of output.text.split('\n').filter((l) => l.trim() !== '')) {
    log.info(`pip: ${line}`);
  }
  if (!output.ok) {
    const hint = installFailureHint(output.text);
    log.error(`pip install failed: ${hint}`);
    void vscode.window.showErrorMessage(`Coda: installing ${PACKAGE_NAME} failed. ${hint}`, 'Show Output').then((choice) => {
      if (choice) {
        log.show();
      }
    });
    return false;
  }
  return true;
}
