"""`coda telemetry`: whether traces and metrics are exported, the anonymous install id,
and resetting it."""

from __future__ import annotations

import click

from coda_cli.state import AppState, pass_state


@click.group()
def telemetry() -> None:
    """OpenTelemetry export (off unless enabled) and the anonymous install id."""


@telemetry.command("status")
@pass_state
def status(state: AppState) -> None:
    """Show whether telemetry is on, where it goes, and the install id."""
    from coda_ls.config import load_settings
    from coda_ls.workspace import install_id, telemetry_wanted

    settings = load_settings().settings
    on = telemetry_wanted(settings)
    state.console.print(f"telemetry: {'on' if on else 'off'}")
    if on:
        state.console.print(f"exporter: {settings.telemetry.exporter}")
        state.console.print(f"content exported: {settings.telemetry.include_content}")
    current = install_id(create=False)
    state.console.print(f"install id: {current or '(none yet: created when telemetry first runs)'}")


@telemetry.command("reset-id")
@pass_state
def reset_id(state: AppState) -> None:
    """Replace the anonymous install id with a new random one."""
    from coda_ls.workspace import reset_install_id

    state.console.print(f"new install id: {reset_install_id()}")
