"""`coda changelog check` on real git and Mercurial repositories, for each convention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.checks.changelog import check_changelog, classify, detect_convention
from tests.checks.history import SYSTEMS, Repo
from tests.support.model_server import Reply, ScriptedModelServer

KEEP_V1 = """\
# Changelog

## [Unreleased]

## [1.0.0] - 2026-01-01
### Added
- The first version.
"""


def run_check(root: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["changelog", "check", str(root), "--json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def subjects(data: dict[str, object]) -> list[str]:
    missing = data["missing"]
    assert isinstance(missing, list)
    return [m["subject"] for m in missing]


@pytest.mark.parametrize("system", SYSTEMS)
def test_keep_a_changelog(system: str, tmp_path: Path) -> None:
    repo = Repo(system, tmp_path / system)
    repo.commit("Release 1.0.0", {"CHANGELOG.md": KEEP_V1, "src/a.py": "A = 1\n"})
    repo.tag("v1.0.0")
    repo.commit("feat: add retry option (#12)", {"src/a.py": "A = 2\n"})
    fixed = KEEP_V1.replace("## [Unreleased]\n", "## [Unreleased]\n### Fixed\n- Empty input.\n")
    repo.commit("fix: handle empty input", {"src/b.py": "B = 1\n", "CHANGELOG.md": fixed})
    repo.commit("Update the guide", {"docs/guide.md": "words\n", "tests/test_a.py": "x = 1\n"})
    noted = fixed.replace(
        "- Empty input.\n", "- Empty input.\n### Changed\n- Parser internals refactored.\n"
    )
    repo.commit("note the parser work", {"CHANGELOG.md": noted})
    repo.commit("Refactor parser internals", {"src/c.py": "C = 1\n"})
    repo.commit("tweak whitespace [skip changelog]", {"src/a.py": "A  = 2\n"})

    code, data = run_check(repo.root)
    assert code == 1
    assert data["convention"] == "keepachangelog" and data["path"] == "CHANGELOG.md"
    assert data["release"] == "v1.0.0"
    assert subjects(data) == ["feat: add retry option (#12)"]
    assert data["checked"] == 3  # feat, fix, refactor (docs/tests-only and skip ignored)
    missing = data["missing"]
    assert isinstance(missing, list)
    assert missing[0]["section"] == "Added"
    assert missing[0]["proposal"] == "### Added\n- Add retry option (#12)."

    # The issue number in the Unreleased section covers the commit: exit 0.
    entry = noted.replace("### Fixed", "### Added\n- Retries (#12).\n### Fixed")
    repo.commit("changelog for retries", {"CHANGELOG.md": entry})
    code, data = run_check(repo.root)
    assert code == 0 and subjects(data) == []


@pytest.mark.parametrize("system", SYSTEMS)
def test_towncrier_fragments(system: str, tmp_path: Path) -> None:
    repo = Repo(system, tmp_path / system)
    repo.commit("start", {"changelog.d/.gitignore": "", "pkg/x.py": "X = 1\n"})
    repo.tag("1.0")
    repo.commit("Support colours (#7)", {"pkg/x.py": "X = 2\n"})
    repo.commit("fragment for colours", {"changelog.d/7.feature.md": "Colours.\n"})
    repo.commit("Fix a crash on empty files", {"pkg/y.py": "Y = 1\n"})
    repo.commit(
        "Speed up loading", {"pkg/z.py": "Z = 1\n", "changelog.d/+fast.misc.md": "Faster.\n"}
    )
    code, data = run_check(repo.root)
    assert code == 1
    assert data["convention"] == "towncrier" and data["path"] == "changelog.d"
    assert subjects(data) == ["Fix a crash on empty files"]
    missing = data["missing"]
    assert isinstance(missing, list)
    proposal = missing[0]["proposal"]
    assert proposal.startswith("changelog.d/+") and proposal.endswith(
        ".bugfix: Fix a crash on empty files."
    )


@pytest.mark.parametrize("system", SYSTEMS)
def test_release_notes_headings_without_tags(system: str, tmp_path: Path) -> None:
    repo = Repo(system, tmp_path / system)
    repo.commit("initial", {"app.py": "v = 0\n"})
    notes = "# Release notes\n\n## v1.0.0\n- First.\n"
    repo.commit("Release 1.0.0", {"RELEASE_NOTES.md": notes, "app.py": "v = 1\n"})
    pending = "# Release notes\n\n## v1.1.0\n- New export command.\n\n## v1.0.0\n- First.\n"
    repo.commit("notes for 1.1", {"RELEASE_NOTES.md": pending})
    repo.commit("Add export command", {"export.py": "E = 1\n"})
    repo.commit("Add import command", {"importer.py": "I = 1\n"})
    code, data = run_check(repo.root)
    assert code == 1
    assert data["convention"] == "headings" and data["path"] == "RELEASE_NOTES.md"
    assert data["release"] == "1.0.0"  # no tag: the commit that released 1.0.0
    assert subjects(data) == ["Add import command"]  # "Add export command" is under v1.1.0


@pytest.mark.parametrize("system", SYSTEMS)
def test_uncommitted_changes_need_an_entry_too(system: str, tmp_path: Path) -> None:
    repo = Repo(system, tmp_path / system)
    repo.commit("Release 1.0.0", {"CHANGELOG.md": KEEP_V1, "src/a.py": "A = 1\n"})
    repo.tag("v1.0.0")
    repo.write({"src/a.py": "A = 3\n"})
    report = check_changelog(repo.root)
    assert [m.revision for m in report.missing] == ["working copy"]
    assert report.missing[0].files == ("src/a.py",)
    repo.write({"CHANGELOG.md": KEEP_V1.replace("]\n\n## [1", "]\n- A is 3.\n\n## [1", 1)})
    assert check_changelog(repo.root).missing == []


def test_conventions_detected(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.towncrier]\ndirectory = "news/"\n')
    assert detect_convention(tmp_path).kind == "towncrier"
    assert detect_convention(tmp_path).path == "news"
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "HISTORY.rst").write_text("1.0\n---\n- x\n")
    assert (detect_convention(tmp_path).kind, detect_convention(tmp_path).path) == (
        "headings",
        "HISTORY.rst",
    )
    (tmp_path / "CHANGELOG.md").write_text(KEEP_V1)
    assert detect_convention(tmp_path).kind == "keepachangelog"
    assert detect_convention(tmp_path / "..").kind in (
        "none",
        "headings",
        "keepachangelog",
        "towncrier",
    )


@pytest.mark.parametrize(
    ("subject", "section"),
    [
        ("feat(cli): add --json", "Added"),
        ("Fix crash on empty file", "Fixed"),
        ("Remove the old API", "Removed"),
        ("Deprecate load()", "Deprecated"),
        ("security: escape HTML", "Security"),
        ("Rework the parser", "Changed"),
    ],
)
def test_sections_from_commit_subjects(subject: str, section: str) -> None:
    assert classify(subject)[0] == section


def test_not_under_version_control(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["changelog", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert "not under version control" in result.output and "Traceback" not in result.output


def test_propose_asks_the_model_to_word_the_missing_entries(
    tmp_path: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    repo = Repo("git", tmp_path / "git")
    repo.commit("Release 1.0.0", {"CHANGELOG.md": KEEP_V1, "src/a.py": "A = 1\n"})
    repo.tag("v1.0.0")
    repo.commit("feat: add retry option (#12)", {"src/a.py": "A = 2\n"})
    model_server.script(
        Reply(text="```markdown\n### Added\n- Retries for flaky networks (#12).\n```")
    )
    code, data = run_check(repo.root, "--propose")
    assert code == 1  # still missing: a proposal is not an entry
    assert data["model_proposal"] == "### Added\n- Retries for flaky networks (#12)."
    prompt = model_server.chat_requests()[-1].body["messages"][-1]["content"]
    assert "Keep a Changelog" in prompt and "in CHANGELOG.md" in prompt
    assert "feat: add retry option (#12) (files: src/a.py)" in prompt
    assert "### Added\\n- Add retry option (#12)." in prompt  # the deterministic draft
    # Nothing missing: the model is not asked.
    before = len(model_server.chat_requests())
    repo.commit(
        "entry", {"CHANGELOG.md": KEEP_V1.replace("]\n\n## [1", "]\n- Retries (#12).\n\n## [1", 1)}
    )
    code, data = run_check(repo.root, "--propose")
    assert code == 0 and "model_proposal" not in data
    assert len(model_server.chat_requests()) == before
