/**
 * The interpreter selected in the Python extension (ms-python.python), whose bin directory
 * is where `pip install` put coda-ls. Read through the extension's public API by duck
 * typing, so the Python extension stays optional and no dependency on its npm package is needed.
 */

import * as path from 'node:path';
import * as vscode from 'vscode';

const PYTHON_EXTENSION = 'ms-python.python';

interface EnvironmentPath {
  id?: string;
  path?: string;
}

interface ResolvedEnvironment {
  executable?: { uri?: vscode.Uri };
}

interface PythonApi {
  environments?: {
    getActiveEnvironmentPath?(resource?: vscode.Uri): EnvironmentPath | undefined;
    resolveEnvironment?(env: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } | undefined;
  };
}

async function pythonApi(log: vscode.LogOutputChannel): Promise<PythonApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION);
  if (!extension) {
    return undefined;
  }
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch (err) {
    // The Python extension failing to activate must not stop Coda: PATH is still searched.
    log.warn(`Python extension did not activate: ${String(err)}`);
    return undefined;
  }
}

/** Absolute path of the selected interpreter's executable, if one can be found. */
export async function activeInterpreter(resource: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const api = await pythonApi(log);
  const environments = api?.environments;
  if (environments?.getActiveEnvironmentPath) {
    try {
      const active = environments.getActiveEnvironmentPath(resource);
      const resolved = active && environments.resolveEnvironment ? await environments.resolveEnvironment(active) : undefined;
      const executable = resolved?.executable?.uri?.fsPath;
      if (executable) {
        return executable;
      }
      // Unresolved environments report the interpreter path itself for plain venvs.
      if (active?.path && /python[\d.]*(\.exe)?$/i.test(path.basename(active.path))) {
        return active.path;
      }
    } catch (err) {
      log.warn(`Python environment lookup failed: ${String(err)}`);
    }
  }
  const command = api?.settings?.getExecutionDetails?.(resource)?.execCommand?.[0];
  if (command && path.isAbsolute(command)) {
    return command;
  }
  // Without the Python extension, the user's explicit default interpreter still counts.
  const configured = vscode.workspace.getConfiguration('python', resource).get<string>('defaultInterpreterPath');
  if (configured && path.isAbsolute(configured)) {
    return configured;
  }
  return undefined;
}

/** Fires when the user selects another interpreter; undefined without the Python extension. */
export async function onInterpreterChange(log: vscode.LogOutputChannel): Promise<vscode.Event<unknown> | undefined> {
  const api = await pythonApi(log);
  return api?.environments?.onDidChangeActiveEnvironmentPath;
}
