"""`coda doctor`: check config, providers, grammars, the session DB and VCS tools, and say
what to fix. Works offline; exits 0 unless the configuration itself is broken."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

from coda_cli.state import AppState, pass_state


@dataclass
class Check:
    area: str
    name: str
    ok: bool | None  # None = not configured / informational
    detail: str
    fix: str = ""


def _config_checks(state: AppState) -> list[Check]:
    from coda_ls.config import LoadedSettings
    from coda_ls.errors import ConfigError

    try:
        loaded: LoadedSettings = state.settings()
    except ConfigError as exc:
        return [Check("config", "files", False, exc.message, exc.hint or "")]
    checks = [
        Check(
            "config",
            "user file",
            True if loaded.user_file.is_file() else None,
            f"{loaded.user_file}" + ("" if loaded.user_file.is_file() else " (none)"),
            ""
            if loaded.user_file.is_file()
            else "optional: `coda config set provider ollama` creates it",
        )
    ]
    if loaded.project_file:
        checks.append(Check("config", "project file", True, str(loaded.project_file)))
    return checks


async def _provider_checks(state: AppState) -> list[Check]:
    import asyncio

    from coda_ls.errors import CodaError
    from coda_ls.providers.presets import PRESETS
    from coda_ls.providers.registry import create_provider, provider_names
    from coda_ls.providers.select import configured_providers

    settings = state.settings().settings
    configured = configured_providers(settings)
    how = {
        "openai": "set OPENAI_BASE_URL to a local OpenAI-compatible server (vLLM, LM Studio, "
        'llama.cpp), or OPENAI_API_KEY for OpenAI; other services: provider = "openrouter" '
        "(groq, together, deepseek, mistral) plus its key",
        "oci": "set [providers.oci] compartment_id (or CODA_OCI_COMPARTMENT_ID) and create "
        "~/.oci/config with `oci setup config`",
        "litellm": "for services without a native provider: [providers.litellm] models = "
        '["anthropic/claude-3-5-haiku-latest"] and ANTHROPIC_API_KEY (pip install litellm)',
    }
    # The named OpenAI-compatible services are listed only when set up: one "not
    # configured" row each would bury the rows that matter.
    shown = [n for n in provider_names() if n == "openai" or n not in PRESETS or n in configured]

    async def one(name: str) -> Check:
        if name not in configured:
            return Check(
                "provider",
                name,
                None,
                "not configured",
                how.get(name, "see the plugin's documentation"),
            )
        try:
            provider = create_provider(name, settings)
        except CodaError as exc:
            return Check("provider", name, False, exc.message, exc.hint or "")
        try:
            health = await provider.health()
            if not health.ok:
                return Check("provider", name, False, health.detail, health.hint or "")
            detail = health.detail
            if name == "ollama":
                detail += await _ollama_models(state)
            elif name in PRESETS:
                detail += await _listed_models(provider)
        except CodaError as exc:
            return Check("provider", name, False, exc.message, exc.hint or "")
        finally:
            await provider.aclose()
        return Check("provider", name, True, detail)

    return list(await asyncio.gather(*(one(name) for name in shown)))


async def _listed_models(provider: Any) -> str:
    """`; N model(s): a, b…` for a provider that lists its models cheaply."""
    from coda_ls.errors import CodaError

    try:
        names = [m.name for m in await provider.list_models()]
    except CodaError as exc:
        return f"; cannot list models ({exc.message})"
    if not names:
        return "; it lists no models"
    more = ", …" if len(names) > 5 else ""
    return f"; {len(names)} model(s): {', '.join(names[:5])}{more}"


async def _ollama_models(state: AppState) -> str:
    from coda_ls.errors import CodaError
    from coda_ls.providers.ollama import OllamaProvider

    provider = OllamaProvider(state.settings().settings.providers.ollama)
    try:
        names = [m.name for m in await provider.list_models()]
    except CodaError:
        return ""
    finally:
        await provider.aclose()
    if not names:
        return "; no models yet — `coda models pull llama3.2`"
    return f"; {len(names)} model(s): {', '.join(names[:5])}"


def _status(ok: bool | None) -> str:
    return {True: "[green]ok[/]", False: "[red]fail[/]", None: "[dim]–[/]"}[ok]


@click.command()
@click.option("--json", "as_json", is_flag=True)
@pass_state
def doctor(state: AppState, as_json: bool) -> None:
    """Check providers, grammars, the session database and VCS tools."""
    from coda_cli.doctor_checks import local_checks
    from coda_cli.runtime import run

    checks = _config_checks(state)
    config_ok = all(c.ok is not False for c in checks)
    if config_ok:
        checks += run(_provider_checks(state))
    checks += local_checks(state, Path.cwd())
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
            from coda_ls.providers.select import NO_PROVIDER_HINT

            state.console.print(
                f"\n[yellow]No model provider is reachable.[/] {escape(NO_PROVIDER_HINT)}"
            )
    if not config_ok:
        raise SystemExit(2)
