"""RepoMap end to end on small real projects: ranking, budget, cache, updates, robustness."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import languages, tags
from coda_ls.repomap.files import walk_files
from coda_ls.repomap.repomap import RepoMap
from coda_ls.tokens import token_counter


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


PROJECT = {
    "app/models.py": '"""Models."""\n\nclass Invoice:\n    """An invoice to pay."""\n\n'
    "    def total_amount(self):\n        return compute_tax_total(self)\n",
    "app/billing.py": 'def compute_tax_total(invoice):\n    """Sum with tax."""\n'
    "    return round_to_cents(invoice)\n",
    "app/money.py": "def round_to_cents(value):\n    return value\n",
    "app/views.py": "from app.models import Invoice\n\ndef show_invoice(request):\n"
    "    return Invoice().total_amount()\n",
    "app/unrelated.py": "def lonely_function_here():\n    return 1\n",
    "app/other.py": "def another_unrelated_one():\n    lonely_function_here()\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, PROJECT)
    return root


def new_map(root: Path, cache: Path, **settings: int | bool) -> RepoMap:
    return RepoMap(root, RepoMapSettings.model_validate(settings), cache_dir=cache)


def test_ranking_puts_what_a_focused_file_depends_on_first(project: Path, tmp_path: Path) -> None:
    repo_map = new_map(project, tmp_path / "cache")
    repo_map.build()
    rendered = repo_map.render(focus_files=[project / "app/models.py"])
    assert rendered.files[0] == "app/billing.py"
    ranked_files = [tag.path for _, tag in repo_map.ranked([project / "app/models.py"])]
    assert ranked_files.index("app/billing.py") < ranked_files.index("app/unrelated.py")
    # Focus elsewhere and the order follows it.
    other = [tag.path for _, tag in repo_map.ranked([project / "app/other.py"])]
    assert other[0] == "app/unrelated.py"


def test_mentioned_identifier_ranks_first(project: Path, tmp_path: Path) -> None:
    repo_map = new_map(project, tmp_path / "cache")
    repo_map.build()
    top = repo_map.ranked(mentioned_idents=["round_to_cents"])[0][1]
    assert top.name == "round_to_cents"


@pytest.mark.parametrize("budget", [20, 64, 100, 400])
def test_rendering_never_exceeds_the_budget(project: Path, tmp_path: Path, budget: int) -> None:
    repo_map = new_map(project, tmp_path / "cache")
    repo_map.build()
    rendered = repo_map.render(tokens=budget)
    count, exact = token_counter()
    assert exact, "an offline tokenizer should be found in the dev environment"
    assert count(rendered.text) == rendered.tokens <= budget
    if budget >= 100:
        assert "class Invoice  # An invoice to pay." in rendered.text
        assert "    def total_amount(self)" in rendered.text  # nested under its class


def test_default_budget_comes_from_settings(project: Path, tmp_path: Path) -> None:
    repo_map = new_map(project, tmp_path / "cache", tokens=64)
    repo_map.build()
    assert repo_map.render().budget == 64


def test_second_build_parses_nothing(project: Path, tmp_path: Path) -> None:
    first = new_map(project, tmp_path / "cache")
    first.build()
    assert first.last_build["parsed"] == len(PROJECT)
    first.close()
    second = new_map(project, tmp_path / "cache")
    second.build()
    assert second.last_build["parsed"] == 0
    assert second.last_build["cached"] == len(PROJECT)
    assert {t.qualname for t in second.tags()} == {t.qualname for t in first.tags()}
    # A touched but unchanged file is confirmed by its hash, not parsed again.
    os.utime(project / "app/money.py", ns=(1, 1))
    third = new_map(project, tmp_path / "cache")
    third.build()
    assert third.last_build["parsed"] == 0
    # A changed file is parsed, alone.
    (project / "app/money.py").write_text("def round_up(v):\n    return v\n")
    fourth = new_map(project, tmp_path / "cache")
    fourth.build()
    assert fourth.last_build["parsed"] == 1
    assert fourth.find_symbol("round_up") and not fourth.find_symbol("round_to_cents")


def test_cache_lives_in_the_xdg_cache_dir(project: Path, isolated_env: Path) -> None:
    repo_map = RepoMap(project, RepoMapSettings())
    repo_map.build()
    files = list((isolated_env / ".cache" / "coda" / "repomap").glob("*-v*.sqlite"))
    assert len(files) == 1


def test_update_of_an_unsaved_buffer(project: Path, tmp_path: Path) -> None:
    repo_map = new_map(project, tmp_path / "cache")
    repo_map.build()
    text = (project / "app/money.py").read_text() + "\ndef brand_new_helper(x):\n    return x\n"
    added = repo_map.update(project / "app/money.py", text)
    assert "brand_new_helper" in {t.name for t in added}
    assert repo_map.find_symbol("brand_new_helper")[0].path == "app/money.py"
    # The buffer is not saved: the disk cache still has the file as it is on disk.
    fresh = new_map(project, tmp_path / "cache")
    fresh.build()
    assert not fresh.find_symbol("brand_new_helper")
    # text=None rereads the disk.
    assert "brand_new_helper" not in {t.name for t in repo_map.update("app/money.py")}


def test_remove_and_new_file(project: Path, tmp_path: Path) -> None:
    repo_map = new_map(project, tmp_path / "cache")
    repo_map.build()
    repo_map.remove(project / "app/unrelated.py")
    assert not repo_map.find_symbol("lonely_function_here")
    write(project, {"pkg/new.go": "package pkg\n\n// Hello greets.\nfunc Hello() {}\n"})
    (tag,) = [t for t in repo_map.update(project / "pkg/new.go") if t.kind == "function"]
    assert (tag.name, tag.doc) == ("Hello", "Hello greets.")
    assert repo_map.update(project.parent / "elsewhere.py", "def x(): pass") == []


def test_find_symbol_by_name_and_qualified_name(project: Path, tmp_path: Path) -> None:
    repo_map = new_map(project, tmp_path / "cache")
    repo_map.build()
    assert [t.qualname for t in repo_map.find_symbol("total_amount")] == ["Invoice.total_amount"]
    assert repo_map.find_symbol("Invoice.total_amount")[0].path == "app/models.py"


def test_robustness(tmp_path: Path) -> None:
    root = tmp_path / "messy"
    write(
        root,
        {
            "ok.py": "def fine():\n    pass\n",
            "binary.py": b"\x00\x01\x02def nope(): pass\n",
            "huge.py": "def big():\n    pass\n" + "# filler\n" * 2000,
            "latin1.py": "# caf\xe9\ndef latin():\n    pass\n".encode("latin-1"),
            "broken.py": "def half(:\n\nclass Whole:\n    pass\n",
            "app.min.js": "function a(){}",
            "long.js": "var x = 1;" * 150 + "\nfunction hidden() {}\n",
            "node_modules/lib/index.js": "function vendored() {}",
            "vendor/lib.go": "package lib\nfunc Vendored() {}\n",
            "static/app.js": "function asset() {}",
            "notes.txt": "just text",
            "script": "#!/usr/bin/env python\ndef from_shebang():\n    pass\n",
        },
    )
    repo_map = RepoMap(root, RepoMapSettings(max_file_bytes=2000), cache_dir=tmp_path / "c")
    repo_map.build()
    names = {t.name for t in repo_map.tags()}
    assert {"fine", "latin", "Whole", "from_shebang"} <= names
    assert not names & {"nope", "big", "hidden", "vendored", "Vendored", "asset", "a"}
    assert repo_map.skipped["binary.py"] == "binary"
    assert repo_map.skipped["huge.py"].startswith("larger than")
    assert "minified" in repo_map.skipped["long.js"]
    assert "vendored" in repo_map.skipped["app.min.js"]
    # include_vendored maps vendor/ and static/ after all (node_modules is never walked).
    everything = RepoMap(root, RepoMapSettings(include_vendored=True), cache_dir=tmp_path / "d")
    everything.build()
    assert {"Vendored", "asset"} <= {t.name for t in everything.tags()}


def test_missing_grammar_degrades_to_a_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "lua"
    write(root, {"a.lua": "function f() end\n", "b.py": "def g():\n    pass\n"})
    spec = languages.LanguageSpec("lua", "tree_sitter_not_installed")
    monkeypatch.setitem(languages.LANGUAGES, "lua", spec)
    languages.load_language.cache_clear()
    tags.load_query.cache_clear()
    try:
        repo_map = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "c")
        repo_map.build()
        rendered = repo_map.render()
    finally:
        languages.load_language.cache_clear()
        tags.load_query.cache_clear()
    assert "a.lua: (no grammar or query for lua)" in rendered.text
    assert "def g()" in rendered.text
    assert "no grammar for lua" in caplog.text


def test_git_listing_honours_gitignore_and_codaignore(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, {"kept.py": "def kept(): pass\n", "ignored.py": "def ignored(): pass\n",
                 "private.py": "def private(): pass\n", "untracked.py": "def untracked(): pass\n",
                 ".gitignore": "ignored.py\n", ".codaignore": "private.py\n"})  # fmt: skip
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "kept.py", ".gitignore"], cwd=root, check=True)
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "c")
    repo_map.build()
    assert repo_map.files == ["kept.py", "untracked.py"]
    # Without git, the walk honours both files too.
    assert [f for f in walk_files(root) if f.endswith(".py")] == ["kept.py", "untracked.py"]


def test_custom_lister(project: Path, tmp_path: Path) -> None:
    repo_map = RepoMap(
        project, RepoMapSettings(), cache_dir=tmp_path / "c", lister=lambda root: ["app/money.py"]
    )
    repo_map.build()
    assert repo_map.files == ["app/money.py"]


def test_to_json(project: Path, tmp_path: Path) -> None:
    repo_map = new_map(project, tmp_path / "cache")
    repo_map.build()
    data = json.loads(repo_map.to_json(tokens=200))
    assert data["tokens"] <= 200 and data["build"]["files"] == len(PROJECT)
    assert {"kind", "qualname", "path", "line", "doc", "signature"} <= set(data["tags"][0])


def test_parallel_build_matches_serial(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coda_ls.repomap import repomap as module

    monkeypatch.setattr(module, "PARALLEL_MIN_FILES", 1)
    seen: list[tuple[int, int]] = []
    parallel = RepoMap(project, RepoMapSettings(), cache_dir=tmp_path / "p", workers=2)
    parallel.build(progress=lambda done, total: seen.append((done, total)))
    serial = RepoMap(project, RepoMapSettings(), cache_dir=tmp_path / "s", workers=1)
    serial.build()
    assert parallel.tags() == serial.tags() and parallel.tags()
    assert seen[0] == (0, len(PROJECT)) and seen[-1] == (len(PROJECT), len(PROJECT))


@pytest.mark.skipif(shutil.which("hg") is None, reason="Mercurial (hg) is not installed")
def test_a_mercurial_work_tree_is_listed_with_its_own_ignore_rules(tmp_path: Path) -> None:
    from tests.vcs.repos import sh

    sh(tmp_path, "hg", "init")
    (tmp_path / ".hgignore").write_text("syntax: glob\nbuild/\n")
    (tmp_path / "app.py").write_text("def tracked():\n    pass\n")
    sh(tmp_path, "hg", "add", "app.py", ".hgignore")
    sh(tmp_path, "hg", "commit", "-m", "init")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "gen.py").write_text("def generated():\n    pass\n")
    (tmp_path / "fresh.py").write_text("def untracked_but_new():\n    pass\n")
    repo_map = RepoMap(tmp_path, RepoMapSettings(), cache_dir=tmp_path / ".cache-map")
    repo_map.build()
    names = {tag.name for tag in repo_map.tags()}
    assert {"tracked", "untracked_but_new"} <= names
    assert "generated" not in names  # .hgignore is honoured by hg itself


def test_the_walk_of_a_huge_plain_directory_stops_at_its_limit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for index in range(30):
        (tmp_path / f"m{index}.py").write_text(f"def f{index}():\n    pass\n")
    listed = walk_files(tmp_path, limit=10)
    assert len(listed) == 10
    assert "not a repository" in caplog.text
    assert len(walk_files(tmp_path)) == 30
