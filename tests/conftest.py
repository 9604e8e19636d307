"""Fixtures shared by every test: an isolated environment and the scripted model server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Variables that would let a developer's own setup leak into the tests.
_LEAKY_PREFIXES = ("CODA_", "OLLAMA_", "OCI_", "OPENAI_", "ANTHROPIC_", "LITELLM_", "GEMINI_")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets empty XDG dirs, no CODA_/provider variables, and no reachable Ollama."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(_LEAKY_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    # Port 9 (discard) on loopback refuses at once: no test can reach a real Ollama.
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    return home


@pytest.fixture
def model_server() -> Iterator[ScriptedModelServer]:
    """A scripted Ollama + OpenAI-compatible server on 127.0.0.1 (random port)."""
    from tests.support.model_server import ScriptedModelServer

    with ScriptedModelServer() as server:
        yield server


if False:  # pragma: no cover - for type checkers only
    from tests.support.model_server import ScriptedModelServer
