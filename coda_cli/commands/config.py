"""`coda config show|path|set`: the effective settings and where they come from."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state


@click.group()
def config() -> None:
    """Show or change Coda's configuration."""


@config.command()
@json_option("Machine-readable output.")
@pass_state
def show(state: AppState, as_json: bool) -> None:
    """Print every setting, its value (secrets masked) and where it came from."""
    from coda_ls.config import effective_items

    loaded = state.settings()
    rows = effective_items(loaded)
    if as_json:
        click.echo(json.dumps([{"key": k, "value": v, "source": s} for k, v, s in rows], indent=2))
        return
    from rich.table import Table

    table = Table(title="Effective configuration")
    table.add_column("key", style="cyan")
    table.add_column("value")
    table.add_column("source", style="dim")
    for key, value, source in rows:
        style = "" if source == "default" else "bold"
        table.add_row(key, f"[{style}]{value}[/]" if style else value, source)
    state.console.print(table)


@config.command()
@pass_state
def path(state: AppState) -> None:
    """Print the config file locations (and whether each exists)."""
    from coda_ls.config import (
        PROJECT_CONFIG,
        cache_dir,
        data_dir,
        find_project_config,
        load_settings,
        user_config_file,
    )

    user = user_config_file()
    project = find_project_config()
    click.echo(f"user:    {user}{'' if user.is_file() else '  (not created)'}")
    if project:
        click.echo(f"project: {project}")
    else:
        click.echo(f"project: {Path.cwd() / PROJECT_CONFIG}  (none found from here up)")
    click.echo(f"data:    {data_dir()}")
    click.echo(f"cache:   {cache_dir()}")
    del load_settings


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_value(raw: str) -> str:
    """Keep numbers, booleans, arrays and inline tables as typed; quote everything else."""
    try:
        tomllib.loads(f"v = {raw}")
        return raw
    except tomllib.TOMLDecodeError:
        return json.dumps(raw)


@config.command("set")
@click.argument("key")
@click.argument("value")
@click.option("--project", is_flag=True, help="Write to ./.coda/config.toml instead.")
@pass_state
def set_(state: AppState, key: str, value: str, project: bool) -> None:
    """Set KEY (dotted, e.g. providers.ollama.host) to VALUE in the user or project file.

    The file is validated before it is written; a bad value changes nothing.
    """
    from coda_ls.config import PROJECT_CONFIG, Layer, check_layer, user_config_file
    from coda_ls.errors import ConfigError

    target = (Path.cwd() / PROJECT_CONFIG) if project else user_config_file()
    parts = key.split(".")
    if not all(_BARE_KEY.match(part) for part in parts):
        raise click.BadParameter(f"{key!r} is not a dotted key like providers.ollama.host")
    text = target.read_text(encoding="utf-8") if target.is_file() else ""
    table, leaf = parts[:-1], parts[-1]
    line = f"{leaf} = {_toml_value(value)}"
    new_text = _set_line(text, table, leaf, line)
    # Validate the result in memory: a bad value names the key and changes nothing.
    try:
        values = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{target} cannot be updated: it is not valid TOML ({exc})",
            "fix the file first (`coda config path` shows where it is)",
        ) from None
    try:
        check_layer(Layer(f"coda config set {key}", values))
    except ConfigError as exc:
        problem = exc.message.split("\n")[-1].strip()
        raise ConfigError(
            f"cannot set {key} to {value!r}: {problem.removeprefix(f'coda config set {key}: ')}",
            f"nothing was written to {target}; `coda config show` lists every key and value",
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(new_text, encoding="utf-8")
    state.console.print(f"set [cyan]{key}[/] in {target}")


def _set_line(text: str, table: list[str], leaf: str, line: str) -> str:
    lines = text.splitlines()
    header = f"[{'.'.join(table)}]" if table else None
    current: str | None = None
    insert_at = None
    for index, existing in enumerate(lines):
        stripped = existing.strip()
        if stripped.startswith("["):
            if current == header and insert_at is None:
                insert_at = index
            current = stripped
            continue
        if current == header and re.match(rf"^{re.escape(leaf)}\s*=", stripped):
            lines[index] = line
            return "\n".join(lines) + "\n"
    if header is None:
        first_table = next(
            (i for i, ln in enumerate(lines) if ln.strip().startswith("[")), len(lines)
        )
        lines.insert(first_table, line)
    elif current == header and insert_at is None:
        lines.append(line)
    elif insert_at is not None:
        lines.insert(insert_at, line)
    else:
        lines += ["", header, line]
    return "\n".join(lines).lstrip("\n") + "\n"
