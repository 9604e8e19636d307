/** The status bar item: current model, a spinner while a reply streams, click to cancel. */

import * as vscode from 'vscode';

import type { ClientStatus } from './client';
import { statusBarText } from './format';

export class CodaStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private label = '…';
  private busy = false;
  private status: ClientStatus = 'stopped';
  private lastUsage = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('coda.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Coda';
    this.render();
    this.item.show();
  }

  setModel(label: string): void {
    this.label = label;
    this.render();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.render();
  }

  setStatus(status: ClientStatus): void {
    this.status = status;
    this.render();
  }

  setLastUsage(usage: string): void {
    this.lastUsage = usage;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    if (this.status === 'failed') {
      this.item.text = '$(warning) Coda';
      this.item.tooltip = 'coda-ls is not running. Click to restart it.';
      this.item.command = 'coda.ui.restartServer';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    this.item.backgroundColor = undefined;
    this.item.text = this.status === 'starting' ? '$(loading~spin) Coda' : statusBarText(this.label, this.busy);
    const usage = this.lastUsage ? `\n\nLast reply: ${this.lastUsage}` : '';
    this.item.tooltip = this.busy ? 'Coda is replying. Click to cancel.' : `Coda model: ${this.label}. Click to switch.${usage}`;
    this.item.command = this.busy ? 'coda.ui.cancel' : 'coda.ui.switchModel';
  }
}
