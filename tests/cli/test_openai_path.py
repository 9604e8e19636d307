"""`coda ask` through the native OpenAI-compatible provider, end to end (#19, #17)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.support.model_server import Reply, ScriptedModelServer

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-proj-SECRET-abcdefghijklmnop0123456789"


def messages(home: Path) -> list[tuple[str, str, str]]:
    """(role, status, content) of every stored message."""
    db = home / ".local" / "share" / "coda" / "sessions.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as connection:
        return list(connection.execute("SELECT role, status, content FROM messages ORDER BY id"))


def test_openai_base_url_alone_uses_the_native_provider(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    model_server.script(Reply(chunks=["via ", "the OpenAI API"], prompt_tokens=9))
    result = CliRunner().invoke(cli, ["ask", "--json", "hello"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["answer"] == "via the OpenAI API"
    assert data["provider"] == "openai"
    assert data["usage"]["input_tokens"] == 9 and data["usage"]["cost"] == 0.0
    assert model_server.chat_requests()[-1].path == "/v1/chat/completions"


def test_a_preset_with_a_key_in_the_config(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`provider = "vllm"` and a key: the preset's section, the key as a bearer token."""
    model_server.api_key = KEY
    config = tmp_path / "config.toml"
    config.write_text(
        f'provider = "vllm"\n[providers.vllm]\nbase_url = "{model_server.url}/v1"\n'
        f'api_key = "{KEY}"\n'
    )
    monkeypatch.setenv("CODA_CONFIG_FILE", str(config))
    result = CliRunner().invoke(cli, ["ask", "--json", "--no-tools", "hello"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["provider"] == "vllm"
    assert model_server.chat_requests()[-1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("provider", ["openai", "litellm"])
def test_a_200_reply_that_is_not_json_fails_and_stores_nothing_complete(
    provider: str,
    model_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    isolated_env: Path,
) -> None:
    """#17: exit 0 with an empty answer stored as `complete` was the bug."""
    if provider == "openai":
        monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    else:
        monkeypatch.setenv("CODA_PROVIDERS__LITELLM__API_BASE", f"{model_server.url}/v1")
        monkeypatch.setenv("CODA_PROVIDERS__LITELLM__MAX_RETRIES", "0")
    monkeypatch.setenv("CODA_PROVIDER", provider)
    monkeypatch.setenv("CODA_MODEL", "llama3.2:latest")
    model_server.script(*[Reply(raw_body=b"<html>proxy error</html>")] * 4)
    result = CliRunner().invoke(cli, ["ask", "--no-tools", "hello"])
    assert result.exit_code != 0, result.output
    assert model_server.url in result.output  # the message names the server
    assert "Traceback" not in result.output
    stored = messages(isolated_env)
    assert not [m for m in stored if m[0] == "assistant" and m[1] == "complete"], stored


def _run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`coda ARGS` in a fresh interpreter; stderr's last line says whether litellm loaded."""
    code = (
        "import sys\n"
        "from coda_cli.main import cli\n"
        "try:\n"
        f"    cli.main({args!r}, prog_name='coda')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print('LITELLM-LOADED' if 'litellm' in sys.modules else 'LITELLM-ABSENT', "
        "file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_coda_ask_through_the_openai_path_never_imports_litellm_nor_shows_the_key(
    model_server: ScriptedModelServer, isolated_env: Path, tmp_path: Path
) -> None:
    model_server.api_key = KEY
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        OPENAI_BASE_URL=f"{model_server.url}/v1",
        OPENAI_API_KEY=KEY,
    )
    model_server.script(Reply(chunks=["fine ", "thanks"]))
    done = _run_cli(["--debug", "ask", "--no-tools", "hi"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "fine thanks" in done.stdout
    assert done.stderr.strip().endswith("LITELLM-ABSENT")
    assert model_server.chat_requests()[-1].headers["authorization"] == f"Bearer {KEY}"
    # A refused key echoed by the server: not in the output, the logs or the store.
    model_server.api_key = "another-key"
    done = _run_cli(["--debug", "ask", "--no-tools", "hi again"], env, tmp_path)
    assert done.returncode != 0
    assert "API key" in done.stdout + done.stderr
    for text in (done.stdout, done.stderr):
        assert KEY not in text and "abcdefghijklmnop" not in text
    db = isolated_env / ".local" / "share" / "coda" / "sessions.db"
    stored = b"".join(p.read_bytes() for p in db.parent.glob("sessions.db*"))
    assert b"fine thanks" in stored or messages(isolated_env)
    assert KEY.encode() not in stored and b"abcdefghijklmnop" not in stored


def test_doctor_and_models_list_the_openai_compatible_server(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"{model_server.url}/v1")
    # Ollama left at its default (not running here, and nobody asked for it): informational.
    monkeypatch.delenv("OLLAMA_HOST")
    result = CliRunner().invoke(cli, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"] if c["area"] == "provider"}
    assert checks["openai"]["ok"] is True
    assert "2 model(s): llama3.2:latest, qwen2.5-coder:7b" in checks["openai"]["detail"]
    assert "groq" not in checks  # services not set up are not listed one by one
    result = CliRunner().invoke(cli, ["models", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["models"]
    assert [(m["provider"], m["name"]) for m in listed] == [
        ("openai", "llama3.2:latest"),
        ("openai", "qwen2.5-coder:7b"),
    ]
