"""Persisted rankings and skip decisions (issue 16): a warm map loads what a cold one
computed, with the very same output, and never serves a ranking of another state."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import languages, worker
from coda_ls.repomap import repomap as repomap_module
from coda_ls.repomap.lazy import LazyFiles
from coda_ls.repomap.model import Tag
from coda_ls.repomap.repomap import RepoMap
from coda_ls.tokens import token_counter

REPO = Path(__file__).resolve().parents[2]


def new_map(root: Path, cache: Path, **settings: int | bool) -> RepoMap:
    return RepoMap(root, RepoMapSettings.model_validate(settings), cache_dir=cache)


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files a build parses from now on, in order."""
    read: list[str] = []
    real = worker.parse_path

    def counting(root_: str, rel: str, limit: int) -> worker.Result:
        read.append(rel)
        return real(root_, rel, limit)

    monkeypatch.setattr(repomap_module, "parse_path", counting)
    return read


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's own code and tests: a real project of a few hundred files."""
    root = tmp_path_factory.mktemp("coda") / "coda"
    for part in ("coda_ls", "coda_cli", "tests", "benchmarks"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def fresh_ranking(root: Path, cache: Path, **request: Any) -> list[tuple[float, Tag]]:
    repo_map = new_map(root, cache)
    repo_map.build()
    try:
        return repo_map.ranked(**request)
    finally:
        repo_map.close()


REQUESTS: list[dict[str, object]] = [
    {"limit": 512},  # the overview `coda map --tokens 1024` shows
    {"limit": None},
    {"focus_files": ["coda_ls/repomap/rank.py"], "limit": 100},
    {"mentioned_idents": ["ReferenceGraph", "render"], "limit": 100},
]


@pytest.mark.parametrize("request_", REQUESTS, ids=["overview", "all", "focus", "idents"])
def test_a_persisted_ranking_is_the_computed_one(
    tree: Path, tmp_path: Path, request_: dict[str, object]
) -> None:
    request = dict(request_)
    if "focus_files" in request:
        request["focus_files"] = [tree / str(f) for f in request["focus_files"]]  # type: ignore[attr-defined]
    computed = fresh_ranking(tree, tmp_path / "cache", **request)
    assert computed
    warm = new_map(tree, tmp_path / "cache")
    warm.build()
    loaded = warm.ranked(**request)  # type: ignore[arg-type]
    assert warm._graph is None  # loaded, not ranked again
    assert loaded == computed  # same scores (exact floats), same tags, same order
    # And the same as a map that never persisted anything.
    assert fresh_ranking(tree, tmp_path / "other-cache", **request) == computed
    warm.close()


def test_the_rendered_map_is_the_same_cold_and_warm(tree: Path, tmp_path: Path) -> None:
    cold = new_map(tree, tmp_path / "cache")
    cold.build()
    rendered = cold.render(1024)
    cold.close()
    warm = new_map(tree, tmp_path / "cache")
    warm.build()
    assert warm.last_build["parsed"] == 0
    token_counter.cache_clear()
    assert warm.render(1024) == rendered  # text, token count, tags, files
    assert warm._graph is None
    assert token_counter.cache_info().misses == 0  # fitted before: no tokenizer loaded
    assert warm.render(900) != rendered  # another budget is fitted, not loaded
    warm.close()


def test_a_changed_file_is_ranked_again_not_loaded(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text("def helper_one():\n    return 1\n")
    (root / "b.py").write_text("def user_one():\n    return helper_one()\n")
    first = new_map(root, tmp_path / "cache")
    first.build()
    before = first.ranked(limit=10)
    first.close()
    # b.py now calls a new function of a.py: the ranking must see it.
    (root / "a.py").write_text(
        "def helper_one():\n    return 1\n\ndef brand_new_helper():\n    pass\n"
    )
    (root / "b.py").write_text(
        "def user_one():\n    return brand_new_helper() + brand_new_helper()\n"
    )
    second = new_map(root, tmp_path / "cache")
    second.build()
    after = second.ranked(limit=10)
    assert after[0][1].name == "brand_new_helper"
    assert after != before
    assert after == fresh_ranking(root, tmp_path / "clean", limit=10)
    second.close()


def test_an_unsaved_buffer_is_never_persisted(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text("def helper_one():\n    return 1\n")
    (root / "b.py").write_text("def user_one():\n    return helper_one()\n")
    repo_map = new_map(root, tmp_path / "cache")
    repo_map.build()
    repo_map.update(root / "b.py", "def user_one():\n    return buffer_only()\n")
    repo_map.update(root / "a.py", "def buffer_only():\n    return 1\n")
    edited = repo_map.ranked(limit=10)
    assert edited[0][1].name == "buffer_only"
    repo_map.close()
    # A new map of the files on disk must not see the buffer's ranking.
    again = new_map(root, tmp_path / "cache")
    again.build()
    assert again.ranked(limit=10)[0][1].name == "helper_one"
    again.close()


def test_a_change_in_the_ranking_code_misses(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = fresh_ranking(tree, tmp_path / "cache", limit=50)
    monkeypatch.setattr(repomap_module, "ranking_key", lambda state, request: "other code")
    warm = new_map(tree, tmp_path / "cache")
    warm.build()
    assert warm.ranked(limit=50) == computed
    assert warm._graph is not None  # ranked again: the old key is not the new code's
    warm.close()


def test_skip_decisions_are_cached_per_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "small.py").write_text("def small():\n    pass\n")
    (root / "big.py").write_text("x = 1\n" * 1000)
    cold = new_map(root, tmp_path / "cache", max_file_bytes=1000)
    cold.build()
    assert "big.py" in cold.skipped and cold.last_build["skipped"] == 1
    cold.close()
    read = count_parses(monkeypatch)
    warm = new_map(root, tmp_path / "cache", max_file_bytes=1000)
    warm.build()
    assert read == [] and "big.py" in warm.skipped
    warm.close()
    (root / "big.py").write_text("def now_small():\n    pass\n")  # changed: decided again
    again = new_map(root, tmp_path / "cache", max_file_bytes=1000)
    again.build()
    assert read == ["big.py"] and "big.py" not in again.skipped
    assert [t.name for t in again.tags(root / "big.py")] == ["now_small"]
    again.close()


def test_a_cache_from_older_skip_rules_drops_what_the_rules_now_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "main.c").write_text("int run(void) { return yyparse(); }\n")
    (root / "parser.c").write_text(
        "/* A Bison parser, made by GNU Bison 3.8.2.  */\nint yyparse(void) { return 0; }\n"
    )
    # A cache written by rules that did not know Bison's banner (and said so: version 1).
    monkeypatch.setattr(worker, "skip_reason", lambda head, size, limit: None)
    monkeypatch.setattr(repomap_module, "SNIFF_RULES", 1)
    old = new_map(root, tmp_path / "cache")
    old.build()
    assert "parser.c" in old.files and "parser.c" not in old.skipped
    old.close()
    monkeypatch.undo()
    read = count_parses(monkeypatch)
    upgraded = new_map(root, tmp_path / "cache")
    upgraded.build()
    # Sniffed, not parsed: the generated parser leaves the map, the code stays cached.
    assert read == [] and upgraded.last_build["cached"] == 1
    assert upgraded.files == ["main.c"] and upgraded.skipped["parser.c"] == "generated"
    assert upgraded._cache.sniff_rules() == repomap_module.SNIFF_RULES
    upgraded.close()
    again = new_map(root, tmp_path / "cache")
    sniffed: list[str] = []
    monkeypatch.setattr(again, "_sniff", lambda rel, size: sniffed.append(rel))
    again.build()
    assert sniffed == [] and again.files == ["main.c"]  # sniffed once, not at every build
    again.close()


def test_a_cache_from_older_sniffing_parses_a_cpp_header_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    header = "namespace fmt {\nclass buffer {\n public:\n  void push_back(int value);\n};\n}\n"
    (root / "buffer.h").write_text(header)
    (root / "plain.h").write_text("int plain_c(void);\n")
    # Older rules read every `.h` as C.
    monkeypatch.delitem(languages._SNIFF, ".h")
    monkeypatch.setattr(repomap_module, "SNIFF_RULES", 1)
    old = new_map(root, tmp_path / "cache")
    old.build()
    assert old.file_tags()["buffer.h"].language == "c"
    old.close()
    monkeypatch.undo()
    upgraded = new_map(root, tmp_path / "cache")
    upgraded.build()
    # Only the header that reads as C++ is parsed again, as C++.
    assert upgraded.last_build["parsed"] == 1 and upgraded.last_build["cached"] == 1
    files = upgraded.file_tags()
    assert files["buffer.h"].language == "cpp" and files["plain.h"].language == "c"
    assert "fmt.buffer.push_back" in {t.qualname for t in files["buffer.h"].definitions}
    upgraded.close()


def test_files_stay_encoded_until_read(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text("def helper_one():\n    return 1\n")
    repo_map = new_map(root, tmp_path / "cache")
    repo_map.build()
    files = repo_map._files
    assert isinstance(files, LazyFiles)
    assert files.language("a.py") == "python"
    assert [t.name for t in files["a.py"].definitions] == ["helper_one"]
    repo_map.close()


def test_file_tags_keeps_the_same_objects_for_unchanged_files(tmp_path: Path) -> None:
    # The completion index compares by identity: an unchanged file must not look new.
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text("def helper_one():\n    return 1\n")
    (root / "b.py").write_text("def user_one():\n    return helper_one()\n")
    repo_map = new_map(root, tmp_path / "cache")
    repo_map.build()
    first = repo_map.file_tags()
    second = repo_map.file_tags()
    assert all(second[path] is tags for path, tags in first.items())
    repo_map.update(root / "b.py", "def user_two():\n    pass\n")
    third = repo_map.file_tags()
    assert third["a.py"] is first["a.py"]
    assert third["b.py"] is not first["b.py"]
    assert [t.name for t in third["b.py"].definitions] == ["user_two"]
    repo_map.close()


def test_a_ranking_read_again_outlives_newer_ones(tmp_path: Path) -> None:
    # The overview is read at every start; focused maps are stored after it. Eviction
    # must go by use, not by age, or the next start ranks the overview again.
    from coda_ls.repomap.cache import MAX_RANKINGS, TagCache

    cache = TagCache(tmp_path / "tags.db")
    try:
        cache.put_ranking("overview", b"map")
        for i in range(MAX_RANKINGS * 2):
            cache.put_ranking(f"focused-{i}", b"x")
            assert cache.get_ranking("overview") == b"map", i
        assert cache.get_ranking("focused-0") is None  # the unused ones went
    finally:
        cache.close()


def test_the_state_digest_is_the_digest_of_its_parts() -> None:
    """One update of the joined text (issue 16: faster) gives the digest the cache's
    stored rankings were keyed by: an update per part, surrogate-escaped paths too."""
    import hashlib

    from coda_ls.repomap.persist import state_digest

    files = [("pkg/a.py", "0f" * 16), ("b/\udcff\u2028é.py", "ab" * 16), ("c.py", "")]
    digest = hashlib.blake2b(digest_size=16)
    for path, content in files:
        digest.update(path.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(content.encode())
        digest.update(b"\n")
    assert state_digest(files) == digest.hexdigest()
    assert state_digest([]) == hashlib.blake2b(digest_size=16).hexdigest()
