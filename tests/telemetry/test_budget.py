"""Spending limits checked against the session store's recorded cost (#23)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.sessions import SessionStore
from coda_ls.wire import Usage
from tests.support.model_server import ScriptedModelServer


def configure(server: ScriptedModelServer, tmp: Path, budget: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(
        'provider = "openai"\nmodel = "llama3.2:latest"\n'
        f'[providers.openai]\nbase_url = "{server.url}/v1"\n'
        f"[budget]\n{budget}\n"
    )
    return path


def spend(root: Path, dollars: float = 1.1) -> None:
    """A paid answer recorded in `root`'s session, as a provider with prices records it
    (the scripted server is on loopback, which Coda prices at $0)."""
    store = SessionStore()
    try:
        session = store.create_session(title="paid", project_root=str(root.resolve()))
        store.add_message(session.id, "user", "q")
        store.add_message(
            session.id,
            "assistant",
            "a",
            usage=Usage(input_tokens=11, output_tokens=7, cost=dollars),
        )
    finally:
        store.close()


@pytest.mark.parametrize(
    ("limit", "name"), [("workspace = 1.0", "budget.workspace"), ("daily = 1.0", "budget.daily")]
)
def test_over_budget_is_refused_before_sending(
    limit: str,
    name: str,
    model_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODA_CONFIG_FILE", str(configure(model_server, tmp_path, limit)))
    first = CliRunner().invoke(cli, ["ask", "--no-tools", "hello"])
    assert first.exit_code == 0, first.output  # under the limit: sent
    assert len(model_server.chat_requests()) == 1
    spend(tmp_path)
    second = CliRunner().invoke(cli, ["ask", "--no-tools", "again"])
    assert second.exit_code != 0
    assert "Spending limit reached: $1.1000" in second.output
    assert f"`{name}` limit" in second.output and "raise it" in second.output
    assert "Traceback" not in second.output
    assert len(model_server.chat_requests()) == 1  # nothing was sent

    doctor = CliRunner().invoke(cli, ["doctor"])
    assert "$1.1000 of $1.00" in doctor.output and "reached" in doctor.output


def test_under_budget_doctor_shows_usage(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(
        "CODA_CONFIG_FILE", str(configure(model_server, tmp_path, "workspace = 5.0\ndaily = 3"))
    )
    spend(tmp_path)
    assert CliRunner().invoke(cli, ["ask", "--no-tools", "hello"]).exit_code == 0
    doctor = CliRunner().invoke(cli, ["doctor"])
    assert "$1.1000 of $5.00" in doctor.output
    assert "$1.1000 of $3.00" in doctor.output


async def test_shell_cost_shows_budget_usage(
    model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from coda_cli.shell.app import build_shell
    from coda_cli.shell.slash import dispatch
    from coda_cli.shell.turn import run_line
    from coda_cli.state import AppState
    from tests.shell.conftest import Captured

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CODA_CONFIG_FILE", str(configure(model_server, tmp_path, "daily = 2")))
    out = Captured()
    shell = build_shell(
        AppState(_console=out.console, _err_console=out.console), with_map=False, tools=False
    )
    try:
        await run_line(shell, "hello")
        spend(tmp_path)
        out.take()
        await dispatch(shell, "/cost")
        assert "daily budget: $1.1000 of $2.00 today" in out.take()
        spend(tmp_path, 1.0)
        await run_line(shell, "again")
        assert "Spending limit reached: $2.1000 spent today" in out.take()
        assert len(model_server.chat_requests()) == 1
    finally:
        await shell.core.aclose()
        shell.store.close()
