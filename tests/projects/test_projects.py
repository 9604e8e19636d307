"""Several projects in one workspace: persisted with `coda projects`, joined in the map
(current project first, others labelled), seen by questions through the scripted model
server, and read-only for the tools."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.config import load_settings
from coda_ls.projects import OTHERS_SHARE, label
from coda_ls.providers.base import ToolCall
from coda_ls.tools import Decision
from coda_ls.workspace import Workspace
from tests.support.model_server import Reply, ScriptedModelServer
from tests.vcs.repos import sh

APP = "from libfoo import parse\n\n\ndef main(argv):\n    return parse(argv[0])\n"
PARSER = '''def parse(text):
    """Split text into words."""
    return text.split()


class Tokenizer:
    def tokens(self, source):
        return source.split()
'''


def git_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    sh(root, "git", "init", "-q")
    sh(root, "git", "add", "-A")
    sh(root, "git", "commit", "-q", "-m", "start")
    return root


@pytest.fixture
def projects(tmp_path: Path) -> tuple[Path, Path]:
    app = git_repo(tmp_path / "app", {"app.py": APP})
    lib = git_repo(tmp_path / "libfoo", {"src/parser.py": PARSER, "README.md": "# libfoo\n"})
    return app, lib


@pytest.fixture
def in_app(projects: tuple[Path, Path]) -> Iterator[Path]:
    before = Path.cwd()
    os.chdir(projects[0])
    try:
        yield projects[0]
    finally:
        os.chdir(before)


def test_add_list_remove_persist_in_the_project_config(
    projects: tuple[Path, Path], in_app: Path
) -> None:
    app, lib = projects
    runner = CliRunner()
    result = runner.invoke(cli, ["projects", "add", str(lib)])
    assert result.exit_code == 0, result.output
    config = (app / ".coda" / "config.toml").read_text()
    assert config == 'projects = ["../libfoo"]\n'  # relative: the file can be checked in
    assert runner.invoke(cli, ["projects", "add", "../libfoo"]).exit_code == 0  # idempotent
    assert (app / ".coda" / "config.toml").read_text() == config

    listed = json.loads(runner.invoke(cli, ["projects", "list", "--json"]).stdout)
    assert [(p["name"], p["current"], p["vcs"]) for p in listed] == [
        ("app", True, "git"),
        ("libfoo", False, "git"),
    ]
    assert listed[1]["root"] == str(lib) and len(listed[1]["revision"]) == 40  # its own VCS

    assert runner.invoke(cli, ["projects", "remove", "libfoo"]).exit_code == 0
    assert "projects = []" in (app / ".coda" / "config.toml").read_text()
    missing = runner.invoke(cli, ["projects", "remove", "libfoo"])
    assert missing.exit_code != 0 and "no project 'libfoo'" in missing.output


def test_add_keeps_other_settings_and_tables(projects: tuple[Path, Path], in_app: Path) -> None:
    app, lib = projects
    (app / ".coda").mkdir()
    (app / ".coda" / "config.toml").write_text('model = "m"\n\n[repomap]\ntokens = 512\n')
    assert CliRunner().invoke(cli, ["projects", "add", str(lib)]).exit_code == 0
    settings = load_settings(cwd=app).settings
    assert settings.projects == ["../libfoo"]
    assert settings.model == "m" and settings.repomap.tokens == 512


def test_map_draws_from_every_project_current_first(
    projects: tuple[Path, Path], in_app: Path
) -> None:
    _, lib = projects
    result = CliRunner().invoke(cli, ["--project", str(lib), "map", "--tokens", "400"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "app.py" in out and "[libfoo] src/parser.py" in out
    assert out.index("app.py") < out.index("[libfoo] src/parser.py")
    assert "def parse(text)" in out


def test_budget_split_gives_the_current_project_most(tmp_path: Path) -> None:
    big = {f"m{i}.py": f"def fun_{i}(a, b):\n    return a\n" for i in range(120)}
    app = git_repo(tmp_path / "app", big)
    lib = git_repo(
        tmp_path / "lib", {f"l{i}.py": f"def lib_{i}(x):\n    return x\n" for i in range(120)}
    )
    loaded = load_settings(cwd=app)
    workspace = Workspace(app, loaded)
    try:
        workspace.add_projects([lib])
        workspace.build_map()
        rendered = workspace.render_map(1000)
        text = rendered.text
        lib_part = "".join(line for line in text.splitlines(keepends=True) if "[lib]" in line)
        assert text.startswith("m") and "[lib] l" in text  # current first, then the other
        other = workspace.projects[1]
        assert other.name == "lib" and not other.current
        lib_map = workspace._others["lib"].repo_map
        assert lib_map is not None
        alone = lib_map.render(int(1000 * OTHERS_SHARE))
        lib_only = label("lib", alone.text)
        # The other project got its share (and no more); the current one the rest.
        assert lib_part.strip() and lib_only.startswith(lib_part.splitlines()[0])
        assert rendered.tokens <= 1000
        assert alone.tokens <= 1000 * OTHERS_SHARE
        mine = rendered.tokens - alone.tokens
        assert mine > alone.tokens
    finally:
        workspace.close()


def test_budget_the_others_leave_unused_goes_to_the_current_project(tmp_path: Path) -> None:
    big = {f"m{i}.py": f"def fun_{i}(a, b):\n    return a\n" for i in range(120)}
    app = git_repo(tmp_path / "app", big)
    tiny = git_repo(tmp_path / "tiny", {"t.py": "def only(x):\n    return x\n"})
    workspace = Workspace(app, load_settings(cwd=app))
    try:
        workspace.add_projects([tiny])
        workspace.build_map()
        rendered = workspace.render_map(1000)
        assert "[tiny] t.py:" in rendered.text
        tiny_tokens = workspace._others["tiny"].repo_map.render(400).tokens  # type: ignore[union-attr]
        # The current project's part is more than its 60 %: the tiny one used little.
        assert rendered.tokens - tiny_tokens > 1000 * (1 - OTHERS_SHARE)
    finally:
        workspace.close()


def test_a_question_sees_the_other_project_and_its_labels(
    projects: tuple[Path, Path],
    in_app: Path,
    model_server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app, _ = projects
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    (app / ".coda").mkdir()
    (app / ".coda" / "config.toml").write_text('projects = ["../libfoo"]\n')
    model_server.script(
        Reply(text="", chunks=[], tool_calls=[
            {"name": "read_file", "arguments": {"path": "[libfoo] src/parser.py"}}
        ]),
        Reply(text="parse splits on whitespace."),
    )  # fmt: skip
    result = CliRunner().invoke(cli, ["ask", "how does parse work?"])
    assert result.exit_code == 0, result.output
    assert "parse splits on whitespace." in result.output
    first, second = model_server.chat_requests()[-2:]
    system = first.body["messages"][0]["content"]
    assert "app.py:" in system and "[libfoo] src/parser.py:" in system
    assert system.index("app.py:") < system.index("[libfoo] src/parser.py:")
    tool_reply = next(m for m in second.body["messages"] if m["role"] == "tool")
    assert "[libfoo] src/parser.py" in tool_reply["content"]
    assert "def parse(text):" in tool_reply["content"]


class Yes:
    async def ask(self, request: object) -> Decision:
        return Decision.YES


async def test_tools_read_other_projects_and_never_write_them(
    projects: tuple[Path, Path],
) -> None:
    app, lib = projects
    overrides = {"permissions": {"read": "allow", "write": "allow"}}
    workspace = Workspace.open(app, overrides, asker=Yes())
    workspace.add_projects([lib])
    box = workspace.toolbox
    assert box is not None

    async def call(tool: str, **arguments: object) -> tuple[str, bool]:
        result = await box.execute(ToolCall(id="c", name=tool, arguments=arguments))
        return result.text, result.is_error

    text, error = await call("read_file", path="[libfoo] src/parser.py")
    assert not error and "def parse(text):" in text
    text, error = await call("read_file", path=str(lib / "README.md"))  # absolute works too
    assert not error and "[libfoo] README.md" in text
    text, error = await call("read_file", path="[libfoo] ../app/app.py")
    assert error and "outside" in text  # each project's own confinement applies
    text, error = await call("read_file", path="[libfoo] .git/config")
    assert error and "version-control metadata" in text
    text, error = await call("read_file", path="[nope] x.py")
    assert error and "no project named 'nope'" in text

    text, error = await call("write_file", path="[libfoo] src/evil.py", content="x = 1\n")
    assert error and "read-only" in text
    text, error = await call("write_file", path=str(lib / "src" / "evil.py"), content="x\n")
    assert error and "outside" in text
    text, error = await call(
        "edit_file", path="[libfoo] src/parser.py", edits=[{"search": "split", "replace": "x"}]
    )
    assert error and "read-only" in text
    assert not (lib / "src" / "evil.py").exists()
    assert (lib / "src" / "parser.py").read_text() == PARSER
    # Writing in the current project still works.
    text, error = await call("write_file", path="new.py", content="y = 2\n")
    assert not error and (app / "new.py").read_text() == "y = 2\n"
    await workspace.aclose()


def test_missing_configured_project_is_a_clear_error(
    projects: tuple[Path, Path], in_app: Path
) -> None:
    app, _ = projects
    (app / ".coda").mkdir()
    (app / ".coda" / "config.toml").write_text('projects = ["../gone"]\n')
    result = CliRunner().invoke(cli, ["map"])
    assert result.exit_code != 0
    assert "project '../gone' is not a directory" in result.output
    assert "Traceback" not in result.output
