"""The layers settings are merged from, read without the settings models.

Layers, later wins: built-in defaults < user file (`$XDG_CONFIG_HOME/coda/config.toml`)
< project file (`.coda/config.toml`, nearest walking up from the working directory)
< environment (`CODA_*`, nested with `__`, e.g. `CODA_PROVIDERS__OLLAMA__HOST`)
< overrides (command-line flags, LSP initializationOptions).

Reading them needs only tomllib. Checking them needs pydantic and the models of
coda_ls.config, loaded only when a value is first used (see `LoadedSettings`).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coda_ls import paths
from coda_ls.errors import ConfigError

if TYPE_CHECKING:
    from coda_ls.config import Settings

# The top-level settings (`Settings.model_fields`; a test keeps them equal): a CODA_*
# variable whose first part is none of these belongs to some other tool.
SETTING_NAMES = frozenset(
    {
        "budget",
        "completion",
        "diagrams",
        "fallback",
        "knowledge",
        "max_tokens",
        "mcp_servers",
        "mode",
        "model",
        "modes",
        "permissions",
        "plugins",
        "preview",
        "projects",
        "provider",
        "providers",
        "repomap",
        "rules",
        "rules_max_tokens",
        "sessions",
        "team",
        "telemetry",
        "temperature",
        "testgen",
        "ui",
        "vision",
        "web",
    }
)


# Environment variables that other tools define and Coda honours (later in list wins).
ENV_ALIASES: dict[str, tuple[str, ...]] = {
    "OLLAMA_HOST": ("providers", "ollama", "host"),
    # The OpenAI SDK's variables: a local OpenAI-compatible server works with no config,
    # through the native provider (LiteLLM keeps its own [providers.litellm] api_base).
    "OPENAI_API_BASE": ("providers", "openai", "base_url"),
    "OPENAI_BASE_URL": ("providers", "openai", "base_url"),
    "OCI_COMPARTMENT_ID": ("providers", "oci", "compartment_id"),
    "CODA_OCI_COMPARTMENT_ID": ("providers", "oci", "compartment_id"),
    "CODA_OCI_CONFIG": ("providers", "oci", "config_file"),
    "CODA_OCI_PROFILE": ("providers", "oci", "profile"),
}
# CODA_* variables that are not settings.
_NOT_SETTINGS = {"CODA_CONFIG_FILE", "CODA_DEBUG", "CODA_NO_PROJECT_CONFIG"}


@dataclass
class Layer:
    """One source of settings: its label (for `coda config show`) and its values."""

    label: str
    values: dict[str, Any]
    path: Path | None = None
    text: str | None = None
    env_names: dict[tuple[str, ...], str] = field(default_factory=dict)


class LoadedSettings:
    """Settings read from their layers, checked when first used.

    `settings` runs the full check (the pydantic models of coda_ls.config: raises
    ConfigError naming the file, line or variable at fault). A front that needs only a
    few plain values (`coda map`: the `[repomap]` table and `projects`) takes them from
    `checked_values()` when this very configuration passed that check before, and skips
    loading the models (issue 16: they were a third of a warm map's time)."""

    def __init__(
        self,
        settings: Settings | None,
        layers: list[Layer],
        user_file: Path,
        project_file: Path | None,
    ) -> None:
        self._settings = settings
        self.layers = layers
        self.user_file = user_file
        self.project_file = project_file
        self._merged: dict[str, Any] | None = None
        self._checked_before: bool | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from coda_ls.config import validate_layers

            self._settings = validate_layers(self.layers)
            from coda_ls.config_memo import remember_checked

            remember_checked(self._memo_key())
        return self._settings

    @property
    def checked(self) -> bool:
        """Whether `settings` has been checked (and is ready) in this process."""
        return self._settings is not None

    def merged(self) -> dict[str, Any]:
        """Every layer's values merged, later layers winning (not checked)."""
        if self._merged is None:
            self._merged = merge_layers(self.layers)
        return self._merged

    def checked_values(self) -> dict[str, Any] | None:
        """The merged values, when they passed the full check: in this process, or in an
        earlier one with the same values and the same Coda (see config_memo); else None."""
        if self._settings is not None:
            return self.merged()
        merged = self.merged()
        if self._checked_before is None:
            from coda_ls.config_memo import checked_before

            self._checked_before = checked_before(self._memo_key())
        return merged if self._checked_before else None

    def _memo_key(self) -> list[tuple[str, dict[str, Any]]]:
        # Every layer, not just the mix: each is checked alone too (a bad file value
        # hidden by an environment variable is still reported).
        return [(layer.label, layer.values) for layer in self.layers]

    def provenance(self) -> dict[str, str]:
        """Dotted key -> label of the layer that set it last."""
        origin: dict[str, str] = {}
        for layer in self.layers:
            for key, _ in flatten(layer.values):
                origin[key] = layer.label
        return origin

    def with_overrides(self, overrides: Mapping[str, Any], label: str) -> LoadedSettings:
        """A copy with another layer on top (flags, initializationOptions), checked now."""
        layers = [*self.layers, Layer(label, nest(dict(overrides)))]
        loaded = LoadedSettings(None, layers, self.user_file, self.project_file)
        loaded.settings  # noqa: B018 - raises ConfigError for a bad override now
        return loaded


def merge_layers(layers: list[Layer]) -> dict[str, Any]:
    """The layers' values merged, later winning; through JSON so TOML's dates and times
    are strings, as the checks see them."""
    merged: dict[str, Any] = {}
    for layer in layers:
        deep_merge(merged, json.loads(json.dumps(layer.values, default=str)))
    return merged


def _without_none(value: Any) -> Any:
    """A null in flags or initializationOptions means "not set": drop it at any depth."""
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    return value


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn {"a.b": 1} into {"a": {"b": 1}}; nested dicts pass through (keys inside them,
    like model names with dots in `prices`, are not split); nulls are dropped."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        value = _without_none(value)
        parts = key.split(".")
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        if isinstance(value, dict) and isinstance(target.get(parts[-1]), dict):
            deep_merge(target[parts[-1]], value)
        else:
            target[parts[-1]] = value
    return out


def flatten(values: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, dotted + ".")
        else:
            yield dotted, value


def deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
    return base


# Coda's settings nest four levels at most (providers.oci.prices.<model>); anything much
# deeper is a broken or hostile file, and would exhaust the stack of the recursive
# parsers and validators (tomllib raises RecursionError at about 330 levels).
MAX_DEPTH = 32


def depth(value: Any) -> int:
    """How deeply `value` nests lists and tables (iterative: no recursion limit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def too_deep(where: str) -> ConfigError:
    return ConfigError(
        f"{where}: values are nested more than {MAX_DEPTH} levels deep",
        "Coda's settings nest only a few levels; check the file for runaway brackets",
    )


def read_toml_layer(path: Path, label: str) -> Layer:
    if path.is_dir():
        raise ConfigError(
            f"{path} is a directory, not a config file",
            "remove or rename the directory; the config is a TOML file "
            "(or set CODA_CONFIG_FILE to one)",
        )
    try:
        # utf-8-sig: Windows editors save UTF-8 with a byte-order mark, which tomllib
        # rejects as "Invalid statement at line 1 column 1".
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            "save the config file as UTF-8",
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: TOML syntax error: {exc}",
            "fix the line shown; strings need quotes, tables look like [providers.ollama]",
        ) from None
    except RecursionError:
        raise too_deep(str(path)) from None
    if depth(values) > MAX_DEPTH:
        raise too_deep(str(path))
    return Layer(label, values, path=path, text=text)


def _env_value(raw: str) -> Any:
    """Env values are strings; lists, dicts, numbers and booleans may be given as JSON."""
    stripped = raw.strip()
    if stripped[:1] in "[{":
        try:
            return json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            return raw  # check_layer reports a value that is not what the key takes
    return raw


def env_layer(environ: Mapping[str, str]) -> Layer:
    values: dict[str, Any] = {}
    names: dict[tuple[str, ...], str] = {}

    def put(loc: tuple[str, ...], raw: str, name: str) -> None:
        target = values
        for part in loc[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"{name}: conflicts with another CODA_ variable")
        target[loc[-1]] = _env_value(raw)
        names[loc] = name

    for alias, loc in ENV_ALIASES.items():
        if environ.get(alias):
            put(loc, environ[alias], alias)
    for name in sorted(environ):
        if not name.startswith("CODA_") or name in _NOT_SETTINGS or name in ENV_ALIASES:
            continue
        loc = tuple(part.lower() for part in name[len("CODA_") :].split("__"))
        if loc[0] not in SETTING_NAMES:
            continue  # e.g. CODA_HOME of some other tool: not ours to reject
        put(loc, environ[name], name)
    return Layer("env", values, env_names=names)


def read_layers(
    cwd: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    override_label: str = "flag",
    *,
    read_files: bool = True,
) -> LoadedSettings:
    """Every layer, read but not checked (see `LoadedSettings`; `load_settings` checks).

    `read_files=False` skips the user and project files (a server whose config file is
    broken still runs on defaults + environment while the user fixes it)."""
    env = os.environ if environ is None else environ
    user_file = (
        Path(env["CODA_CONFIG_FILE"]).expanduser()
        if env.get("CODA_CONFIG_FILE")
        else paths.user_config_file()
    )
    project_file = None if env.get("CODA_NO_PROJECT_CONFIG") else paths.find_project_config(cwd)
    layers = [Layer("default", {})]
    if not read_files:
        project_file = None
    elif user_file.exists():  # a directory there is an error, not "no file"
        layers.append(read_toml_layer(user_file, f"user file {user_file}"))
    if project_file is not None and project_file.resolve() != user_file.resolve():
        layers.append(read_toml_layer(project_file, f"project file {project_file}"))
    layers.append(env_layer(env))
    if overrides:
        layers.append(Layer(override_label, nest(dict(overrides))))
    return LoadedSettings(None, layers, user_file, project_file)
