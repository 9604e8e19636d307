"""Cost preview: token count by the real tokenizer and estimated cost before sending;
the CLI's status line and confirmation threshold; the shell's `/cost preview` (#23)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.config import Settings
from coda_ls.engine import AskRequest, Engine, Started
from coda_ls.tokens import count_tokens, token_counter
from tests.support.model_server import ScriptedModelServer

PER_MILLION = 2_000_000.0  # $2 per thousand input tokens: a few hundred tokens ≈ $0.5


def settings(server: ScriptedModelServer, **extra: object) -> Settings:
    return Settings.model_validate(
        {
            "provider": "openai",
            "model": "llama3.2:latest",
            "providers": {
                "openai": {
                    "base_url": f"{server.url}/v1",
                    "prices": {"llama3.2:latest": {"input": PER_MILLION, "output": 0.0}},
                }
            },
            **extra,
        }
    )


def write_config(server: ScriptedModelServer, tmp: Path, extra: str = "") -> Path:
    path = tmp / "config.toml"
    path.write_text(
        'provider = "openai"\nmodel = "llama3.2:latest"\n'
        f'[providers.openai]\nbase_url = "{server.url}/v1"\n'
        f'[providers.openai.prices."llama3.2:latest"]\ninput = {PER_MILLION}\noutput = 0.0\n'
        + extra
    )
    return path


async def test_preview_matches_what_is_sent_and_what_started_says(
    model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return a + b\n" * 20)
    engine = Engine(settings(model_server), tmp_path)
    request = AskRequest("What does add do?", files=[tmp_path / "calc.py"], use_tools=False)
    try:
        preview = await engine.preview(request)
        assert not model_server.chat_requests()  # a preview sends nothing
        seen: list[Started] = []
        await engine.ask(request, on_start=seen.append)
    finally:
        await engine.aclose()
    _, exact = token_counter()
    assert exact, "the real tokenizer must be installed for this test"
    sent = model_server.chat_requests()[-1].body["messages"]
    by_tokenizer = sum(count_tokens(m["content"]) for m in sent)
    # The builder adds a small per-message framing allowance on top of the content.
    assert by_tokenizer <= preview.context_tokens <= by_tokenizer + 8 + 4 * len(sent)
    assert seen[0].context_tokens == preview.context_tokens
    assert preview.estimated_cost == pytest.approx(preview.context_tokens * PER_MILLION / 1e6)
    assert seen[0].estimated_cost == preview.estimated_cost
    assert f"{preview.context_tokens:,} tokens in" in preview.describe()


def test_cli_refuses_above_threshold_without_a_terminal(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    config = write_config(model_server, tmp_path, "[preview]\nconfirm_above = 0.01\n")
    monkeypatch.setenv("CODA_CONFIG_FILE", str(config))
    result = CliRunner().invoke(cli, ["ask", "--no-tools", "hello"])
    assert result.exit_code != 0
    assert "above the $0.01 confirmation threshold" in result.output
    assert "no terminal to confirm" in result.output and "confirm_above" in result.output
    assert "Traceback" not in result.output
    assert not model_server.chat_requests()


def test_cli_below_threshold_sends(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    config = write_config(model_server, tmp_path, "[preview]\nconfirm_above = 1000\n")
    monkeypatch.setenv("CODA_CONFIG_FILE", str(config))
    result = CliRunner().invoke(cli, ["ask", "--no-tools", "hello"])
    assert result.exit_code == 0, result.output
    assert len(model_server.chat_requests()) == 1


def test_confirmation_asks_and_a_no_sends_nothing() -> None:
    from coda_cli.preview import CostNotConfirmed, confirm_cost

    asked: list[str] = []

    def no(question: str) -> bool:
        asked.append(question)
        return False

    with pytest.raises(CostNotConfirmed):
        confirm_cost(0.5, 0.1, 250_000, interactive=True, ask=no)
    assert asked and "$0.5000" in asked[0] and "250,000 tokens" in asked[0]
    confirm_cost(0.5, 0.1, 1, interactive=True, ask=lambda _: True)  # yes: goes
    confirm_cost(None, 0.1, 1, interactive=False, ask=no)  # unknown price: not blocked


async def test_shell_cost_preview(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from coda_cli.shell.app import build_shell
    from coda_cli.shell.slash import dispatch
    from coda_cli.state import AppState
    from tests.shell.conftest import Captured

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODA_CONFIG_FILE", str(write_config(model_server, tmp_path)))
    out = Captured()
    shell = build_shell(
        AppState(_console=out.console, _err_console=out.console), with_map=False, tools=False
    )
    try:
        expected = await shell.engine.preview(AskRequest("what is 2+2?", mode="chat"))
        await dispatch(shell, "/cost preview what is 2+2?")
        text = out.take()
        assert f"openai/llama3.2:latest: {expected.context_tokens:,} tokens in" in text
        assert f"~${expected.estimated_cost:.4f}" in text and "nothing was sent" in text
        assert not model_server.chat_requests()
    finally:
        await shell.core.aclose()
        shell.store.close()
