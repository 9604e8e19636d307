"""The checks behind `coda doctor`: configuration, providers, grammars and queries, the
session database, the cache directory, and the VCS tools. Works offline and with a broken
configuration (that is then the first failed check).

What counts: a check fails (`ok=False`) when something the user set up does not work —
the config files, a provider they configured (`provider = …`, `[providers.NAME]`,
`OLLAMA_HOST`, an API key or base URL in the environment), the grammars, the session
database, the cache directory. A provider nobody configured is informational (`None`),
and so is Ollama not running when the user never asked for it: a fresh machine with no
model server is not broken. `verdict` turns the checks into the exit status."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coda_ls.config import LoadedSettings, Settings, load_settings
from coda_ls.errors import CodaError, ConfigError


@dataclass
class Check:
    area: str
    name: str
    ok: bool | None  # None = not configured / informational
    detail: str
    fix: str = ""


# How to set up a provider that is not configured, shortest way first.
SETUP_HINTS = {
    "openai": "set OPENAI_BASE_URL to a local OpenAI-compatible server (vLLM, LM Studio, "
    'llama.cpp), or OPENAI_API_KEY for OpenAI; other services: provider = "openrouter" '
    "(groq, together, deepseek, mistral) plus its key",
    "oci": "set [providers.oci] compartment_id (or CODA_OCI_COMPARTMENT_ID) and create "
    "~/.oci/config with `oci setup config`",
    "litellm": "for services without a native provider: [providers.litellm] models = "
    '["anthropic/claude-3-5-haiku-latest"] and ANTHROPIC_API_KEY (pip install litellm)',
}


async def run_checks(cwd: Path, overrides: Mapping[str, Any] | None = None) -> list[Check]:
    """Every check, in the order `coda doctor` shows them."""
    try:
        loaded = load_settings(cwd=cwd, overrides=dict(overrides or {}))
    except ConfigError as exc:
        return [Check("config", "files", False, exc.message, exc.hint or ""), *_local(None, cwd)]
    checks = config_checks(loaded)
    checks += await provider_checks(loaded.settings, explicit_providers(loaded))
    checks += _local(loaded.settings, cwd)
    return checks


def verdict(checks: list[Check], *, require_provider: bool = False) -> int:
    """The exit status: 2 when the configuration is broken, 1 when another check failed
    (or, with `require_provider`, when no provider answers), else 0."""
    if any(c.ok is False for c in checks if c.area == "config"):
        return 2
    if any(c.ok is False for c in checks):
        return 1
    if require_provider and not any(c.ok for c in checks if c.area == "provider"):
        return 1
    return 0


def explicit_providers(loaded: LoadedSettings) -> set[str]:
    """Providers the user named in a file, the environment or a flag (not the defaults)."""
    named: set[str] = set()
    for layer in loaded.layers:
        if layer.label == "default":
            continue
        provider = layer.values.get("provider")
        if isinstance(provider, str):
            named.add(provider)
        providers = layer.values.get("providers")
        if isinstance(providers, dict):
            named.update(str(name) for name in providers)
    return named


def config_checks(loaded: LoadedSettings) -> list[Check]:
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


async def provider_checks(settings: Settings, explicit: set[str] | None = None) -> list[Check]:
    from coda_ls.providers.presets import PRESETS
    from coda_ls.providers.registry import create_provider, provider_names
    from coda_ls.providers.select import configured_providers

    configured = configured_providers(settings)
    explicit = explicit if explicit is not None else {settings.provider or ""}
    # The named OpenAI-compatible services are listed only when set up: one "not
    # configured" row each would bury the rows that matter.
    shown = [n for n in provider_names() if n == "openai" or n not in PRESETS or n in configured]

    async def one(name: str) -> Check:
        if name not in configured:
            hint = SETUP_HINTS.get(name, "see the plugin's documentation")
            return Check("provider", name, None, "not configured", hint)
        try:
            provider = create_provider(name, settings)
        except CodaError as exc:
            return Check("provider", name, False, exc.message, exc.hint or "")
        try:
            health = await provider.health()
            if not health.ok:
                # Ollama is tried by default; not running is a failure only if asked for.
                failed: bool | None = False if name != "ollama" or name in explicit else None
                return Check("provider", name, failed, health.detail, health.hint or "")
            detail = health.detail
            if name == "ollama":
                detail += await _ollama_models(provider)
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
    try:
        names = [m.name for m in await provider.list_models()]
    except CodaError as exc:
        return f"; cannot list models ({exc.message})"
    if not names:
        return "; it lists no models"
    more = ", …" if len(names) > 5 else ""
    return f"; {len(names)} model(s): {', '.join(names[:5])}{more}"


async def _ollama_models(provider: Any) -> str:
    """Ollama's models, asked of the client the health check already opened."""
    try:
        names = [m.name for m in await provider.list_models()]
    except CodaError:
        return ""
    if not names:
        return "; no models yet — `coda models pull llama3.2`"
    return f"; {len(names)} model(s): {', '.join(names[:5])}"


def _local(settings: Settings | None, cwd: Path) -> list[Check]:
    checks = [grammar_check()]
    if settings is not None:
        checks.append(database_check(settings))
        checks += budget_checks(settings, cwd)
        checks.append(telemetry_check(settings))
        if settings.team.database_url is not None:
            checks.append(team_check(settings))
        checks += plugin_checks(settings)
    return [*checks, cache_check(), *vcs_checks(cwd)]


def team_check(settings: Settings) -> Check:
    """The team store answers (only shown when `[team] database_url` is set)."""
    from coda_ls.team import describe

    try:
        return Check("team", "store", True, describe(settings))
    except CodaError as exc:
        return Check("team", "store", False, exc.message, exc.hint or "")


def plugin_checks(settings: Settings) -> list[Check]:
    """One row per tool plugin: loaded (its tools), broken (why), or disabled."""
    from coda_ls.tools.plugins import DISABLE_HINT, load_plugins

    loaded = load_plugins(settings, thorough=True)
    checks = [
        Check("plugins", tool.entry, True, f"tool {tool.name} ({tool.category}) from {tool.dist}")
        for tool in loaded.tools
    ]
    checks += [
        Check("plugins", p.entry, False, f"{p.dist}: {p.message}", DISABLE_HINT)
        for p in loaded.problems
    ]
    checks += [
        Check("plugins", entry, None, f"{dist}: disabled in [plugins]")
        for entry, dist in loaded.disabled
    ]
    return checks


def grammar_check() -> Check:
    """Every grammar loads and its tags query compiles (nothing is downloaded)."""
    from coda_ls.repomap.languages import LANGUAGES
    from coda_ls.repomap.tags import load_query

    broken = [name for name in LANGUAGES if load_query(name) is None]
    if broken:
        extras = sorted({e for name in broken if (e := LANGUAGES[name].extra) is not None})
        core = [name for name in broken if LANGUAGES[name].extra is None]
        return Check(
            "repo map",
            "grammars",
            False if core else None,  # an optional extra not installed is no fault
            f"{len(LANGUAGES) - len(broken)}/{len(LANGUAGES)} load; missing: {', '.join(broken)}",
            ("reinstall Coda (`pip install -e .`); " if core else "")
            + "".join(f"`pip install 'coda-assistant[{e}]'`; " for e in extras)
            + "those languages are listed, not parsed",
        )
    return Check("repo map", "grammars", True, f"{len(LANGUAGES)} languages, queries compile")


def database_check(settings: Settings) -> Check:
    from coda_ls.sessions import SessionStore, default_db_path

    path = default_db_path(settings)
    try:
        store = SessionStore.from_settings(settings)
        count = len(store.list_sessions(limit=100_000))
        store.close()
    except (CodaError, OSError) as exc:
        return Check(
            "sessions",
            "database",
            False,
            f"{path}: {exc}",
            "check the permissions of the data directory, or set sessions.db_path",
        )
    return Check("sessions", "database", True, f"{path} ({count} sessions)")


def budget_checks(settings: Settings, cwd: Path) -> list[Check]:
    """Spending so far toward each limit set; a limit reached fails (requests are refused)."""
    from coda_ls import budget
    from coda_ls.sessions import SessionStore
    from coda_ls.workspace import project_root

    if settings.budget.workspace is None and settings.budget.daily is None:
        return []
    try:
        store = SessionStore.from_settings(settings)
        try:
            now = budget.usage(settings, store, project_root(cwd).resolve())
        finally:
            store.close()
    except (CodaError, OSError) as exc:
        return [Check("budget", "spending", False, str(exc))]
    checks = []
    for name, spent, limit in (
        ("workspace", now.workspace_spent, now.workspace_limit),
        ("daily", now.daily_spent, now.daily_limit),
    ):
        if limit is None:
            continue
        reached = spent >= limit
        checks.append(
            Check(
                "budget",
                name,
                not reached,
                f"${spent:.4f} of ${limit:.2f}"
                + (" (reached: requests are refused)" if reached else ""),
                f"raise `[budget] {name}` in config.toml" if reached else "",
            )
        )
    return checks


def telemetry_check(settings: Settings) -> Check:
    """Whether traces and metrics are exported, and the anonymous install id sent."""
    import importlib.util

    from coda_ls import telemetry
    from coda_ls.telemetry import install_id

    if not telemetry.wanted(settings):
        return Check("telemetry", "export", None, "off (nothing is sent)")
    if importlib.util.find_spec("opentelemetry.sdk") is None:
        return Check(
            "telemetry",
            "export",
            False,
            "on, but OpenTelemetry is not installed",
            "`pip install 'coda-assistant[telemetry]'`, or turn [telemetry] enabled off",
        )
    where = settings.telemetry.endpoint or "OTEL_EXPORTER_OTLP_ENDPOINT / localhost:4318"
    return Check(
        "telemetry",
        "export",
        True,
        f"on ({settings.telemetry.exporter}, {where}); anonymous install id "
        f"{install_id.get()} (reset: `coda telemetry reset-id`)",
    )


def cache_check() -> Check:
    from coda_ls import paths

    directory = paths.cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        return Check(
            "cache",
            "directory",
            False,
            f"{directory}: {exc.strerror}",
            "make the cache directory writable (XDG_CACHE_HOME)",
        )
    return Check("cache", "directory", True, str(directory))


def vcs_checks(cwd: Path) -> list[Check]:
    from coda_ls.vcs import BACKENDS, find_root, installed

    found = find_root(cwd)
    here = ", ".join(sorted({m.backend.name for m in found[1]})) if found else "none"
    checks = [
        Check(
            "vcs",
            "this directory",
            True if found else None,
            f"{here} at {found[0]}" if found else "not in a repository (plain directory)",
        )
    ]
    tools = [(name, installed(backend)) for name, backend in BACKENDS.items() if name != "plain"]
    present = [name for name, ok in tools if ok]
    missing = [name for name, ok in tools if not ok]
    checks.append(
        Check(
            "vcs",
            "tools",
            True if present else None,
            f"installed: {', '.join(present) or 'none'}"
            + (f"; not installed: {', '.join(missing)}" if missing else ""),
            "install a system's tool to work in its repositories "
            "(e.g. apt-get install mercurial subversion fossil bzr darcs)"
            if missing
            else "",
        )
    )
    return checks
