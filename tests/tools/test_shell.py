"""shell: cwd, exit codes, deny list, timeout, output cap, secret-free environment."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from coda_ls.tools import Decision
from coda_ls.tools.shell import clean_env
from tests.tools.conftest import MakeToolbox, ScriptedAsker, call


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


# Values shaped like credentials, under names that do not say so.
SECRET_VALUES = {
    "GITHUB_PAT": "ghp_" + "a1B2c3D4e5" * 4,
    "GH_OAUTH": "gho_" + "Z9y8X7w6V5" * 4,
    "FINE_GRAINED": "github_pat_11ABCDEFG0" + "x" * 40,
    "LLM": "sk-" + "q" * 40,
    "CLAUDE": "sk-ant-api03-" + "Q" * 40,
    "SLACK_HOOKY": "xoxb-1234567890-abcdefghij",
    "AMAZON_ID": "AKIAIOSFODNN7EXAMPLE",
    "GITLAB": "glpat-" + "abcdefghij" * 2,
    "DATABASE_URL": "postgres://u:PASSWORD@db.internal/app",
    "PIP_INDEX_URL": "https://user:hunter2@pypi.example.com/simple",
    "DEPLOY_PEM": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END",
    "SESSION_JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
}
HARMLESS_VALUES = {
    "HOME": "/home/u",
    "PATH": "/opt/task-runner-with-a-very-long-name/bin:/usr/bin",
    "GIT_URL": "https://github.com/org/repo.git",
    "PROXY_URL": "http://proxy.example.com:3128",
    "SHORT": "sk-1",
    "WORDS": "ask-me-anything-about-the-answer",
}


def test_clean_env_drops_secrets_by_value() -> None:
    kept = clean_env({**SECRET_VALUES, **HARMLESS_VALUES})
    assert set(SECRET_VALUES).isdisjoint(kept), sorted(set(SECRET_VALUES) & set(kept))
    assert set(HARMLESS_VALUES) <= set(kept)


async def test_the_subprocess_does_not_see_secret_values(
    toolbox: MakeToolbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRET_VALUES.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HARMLESS", "visible")
    result = await call(toolbox(), "shell", command="env")
    assert "HARMLESS=visible" in result.text
    for name in SECRET_VALUES:
        assert f"{name}=" not in result.text
    assert "PASSWORD" not in result.text and "hunter2" not in result.text


def _running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize(
    "command",
    [
        "sleep 100 > /dev/null 2>&1 & echo $!",  # detached from the output: outlived the call
        "sleep 100 & echo $!",  # holding the output pipe: the call lasted 100 s
    ],
)
async def test_background_processes_end_with_the_call(toolbox: MakeToolbox, command: str) -> None:
    started = time.monotonic()
    result = await call(toolbox(), "shell", command=command)
    assert time.monotonic() - started < 5
    assert not result.is_error, result.text
    pid = int(result.text.splitlines()[1])
    deadline = time.monotonic() + 3
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _running(pid), "sleep 100 & outlived the shell call"
    finally:
        if _running(pid):
            os.kill(pid, 9)


async def test_a_background_process_gets_sigterm_first(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    # A trap on TERM runs: background work can clean up before the SIGKILL.
    command = "(trap 'echo cleaned > cleaned.txt; exit 0' TERM; sleep 100 & wait) & sleep 0.2"
    # `trap` runs a string later: asked about even under "allow", and the user says yes
    result = await call(toolbox(ScriptedAsker(answer=Decision.YES)), "shell", command=command)
    assert not result.is_error, result.text
    deadline = time.monotonic() + 3
    while not (workspace / "cleaned.txt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (workspace / "cleaned.txt").read_text() == "cleaned\n"
