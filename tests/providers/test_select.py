"""Automatic provider selection: local first, a cloud service only when configured or the
only one with credentials, and always a reason the fronts can show (#17, #19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.config import Settings, load_settings
from coda_ls.errors import ProviderUnavailableError
from coda_ls.providers.select import automatic_plan, configured_providers, select
from tests.support.model_server import ScriptedModelServer


def settings_from(tmp_path: Path, env: dict[str, str], toml: str = "") -> Settings:
    config = tmp_path / "config.toml"
    config.write_text(toml)
    environ = {
        "CODA_CONFIG_FILE": str(config),
        "CODA_NO_PROJECT_CONFIG": "1",
        "OLLAMA_HOST": "http://127.0.0.1:9",  # refused at once: no real Ollama is reached
        **env,
    }
    return load_settings(cwd=tmp_path, environ=environ).settings


def plan_names(settings: Settings) -> list[str]:
    return [candidate.name for candidate, _ in automatic_plan(settings)[0]]


async def test_reachable_ollama_wins_over_a_key_and_says_why(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    settings = settings_from(tmp_path, {"OLLAMA_HOST": model_server.url})
    chosen = await select(settings)
    assert chosen.provider_name == "ollama"
    assert chosen.reason == "first reachable local provider"
    assert chosen.describe() == "using ollama/llama3.2:latest (first reachable local provider)"
    await chosen.provider.aclose()


async def test_a_local_openai_base_url_comes_before_any_cloud_key(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ollama down, OPENAI_BASE_URL on loopback: the native provider, not LiteLLM."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-1234567890")
    env = {"OLLAMA_HOST": "http://127.0.0.1:9", "OPENAI_BASE_URL": model_server.url + "/v1"}
    settings = settings_from(tmp_path, env)
    chosen = await select(settings)
    assert chosen.provider_name == "openai"
    assert chosen.model == "llama3.2:latest"  # the server's first model
    assert chosen.reason == "first reachable local provider"
    assert chosen.skipped and chosen.skipped[0].startswith("ollama:")
    await chosen.provider.aclose()


def test_a_cloud_key_alone_is_used_only_when_it_is_the_only_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    settings = settings_from(tmp_path, {})
    plan, ambiguous = automatic_plan(settings)
    assert [c.name for c, _ in plan] == ["ollama", "openai"]
    assert plan[-1][1] == "the only cloud provider with credentials (OPENAI_API_KEY)"
    assert ambiguous == []
    # Two services with keys and none configured: neither is picked on its own.
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-1234567890")
    settings = settings_from(tmp_path, {})
    plan, ambiguous = automatic_plan(settings)
    assert [c.name for c, _ in plan] == ["ollama"]
    assert sorted(c.name for c in ambiguous) == ["litellm", "openai"]
    # Both keyed services are still listed by `coda models` / `coda doctor`.
    assert {"openai", "litellm"} <= set(configured_providers(settings))


def test_an_explicitly_configured_cloud_provider_is_tried_after_local_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test-1234567890")
    toml = '[providers.openrouter]\nmodels = ["anthropic/claude-3.5-haiku"]\n'
    settings = settings_from(tmp_path, {}, toml)
    plan, ambiguous = automatic_plan(settings)
    assert [c.name for c, _ in plan] == ["ollama", "openrouter"]
    assert plan[1][1].startswith("configured cloud provider")
    assert ambiguous == []  # a configured one settles it: the stray key is not tried


def test_local_servers_are_tried_only_when_configured(tmp_path: Path) -> None:
    assert plan_names(settings_from(tmp_path, {})) == ["ollama"]
    toml = '[providers.lmstudio]\nmodels = ["qwen2.5-coder"]\n[providers.litellm]\n'
    toml += 'api_base = "http://localhost:4000"\n'
    assert plan_names(settings_from(tmp_path, {}, toml)) == ["ollama", "lmstudio", "litellm"]


async def test_several_cloud_keys_and_nothing_local_say_to_choose(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890")
    monkeypatch.setenv("GROQ_API_KEY", "gsk-test-1234567890")
    with pytest.raises(ProviderUnavailableError) as info:
        await select(settings_from(tmp_path, {}))
    assert "several cloud providers" in info.value.message
    assert "openai (OPENAI_API_KEY)" in info.value.message
    assert "--provider" in (info.value.hint or "")


async def test_an_explicit_choice_says_so(
    model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    env = {"OPENAI_BASE_URL": model_server.url + "/v1"}
    settings = settings_from(tmp_path, env, 'provider = "openai"\n')
    chosen = await select(settings)
    assert (chosen.provider_name, chosen.reason) == ("openai", "")  # nothing to explain
    assert chosen.describe().endswith("(chosen explicitly)")
    await chosen.provider.aclose()
    chosen = await select(settings, provider="openai", model="qwen2.5-coder:7b")
    assert chosen.reason == "" and chosen.model == "qwen2.5-coder:7b"
    await chosen.provider.aclose()
