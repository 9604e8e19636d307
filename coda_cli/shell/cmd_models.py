"""`/model` and `/provider`: switch what answers (checked before it is used)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coda_cli.shell.slash import command, usage_error

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState

TOP_MODELS = 10


async def refresh_models(shell: ShellState) -> list[str]:
    """Model names of the current provider (or every reachable one), for /model and Tab."""
    found, _down = await shell.core.models_of(shell.provider)
    shell.models = sorted({info.name for info in found})
    return shell.models


async def switch_model(shell: ShellState, name: str) -> None:
    # An unknown model fails here: CodaError with close matches.
    chosen = await shell.core.selection(shell.mode, shell.provider, name)
    shell.model = chosen.model
    shell.provider = chosen.provider_name
    shell.console.print(f"model: [coda.accent]{shell.model_label()}[/]")


@command(
    "model",
    "/model [NAME]",
    "switch model; without a name, pick from the available ones",
    details="Tab completes model names. The choice holds for this shell; set a default with "
    "`coda config set model NAME`.",
)
async def model(shell: ShellState, args: str) -> None:
    if args:
        await switch_model(shell, args.split()[0])
        return
    names = await refresh_models(shell)
    if not names:
        shell.console.print("[coda.warn]no models available[/] — see `coda doctor`")
        return
    top = names[:TOP_MODELS]
    for index, name in enumerate(top, 1):
        mark = "[coda.ok]●[/]" if name == shell.model else " "
        shell.console.print(f"{mark} [coda.prompt]{index:2}[/] {name}")
    if len(names) > len(top):
        shell.console.print(f"[coda.dim]  … and {len(names) - len(top)} more (/model NAME)[/]")
    if shell.ask_user is None:
        shell.console.print("[coda.dim]/model NAME switches[/]")
        return
    try:
        picked = await shell.ask_user(f"pick 1-{len(top)} (Enter keeps {shell.model_label()}): ")
    except (EOFError, KeyboardInterrupt):
        return
    picked = picked.strip()
    if not picked:
        return
    if picked.isdigit() and 1 <= int(picked) <= len(top):
        await switch_model(shell, top[int(picked) - 1])
    elif picked in names:
        await switch_model(shell, picked)
    else:
        raise usage_error("/model [NAME]", f"{picked!r} is not one of the listed models")


@command(
    "provider",
    "/provider [NAME]",
    "switch provider: ollama, openai (or a preset), oci, litellm or a plugin",
)
async def provider(shell: ShellState, args: str) -> None:
    from coda_ls.workspace import provider_names

    names = provider_names()
    if not args:
        for name in names:
            mark = "[coda.ok]●[/]" if name == shell.provider else " "
            shell.console.print(f"{mark} {name}")
        return
    name = args.split()[0].lower()
    if name not in names:
        raise usage_error("/provider " + "|".join(names), f"unknown provider {name!r}")
    chosen = await shell.engine.selection(shell.mode, name, None)  # fails when unreachable
    shell.provider, shell.model = name, chosen.model
    shell.console.print(f"provider: [coda.accent]{shell.model_label()}[/]")
    await refresh_models(shell)
