"""Project rules files: found, ordered, deduplicated and capped; in the system prompt the
model receives; listed by `coda context`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.config import Settings
from coda_ls.context import CodeSelection
from coda_ls.engine import AskRequest, Engine
from coda_ls.rules import HEADER, MAX_RULES_BYTES, load_rules
from coda_ls.tokens import count_tokens
from tests.support.model_server import Reply, ScriptedModelServer

ORDER = [
    ".coda/rules/a-style.md",
    ".coda/rules/b-tests.md",
    "pkg/AGENTS.md",
    "AGENTS.md",
    "CLAUDE.md",
    "GEMINI.md",
    ".cursorrules",
    ".github/copilot-instructions.md",
]


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for rel in reversed(ORDER):  # created in the reverse order: the order is not by age
        write(root, rel, f"Rule from {rel}.\n")
    write(root, "pkg/sub/module.py", "x = 1\n")
    write(root, "other/AGENTS.md", "Rules of another folder.\n")
    return root


def headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.MULTILINE)


def test_every_source_in_the_documented_order(project: Path) -> None:
    rules = load_rules(project, project / "pkg" / "sub" / "module.py")
    assert headings(rules.text) == ORDER
    assert rules.text.startswith(HEADER)
    assert [f.path for f in rules.files] == ORDER
    assert all(f.status == "included" and f.tokens > 0 for f in rules.files)
    assert "Rules of another folder" not in rules.text  # not up the tree from the file
    assert rules.tokens == count_tokens(rules.text) <= rules.max_tokens


def test_without_a_file_only_the_roots_agents_md(project: Path) -> None:
    rules = load_rules(project)
    assert "pkg/AGENTS.md" not in headings(rules.text)
    assert "AGENTS.md" in headings(rules.text)


def test_the_same_file_twice_or_the_same_text_is_read_once(project: Path) -> None:
    (project / "CLAUDE.md").unlink()
    (project / "CLAUDE.md").symlink_to("AGENTS.md")
    write(project, "GEMINI.md", "Rule from AGENTS.md.\n\n")  # same text, other whitespace
    rules = load_rules(project)
    status = {f.path: (f.status, f.note) for f in rules.files}
    assert status["CLAUDE.md"] == ("duplicate", "the same file as AGENTS.md")
    assert status["GEMINI.md"] == ("duplicate", "same text as AGENTS.md")
    assert rules.text.count("Rule from AGENTS.md.") == 1


def test_the_cap_truncates_then_leaves_out_and_says_so(project: Path) -> None:
    long = "\n".join(f"- rule number {n}: keep functions short and named well" for n in range(400))
    write(project, "AGENTS.md", long)
    rules = load_rules(project, project / "pkg" / "sub" / "module.py", max_tokens=300)
    assert rules.tokens <= 300
    by_path = {f.path: f for f in rules.files}
    assert by_path[".coda/rules/a-style.md"].status == "included"
    agents = by_path["AGENTS.md"]
    assert agents.status == "truncated" and 0 < agents.tokens < agents.full_tokens
    assert "[… truncated: rules_max_tokens = 300 reached]" in rules.text
    assert "rule number 0:" in rules.text and "rule number 399" not in rules.text
    for later in ("CLAUDE.md", "GEMINI.md", ".cursorrules", ".github/copilot-instructions.md"):
        assert by_path[later].status == "omitted" and by_path[later].tokens == 0
    lines = rules.lines()
    assert any(line.startswith("AGENTS.md: ") and "truncated" in line for line in lines)
    assert "CLAUDE.md: left out" in "\n".join(lines)
    assert lines[-1] == f"total: {rules.tokens} of 300 tokens (rules_max_tokens)"


def test_a_one_line_file_is_cut_mid_line(tmp_path: Path) -> None:
    write(tmp_path, "AGENTS.md", "word " * 5000)
    rules = load_rules(tmp_path, max_tokens=200)
    assert rules.files[0].status == "truncated" and rules.tokens <= 200


def test_bad_files_are_skipped_or_repaired_and_said_so(tmp_path: Path) -> None:
    write(tmp_path, "AGENTS.md", "caf\xe9 rules".encode("latin-1"))
    write(tmp_path, "CLAUDE.md", b"\x89PNG\r\n\x1a\n\0\0\0binary")
    write(tmp_path, "GEMINI.md", "   \n")
    write(tmp_path, ".cursorrules", "x" * (MAX_RULES_BYTES + 10))
    outside = write(tmp_path.parent / f"{tmp_path.name}-outside", "secret.md", "not ours\n")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "copilot-instructions.md").symlink_to(outside)
    write(tmp_path, ".coda/rules/utf16.md", "Use tabs.".encode("utf-16"))
    rules = load_rules(tmp_path, max_tokens=100_000)
    status = {f.path: f for f in rules.files}
    assert status["AGENTS.md"].status == "included"
    assert "undecodable bytes replaced" in status["AGENTS.md"].note
    assert "caf\ufffd rules" in rules.text
    assert status["CLAUDE.md"].status == "binary"
    assert status["GEMINI.md"].status == "empty"
    assert status[".cursorrules"].note == f"only its first {MAX_RULES_BYTES:,} bytes read"
    assert status[".github/copilot-instructions.md"].status == "outside"
    assert "not ours" not in rules.text
    assert status[".coda/rules/utf16.md"].note == "UTF-16" and "Use tabs." in rules.text


def test_off_or_a_list_of_names(project: Path) -> None:
    off = load_rules(project, sources=False)
    assert off.text == "" and not off.enabled
    assert off.lines() == ["rules files are off (rules = false)"]
    write(project, "docs/STYLE.md", "House style.\n")
    chosen = load_rules(project, project / "pkg" / "x.py", sources=["docs/STYLE.md", "AGENTS.md"])
    assert headings(chosen.text) == ["docs/STYLE.md", "pkg/AGENTS.md", "AGENTS.md"]
    assert load_rules(project / "pkg" / "sub").lines()[0].startswith("no rules files found")


async def test_the_model_receives_the_rules_in_the_system_prompt(
    project: Path, model_server: ScriptedModelServer
) -> None:
    settings = Settings.model_validate(
        {"providers": {"ollama": {"host": model_server.url}}, "provider": "ollama"}
    )
    engine = Engine(settings, project)
    model_server.script(Reply(text="ok"), Reply(text="ok"))
    try:
        selection = CodeSelection(project / "pkg" / "sub" / "module.py", 1, 1)
        built = await engine.build_context(
            AskRequest(question="q", selection=selection), _mode(), [], 8192
        )
        assert built.rules is not None and built.stats.rules_tokens == built.rules.tokens > 0
        await engine.ask(AskRequest(question="Explain.", mode="explain", selection=selection))
        engine.update_settings(settings.model_copy(update={"rules": False}))
        await engine.ask(AskRequest(question="Again."))
    finally:
        await engine.aclose()
    first, second = (r.body["messages"][0]["content"] for r in model_server.chat_requests())
    assert HEADER in first and "## pkg/AGENTS.md\nRule from pkg/AGENTS.md." in first
    assert first.index("Rule from .coda/rules/a-style.md") < first.index("Rule from CLAUDE.md")
    assert HEADER not in second and "Rule from" not in second


def _mode():  # type: ignore[no-untyped-def]
    from coda_ls.modes import get_mode

    return get_mode("explain")


def test_coda_context_lists_the_files_with_tokens_and_cuts(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("CODA_RULES_MAX_TOKENS", "120")
    result = CliRunner().invoke(cli, ["context", "pkg/sub/module.py"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(r"\.coda/rules/a-style\.md: \d+ tokens", out)
    assert "left out" in out and "(rules_max_tokens)" in out
    assert out.index("pkg/AGENTS.md") < out.index("CLAUDE.md")
    data = json.loads(CliRunner().invoke(cli, ["context", "--json"]).stdout)
    assert data["rules"]["max_tokens"] == 120
    assert data["rules"]["files"][0]["path"] == ".coda/rules/a-style.md"
    assert {f["status"] for f in data["rules"]["files"]} >= {"included", "omitted"}


def test_an_at_mention_picks_the_nearest_agents_md(project: Path) -> None:
    from coda_ls.context import ContextBuilder

    builder = ContextBuilder(project, rules=True)
    mentioned = builder.build(_mode(), "what does @pkg/sub/module.py do?")
    plain = builder.build(_mode(), "what does this project do?")
    assert "## pkg/AGENTS.md" in mentioned.messages[0].content
    assert "## pkg/AGENTS.md" not in plain.messages[0].content
    assert "## AGENTS.md" in plain.messages[0].content
    assert ContextBuilder(project).build(_mode(), "q").rules is not None  # off by default
    assert HEADER not in ContextBuilder(project).build(_mode(), "q").messages[0].content
