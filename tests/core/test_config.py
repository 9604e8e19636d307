"""Config layers, provenance and the error messages of bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.config import effective_items, load_settings
from coda_ls.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def user_file(isolated_env: Path) -> Path:
    return isolated_env / ".config" / "coda" / "config.toml"


def test_defaults_without_any_file(tmp_path: Path) -> None:
    loaded = load_settings(cwd=tmp_path, environ={})
    assert loaded.settings.provider is None
    assert loaded.settings.providers.ollama.host == "http://127.0.0.1:11434"
    assert loaded.settings.repomap.tokens == 1024
    assert loaded.settings.permissions.write == "ask"
    assert loaded.project_file is None


def test_each_layer_overrides_the_one_before(user_file: Path, tmp_path: Path) -> None:
    write(user_file, 'model = "user-model"\nprovider = "ollama"\n[repomap]\ntokens = 2000\n')
    project = tmp_path / "proj"
    write(project / ".coda" / "config.toml", 'model = "project-model"\n[repomap]\ntokens = 3000\n')
    env = {"CODA_REPOMAP__TOKENS": "4000"}

    loaded = load_settings(cwd=project, environ=env)
    assert loaded.settings.model == "project-model"  # project > user
    assert loaded.settings.provider == "ollama"  # user value kept where project is silent
    assert loaded.settings.repomap.tokens == 4000  # env > project

    flagged = load_settings(cwd=project, environ=env, overrides={"repomap.tokens": 5000})
    assert flagged.settings.repomap.tokens == 5000  # flag > env
    origin = flagged.provenance()
    assert origin["model"].startswith("project file")
    assert origin["provider"].startswith("user file")
    assert origin["repomap.tokens"] == "flag"


def test_env_nesting_and_aliases(tmp_path: Path) -> None:
    env = {
        "CODA_PROVIDERS__OLLAMA__HOST": "http://gpu-box:11434",
        "CODA_PROVIDERS__LITELLM__MODELS": '["openai/gpt-4o-mini", "anthropic/claude"]',
        "OCI_COMPARTMENT_ID": "ocid1.compartment.generic",
        "CODA_OCI_COMPARTMENT_ID": "ocid1.compartment.coda",
        "CODA_PERMISSIONS__SHELL": "deny",
        "CODA_UNRELATED_THING": "ignored",
    }
    settings = load_settings(cwd=tmp_path, environ=env).settings
    assert settings.providers.ollama.host == "http://gpu-box:11434"
    assert settings.providers.litellm.models == ["openai/gpt-4o-mini", "anthropic/claude"]
    assert settings.providers.oci.compartment_id == "ocid1.compartment.coda"
    assert settings.permissions.shell == "deny"


def test_openai_base_url_selects_the_native_openai_provider(tmp_path: Path) -> None:
    """#19: OPENAI_BASE_URL / OPENAI_API_BASE route to the native provider, not LiteLLM;
    a LiteLLM api_base set explicitly stays LiteLLM's."""
    for variable in ("OPENAI_BASE_URL", "OPENAI_API_BASE"):
        env = {variable: "http://127.0.0.1:8000/v1"}
        settings = load_settings(cwd=tmp_path, environ=env).settings
        assert settings.providers.openai.base_url == "http://127.0.0.1:8000/v1"
        assert settings.providers.litellm.api_base is None
    write(tmp_path / ".coda" / "config.toml", '[providers.litellm]\napi_base = "http://h:1/v1"\n')
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1"}
    settings = load_settings(cwd=tmp_path, environ=env).settings
    assert settings.providers.litellm.api_base == "http://h:1/v1"
    assert settings.providers.openai.base_url == "http://127.0.0.1:8000/v1"


def test_ollama_host_env_is_honoured(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, environ={"OLLAMA_HOST": "10.0.0.5:11434"}).settings
    assert settings.providers.ollama.host == "10.0.0.5:11434"


def test_project_file_found_from_a_subdirectory(tmp_path: Path) -> None:
    write(tmp_path / ".coda" / "config.toml", 'mode = "review"\n')
    deep = tmp_path / "src" / "pkg" / "inner"
    deep.mkdir(parents=True)
    loaded = load_settings(cwd=deep, environ={})
    assert loaded.settings.mode == "review"
    assert loaded.project_file == tmp_path / ".coda" / "config.toml"


def test_toml_syntax_error_names_file_and_line(user_file: Path, tmp_path: Path) -> None:
    write(user_file, 'provider = "ollama"\nmodel = llama3\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    message = str(info.value)
    assert str(user_file) in message
    assert "line 2" in message


def test_unknown_key_names_file_line_key_and_known_keys(user_file: Path, tmp_path: Path) -> None:
    write(user_file, '[providers.ollama]\nhost = "http://x:1"\nhots = "typo"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    message = info.value.message
    assert f"{user_file}:3" in message
    assert "providers.ollama.hots" in message
    assert "unknown key" in message
    assert "host" in message  # the known keys are listed


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    write(tmp_path / ".coda" / "config.toml", '[repomap]\ntokens = "lots"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    message = info.value.message
    assert ".coda/config.toml:2" in message
    assert "repomap.tokens" in message
    assert "integer" in message
    assert "'lots'" in message


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={"CODA_PERMISSIONS__WRITE": "sometimes"})
    assert "CODA_PERMISSIONS__WRITE" in info.value.message
    assert "allow" in info.value.message


def test_non_utf8_config_is_a_clear_error(user_file: Path, tmp_path: Path) -> None:
    user_file.parent.mkdir(parents=True)
    user_file.write_bytes(b'model = "caf\xe9"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    assert "UTF-8" in info.value.message


def test_secrets_are_masked_in_effective_items(tmp_path: Path) -> None:
    write(tmp_path / ".coda" / "config.toml", '[providers.litellm]\napi_key = "sk-verysecret123"\n')
    rows = {
        key: (value, source)
        for key, value, source in effective_items(load_settings(cwd=tmp_path, environ={}))
    }
    value, source = rows["providers.litellm.api_key"]
    assert value == "********"
    assert "sk-verysecret" not in repr(rows)
    assert source.startswith("project file")


def test_nested_overrides_as_editors_send_them(tmp_path: Path) -> None:
    """initializationOptions arrive nested, with nulls for "not set" and model names with
    dots as table keys."""
    options = {
        "model": None,
        "repomap": {"tokens": 512, "max_file_bytes": None},
        "providers": {"oci": {"prices": {"cohere.command-r-plus": {"input": 3.0}}}},
    }
    loaded = load_settings(
        cwd=tmp_path, environ={}, overrides=options, override_label="initializationOptions"
    )
    settings = loaded.settings
    assert settings.model is None
    assert settings.repomap.tokens == 512
    assert settings.repomap.max_file_bytes == 1_000_000
    assert settings.providers.oci.prices["cohere.command-r-plus"].input == 3.0
    assert loaded.provenance()["repomap.tokens"] == "initializationOptions"


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 2000 + "]" * 2000,  # RecursionError in tomllib
        "a = " + "{b = " * 2000 + "1" + "}" * 2000,
    ],
    ids=["arrays-2000", "tables-2000"],
)
def test_deeply_nested_values_are_a_config_error(
    user_file: Path, tmp_path: Path, text: str
) -> None:
    write(user_file, text)
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    assert str(user_file) in info.value.message
    assert "nested more than" in info.value.message


def test_deeply_nested_env_and_overrides_are_a_config_error(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={"CODA_MODES": deep})
    assert "CODA_MODES" in info.value.message  # too deep for JSON: reported as a bad value
    nested: dict[str, object] = {}
    for _ in range(200):
        nested = {"x": nested}
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={}, overrides={"modes": nested})
    assert "nested more than" in info.value.message


def test_a_config_path_that_is_a_directory_is_a_clear_error(
    user_file: Path, tmp_path: Path
) -> None:
    user_file.mkdir(parents=True)
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={})
    assert f"{user_file} is a directory" in info.value.message
    elsewhere = tmp_path / "confdir"
    elsewhere.mkdir()
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, environ={"CODA_CONFIG_FILE": str(elsewhere)})
    assert f"{elsewhere} is a directory" in info.value.message


def test_a_project_config_that_is_a_directory_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "proj" / ".coda" / "config.toml").mkdir(parents=True)
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path / "proj", environ={})
    assert "config.toml is a directory" in info.value.message


def test_a_utf8_bom_is_accepted(user_file: Path, tmp_path: Path) -> None:
    user_file.parent.mkdir(parents=True)
    user_file.write_bytes(b'\xef\xbb\xbfmodel = "bom-model"\n[repomap]\ntokens = 2000\n')
    loaded = load_settings(cwd=tmp_path, environ={})
    assert loaded.settings.model == "bom-model"
    assert loaded.settings.repomap.tokens == 2000


def test_the_cli_reports_a_nested_config_without_a_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    config = write(tmp_path / "deep.toml", "a = " + "[" * 2000 + "]" * 2000)
    env = {**os.environ, "CODA_CONFIG_FILE": str(config), "CODA_NO_PROJECT_CONFIG": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "coda_cli", "config", "show"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "nested more than" in output
    assert "RecursionError" not in output and "Traceback" not in output
