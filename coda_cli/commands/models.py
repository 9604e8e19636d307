"""`coda models [list|info|pull|delete]`: what every reachable provider offers."""

from __future__ import annotations

import json
from typing import Any

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state


@click.group(invoke_without_command=True)
@click.option("--provider", "-p", help="Only this provider.")
@json_option()
@click.pass_context
def models(ctx: click.Context, provider: str | None, as_json: bool) -> None:
    """List the models of every configured and reachable provider."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_models, provider=provider, as_json=as_json)


@models.command("list")
@click.option("--provider", "-p", help="Only this provider.")
@json_option()
@pass_state
def list_models(state: AppState, provider: str | None, as_json: bool) -> None:
    """List models: provider, name, context window, streaming, tools."""
    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace

    workspace = Workspace.open()

    async def gather() -> tuple[Any, Any, tuple[str, str] | None]:
        try:
            found, down = await workspace.models_of(provider)
            default = await workspace.default_choice(provider) if found else None
            return found, down, default
        finally:
            await workspace.aclose()

    found, down, default = run(gather())

    def is_default(info: Any) -> bool:
        return default == (info.provider, info.name)

    if as_json:
        click.echo(
            json.dumps(
                {
                    "models": [{**m.model_dump(), "default": is_default(m)} for m in found],
                    "default": {"provider": default[0], "model": default[1]} if default else None,
                    "unreachable": [h.model_dump() for h in down],
                },
                indent=2,
            )
        )
        return
    from rich.table import Table

    console = state.console
    if found:
        table = Table(title="Models")
        for column in ("", "provider", "model", "context", "streaming", "tools"):
            table.add_column(column)
        # The order questions use: providers by preference, models as each lists them.
        for info in found:
            table.add_row(
                "*" if is_default(info) else "",
                info.provider,
                info.name,
                f"{info.context_window:,}" if info.context_window else "?",
                "yes" if info.supports_streaming else "no",
                "yes" if info.supports_tools else "no",
            )
        console.print(table)
        if default:
            console.print(
                f"* {default[0]}/{default[1]} answers when no model is named "
                "(set one with --model or `coda config set model NAME`)"
            )
    from rich.markup import escape

    for health in down:
        console.print(f"[yellow]{health.provider}: unreachable[/] — {escape(health.detail)}")
        if health.hint:
            console.print(f"  [dim]hint: {escape(health.hint)}[/]")
    if not found:
        from coda_ls.workspace import NO_PROVIDER_HINT

        console.print(f"[bold]No models available.[/] To connect one: {escape(NO_PROVIDER_HINT)}")


@models.command()
@click.argument("model")
@click.option("--provider", "-p", default=None)
@pass_state
def info(state: AppState, model: str, provider: str | None) -> None:
    """Show a model's details (context window, family, capabilities)."""
    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace

    details = run(Workspace.open().model_details(model, provider))
    state.console.print_json(json.dumps(details.model_dump()))


@models.command()
@click.argument("model")
@pass_state
def pull(state: AppState, model: str) -> None:
    """Download an Ollama model, with a progress bar."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace

    workspace = Workspace.open()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=state.err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(f"pulling {model}", total=None)

        def update(status: str, completed: int | None, total: int | None) -> None:
            progress.update(
                task, description=f"{model}: {status}", completed=completed or 0, total=total
            )

        run(workspace.pull_model(model, update))
    state.console.print(f"[green]pulled {model}[/]")


@models.command()
@click.argument("model")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def delete(state: AppState, model: str, yes: bool) -> None:
    """Delete an Ollama model."""
    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace

    if not yes and not click.confirm(f"Delete {model} from Ollama?", default=False):
        return
    run(Workspace.open().delete_model(model))
    state.console.print(f"deleted {model}")
