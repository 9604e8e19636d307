"""Where Coda keeps its files: XDG config, data and cache dirs through platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "coda"


def config_dir() -> Path:
    """User config dir (`$XDG_CONFIG_HOME/coda`)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """User data dir (`$XDG_DATA_HOME/coda`): the session database lives here."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """User cache dir (`$XDG_CACHE_HOME/coda`): repo-map cache, model lists, answers."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def user_config_file() -> Path:
    """The user's config file; `CODA_CONFIG_FILE` overrides its location."""
    override = os.environ.get("CODA_CONFIG_FILE")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


PROJECT_CONFIG = Path(".coda") / "config.toml"


def find_project_config(start: Path | None = None) -> Path | None:
    """The nearest `.coda/config.toml`, walking up from `start` (default: cwd). A
    directory of that name is returned too: reading it reports the mistake instead of
    ignoring the project's settings without a word."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / PROJECT_CONFIG
        if candidate.exists():
            return candidate
    return None
