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
@click.option(
    "--require-provider",
    is_flag=True,
    help="Also fail (exit 1) when no model provider answers, even if none is configured.",
)
@json_option()
@pass_state
def doctor(state: AppState, require_provider: bool, as_json: bool) -> None:
    """Check providers, grammars, the session database and VCS tools, and say what to fix.

    \b
    Exit status (for scripts and CI):
      0  nothing you set up is broken (a row marked – is informational)
      1  a check failed: a provider you configured (provider =, [providers.NAME],
         OLLAMA_HOST, an API key or base URL) does not answer, or the grammars,
         the session database or the cache directory do not work;
         with --require-provider, also when no provider answers at all
      2  the configuration itself is invalid
    """
    from coda_cli.runtime import run
    from coda_ls.workspace import diagnose, doctor_verdict

    checks = run(diagnose(Path.cwd()))
    status = doctor_verdict(checks, require_provider=require_provider)
    if as_json:
        report = {"ok": status == 0, "exit_code": status, "checks": [asdict(c) for c in checks]}
        click.echo(json.dumps(report, indent=2))
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
        failed = [f"{c.area}/{c.name}" for c in checks if c.ok is False]
        if failed:
            state.console.print(f"\n[red]Failed:[/] {', '.join(failed)} (exit status {status}).")
    if status:
        raise SystemExit(status)
