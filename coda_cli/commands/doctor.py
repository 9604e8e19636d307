"""`coda doctor`: check config, providers, grammars, the session DB and VCS tools, and say
what to fix. Works offline; exits 0 unless the configuration itself is broken."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state


def _status(ok: bool | None) -> str:
    return {True: "[green]ok[/]", False: "[red]fail[/]", None: "[dim]–[/]"}[ok]


@click.command()
@json_option()
@pass_state
def doctor(state: AppState, as_json: bool) -> None:
    """Check providers, grammars, the session database and VCS tools."""
    from coda_cli.runtime import run
    from coda_ls.workspace import diagnose

    checks = run(diagnose(Path.cwd()))
    config_ok = all(c.ok is not False for c in checks if c.area == "config")
    if as_json:
        click.echo(json.dumps([asdict(c) for c in checks], indent=2))
    else:
        from rich.markup import escape
        from rich.table import Table

        table = Table(title="coda doctor")
        for column in ("", "area", "check", "detail"):
            table.add_column(column)
        for check in checks:
            table.add_row(_status(check.ok), check.area, check.name, escape(check.detail))
        state.console.print(table)
        fixes = [c for c in checks if c.fix and c.ok is not True]
        if fixes:
            state.console.print("\n[bold]To fix or set up:[/]")
            for check in fixes:
                state.console.print(f"  • [cyan]{check.area}/{check.name}[/]: {escape(check.fix)}")
        if not any(c.ok for c in checks if c.area == "provider"):
            from coda_ls.workspace import NO_PROVIDER_HINT

            state.console.print(
                f"\n[yellow]No model provider is reachable.[/] {escape(NO_PROVIDER_HINT)}"
            )
    if not config_ok:
        raise SystemExit(2)
