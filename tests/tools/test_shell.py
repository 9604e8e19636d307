"""shell: cwd, exit codes, deny list, timeout, output cap, secret-free environment."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coda_ls.tools.shell import clean_env
from tests.tools.conftest import MakeToolbox, call


async def test_runs_in_the_workspace_with_exit_code(toolbox: MakeToolbox, workspace: Path) -> None:
    box = toolbox()
    ok = await call(box, "shell", command="pwd && ls src")
    assert not ok.is_error
    assert ok.text.splitlines() == ["exit code 0", str(workspace.resolve()), "app.py"]
    failed = await call(box, "shell", command="echo oops >&2; exit 3")
    assert failed.is_error and failed.text.splitlines() == ["exit code 3", "oops"]
    stdin = await call(box, "shell", command="cat")  # stdin is closed, so this cannot hang
    assert stdin.text == "exit code 0\n(no output)"


@pytest.mark.parametrize(
    "command",
    ["sudo rm -rf /tmp/x", "rm -rf /", "echo ok && sudo reboot", "ls; shutdown -h now",
     "true | sudo tee /etc/x", "echo $(sudo id)"],
)  # fmt: skip
async def test_denied_commands_never_run(
    toolbox: MakeToolbox, workspace: Path, command: str
) -> None:
    result = await call(toolbox(), "shell", command=command + " ; touch ran.txt")
    assert result.is_error and "deny pattern" in result.text
    assert not (workspace / "ran.txt").exists()


async def test_custom_deny_list(workspace: Path) -> None:
    from coda_ls.config import Settings
    from coda_ls.tools import Toolbox
    from tests.tools.conftest import ScriptedAsker

    settings = Settings.model_validate(
        {"permissions": {"shell": "allow", "shell_deny": ["git push*"]}}
    )
    box = Toolbox(workspace, settings, ScriptedAsker())
    assert (await call(box, "shell", command="git   push origin main")).is_error
    assert not (await call(box, "shell", command="echo git push")).is_error


async def test_timeout_kills_the_command_and_its_children(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    started = time.monotonic()
    result = await call(
        toolbox(), "shell", command="echo started; (sleep 5; touch late.txt) & sleep 5", timeout=0.5
    )
    elapsed = time.monotonic() - started
    assert result.is_error and "timed out after 0.5s" in result.text
    assert "started" in result.text
    assert elapsed < 3
    time.sleep(0.2)
    assert not (workspace / "late.txt").exists()


async def test_huge_output_is_cut_in_the_middle(toolbox: MakeToolbox) -> None:
    # 10 MB of output: the model gets the head and the tail, and a count of the rest.
    result = await call(
        toolbox(),
        "shell",
        command="echo FIRST; head -c 10000000 /dev/zero | tr '\\0' x; echo; echo LAST",
    )
    assert not result.is_error
    assert len(result.text) < 31_000
    assert "FIRST" in result.text and result.text.rstrip().endswith("LAST")
    assert "bytes of output omitted" in result.text


def test_clean_env_drops_secrets() -> None:
    env = {
        "PATH": "/usr/bin",
        "HOME": "/home/u",
        "OPENAI_API_KEY": "sk-1",
        "GITHUB_TOKEN": "ghp",
        "DB_PASSWORD": "pw",
        "MY_SECRET": "s",
        "AWS_REGION": "eu",
        "OCI_CLI_PROFILE": "x",
        "ANTHROPIC_BASE_URL": "u",
        "GOOGLE_APPLICATION_CREDENTIALS": "/k.json",
        "CODA_PROVIDERS__LITELLM__API_KEY": "k",
        "LANG": "C.UTF-8",
    }
    assert set(clean_env(env)) == {
        "PATH",
        "HOME",
        "LANG",
        "PAGER",
        "GIT_PAGER",
        "GIT_TERMINAL_PROMPT",
        "CI",
    }


async def test_the_subprocess_does_not_see_secrets(
    toolbox: MakeToolbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-leak")
    monkeypatch.setenv("SERVICE_TOKEN", "tok-leak")
    monkeypatch.setenv("HARMLESS", "visible")
    result = await call(toolbox(), "shell", command="env")
    assert "visible" in result.text
    assert "leak" not in result.text
