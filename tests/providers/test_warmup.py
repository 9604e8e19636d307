"""LiteLLM is imported in the background only when the settings will use it (#19)."""

from __future__ import annotations

import subprocess
import sys

from coda_ls.config import LiteLLMSettings, ModeSettings, ProvidersSettings, Settings
from coda_ls.providers.warmup import uses_litellm


def test_only_settings_that_use_litellm_warm_it_up() -> None:
    assert not uses_litellm(Settings())
    assert not uses_litellm(Settings(provider="openai"))
    assert uses_litellm(Settings(provider="litellm"))
    assert uses_litellm(Settings(modes={"review": ModeSettings(provider="litellm")}))
    configured = ProvidersSettings(litellm=LiteLLMSettings(models=["anthropic/claude"]))
    assert uses_litellm(Settings(providers=configured))
    assert not uses_litellm(Settings(provider="ollama", providers=configured))


def test_the_import_runs_in_a_background_thread() -> None:
    code = (
        "import sys\n"
        "from coda_ls.config import Settings\n"
        "from coda_ls.providers.warmup import warm_up\n"
        "assert warm_up(Settings()) is None and 'litellm' not in sys.modules\n"
        "thread = warm_up(Settings(provider='litellm'))\n"
        "assert thread is not None and thread.daemon\n"
        "thread.join(120)\n"
        "assert 'litellm' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # litellm's banner does not reach stdout (the LSP channel)
