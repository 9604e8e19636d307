"""Settings read without the models, and configurations remembered once they passed the
full check (issue 16: a warm `coda map` no longer loads pydantic for an unchanged config)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from coda_ls.config import RepoMapSettings, Settings, load_settings
from coda_ls.config_layers import SETTING_NAMES, read_layers
from coda_ls.config_memo import MEMO_FILE, checked_before
from coda_ls.errors import ConfigError
from coda_ls.repomap.options import MapOptions, plain_map_options
from tests.core.test_config import user_file, write

__all__ = ["user_file"]  # the fixture, shared with test_config


def memo(isolated_env: Path) -> Path:
    return isolated_env / ".cache" / "coda" / MEMO_FILE


def test_setting_names_are_the_models_fields() -> None:
    # An env variable CODA_<NAME>__... is read only for these names.
    assert set(Settings.model_fields) == SETTING_NAMES


def test_map_options_defaults_and_fields_are_the_models() -> None:
    assert set(RepoMapSettings.model_fields) == set(MapOptions.__dataclass_fields__)
    model = RepoMapSettings()
    assert MapOptions() == MapOptions(model.tokens, model.max_file_bytes, model.include_vendored)


TABLES: list[Any] = [
    None,
    {},
    {"tokens": 2048},
    {"tokens": 64},
    {"tokens": 63},
    {"tokens": 0},
    {"tokens": -5},
    {"tokens": True},
    {"tokens": 2048.0},
    {"tokens": "2048"},
    {"max_file_bytes": 1},
    {"max_file_bytes": 0},
    {"max_file_bytes": 5_000_000, "include_vendored": True},
    {"include_vendored": 1},
    {"include_vendored": "yes"},
    {"tokens": 100, "colour": "red"},
    [],
    "tokens",
]


@pytest.mark.parametrize("table", TABLES)
def test_plain_map_options_never_accept_what_the_model_rejects(table: Any) -> None:
    """Plain values are taken only when the model takes them and gives the same values;
    anything else (None) goes through the full check, which converts or reports it."""
    plain = plain_map_options(table)
    try:
        model = RepoMapSettings.model_validate(table or {})
    except Exception:
        assert plain is None
        return
    if plain is not None:
        assert (plain.tokens, plain.max_file_bytes, plain.include_vendored) == (
            model.tokens,
            model.max_file_bytes,
            model.include_vendored,
        )


def test_plain_map_options_take_plain_values() -> None:
    assert plain_map_options({"tokens": 2048, "include_vendored": True}) == MapOptions(
        2048, 1_000_000, True
    )
    assert plain_map_options(None) == MapOptions()


def test_a_configuration_is_remembered_once_it_passed(user_file: Path, isolated_env: Path) -> None:
    write(user_file, "[repomap]\ntokens = 300\n")
    unread = read_layers(cwd=isolated_env)
    assert unread.checked_values() is None and not unread.checked
    load_settings(cwd=isolated_env)
    again = read_layers(cwd=isolated_env)
    values = again.checked_values()
    assert values is not None and values["repomap"] == {"tokens": 300}
    assert not again.checked  # known good without loading the models in this object
    assert again.settings.repomap.tokens == 300


def test_a_broken_configuration_is_never_remembered(user_file: Path, isolated_env: Path) -> None:
    write(user_file, '[providers.ollama]\ntimeout = "soon"\n')
    with pytest.raises(ConfigError, match="timeout"):
        load_settings(cwd=isolated_env)
    loaded = read_layers(cwd=isolated_env)
    assert loaded.checked_values() is None
    with pytest.raises(ConfigError, match="timeout"):
        loaded.settings  # noqa: B018


def test_a_bad_file_value_hidden_by_the_environment_is_still_reported(
    user_file: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same merged values from a good file and from a bad one: only the good one
    is known good (each layer is checked alone, and remembered as such)."""
    monkeypatch.setenv("CODA_PROVIDERS__OLLAMA__TIMEOUT", "5")
    write(user_file, "[providers.ollama]\ntimeout = 3\n")
    load_settings(cwd=isolated_env)
    write(user_file, '[providers.ollama]\ntimeout = "soon"\n')
    loaded = read_layers(cwd=isolated_env)
    assert loaded.checked_values() is None
    with pytest.raises(ConfigError, match="timeout"):
        loaded.settings  # noqa: B018


def test_the_memo_is_private_and_holds_no_values(user_file: Path, isolated_env: Path) -> None:
    secret = "sk-very-secret-key-1234567890"
    write(user_file, f'[providers.litellm]\napi_key = "{secret}"\n')
    loaded = load_settings(cwd=isolated_env)
    path = memo(isolated_env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert secret not in text and "litellm" not in text
    assert checked_before([(layer.label, layer.values) for layer in loaded.layers])


def test_an_unwritable_cache_only_means_checking_again(user_file: Path, isolated_env: Path) -> None:
    write(user_file, "[repomap]\ntokens = 300\n")
    (isolated_env / ".cache").mkdir(parents=True, exist_ok=True)
    (isolated_env / ".cache" / "coda").write_text("not a directory")
    assert load_settings(cwd=isolated_env).settings.repomap.tokens == 300
    assert read_layers(cwd=isolated_env).checked_values() is None
