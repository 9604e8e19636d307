/**
 * The extension's own command ids. They live under `coda.ui.` because the language client
 * registers every server command (`coda.ask`, `coda.explain`, …) as a VS Code command of
 * the same id, and a second registration of an id fails.
 */
export const UI_COMMANDS = {
  ask: 'coda.ui.ask',
  explainSelection: 'coda.ui.explainSelection',
  explainDiagram: 'coda.ui.explainDiagram',
  reviewFile: 'coda.ui.reviewFile',
  refactorSelection: 'coda.ui.refactorSelection',
  switchModel: 'coda.ui.switchModel',
  newSession: 'coda.ui.newSession',
  showRepoMap: 'coda.ui.showRepoMap',
  cancel: 'coda.ui.cancel',
  attach: 'coda.ui.attach',
  showChat: 'coda.ui.showChat',
  restartServer: 'coda.ui.restartServer',
  installServer: 'coda.ui.installServer',
} as const;

export type UiCommand = (typeof UI_COMMANDS)[keyof typeof UI_COMMANDS];
