"""The words index's per-file words are stored with the cache and read back by the next
process for files whose content is unchanged (issue 16: a restart of a 20k-file project
counted every file's words again before its first question)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import lexical
from coda_ls.repomap.model import FileTags
from coda_ls.repomap.repomap import RepoMap

REPO = Path(__file__).resolve().parents[2]


def project(tmp_path: Path) -> Path:
    root = tmp_path / "coda"
    shutil.copytree(REPO / "coda_ls/repomap", root / "coda_ls/repomap",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    return root


def words_index(root: Path, cache: Path) -> tuple[RepoMap, lexical.LexicalIndex]:
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=cache, workers=1)
    repo_map.build()
    _, index = repo_map._with_graph(repo_map._lexical_index)
    return repo_map, index


def test_words_are_stored_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cache = project(tmp_path), tmp_path / "cache"
    first_map, _ = words_index(root, cache)
    first_map.close()
    counted: list[str] = []
    real = lexical.file_terms

    def counting(ft: FileTags) -> Counter[str]:
        counted.append(ft.path)
        return real(ft)

    monkeypatch.setattr(lexical, "file_terms", counting)
    (root / "coda_ls/repomap/rank.py").write_text(
        (root / "coda_ls/repomap/rank.py").read_text() + "\n\ndef brand_new_marker() -> None: ...\n"
    )
    second_map, second = words_index(root, cache)
    try:
        assert counted == ["coda_ls/repomap/rank.py"]  # only the changed file counted
        assert "marker" in second.terms_of("coda_ls/repomap/rank.py")  # type: ignore[operator]
        for path in second_map._files:
            got, fresh = second.terms_of(path), real(second_map._files[path])
            assert got == fresh and list(got or ()) == list(fresh), path
        # The same words in the same order: the same scores, to the float.
        fresh_index = lexical.LexicalIndex(dict(second_map._files))
        assert second.scores(["pagerank", "marker"]) == fresh_index.scores(["pagerank", "marker"])
    finally:
        second_map.close()


def test_an_unsaved_buffer_is_counted_not_stored(tmp_path: Path) -> None:
    root, cache = project(tmp_path), tmp_path / "cache"
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=cache, workers=1)
    try:
        repo_map.build()
        path = root / "coda_ls/repomap/rank.py"
        repo_map.update(path, path.read_text() + "\n\ndef unsaved_marker() -> None: ...\n")
        _, index = repo_map._with_graph(repo_map._lexical_index)
        assert "unsav" in index.terms_of("coda_ls/repomap/rank.py")  # type: ignore[operator]
        stored = repo_map._cache.load_words()
        assert "coda_ls/repomap/rank.py" not in stored
        assert len(stored) == len(repo_map._files) - 1
    finally:
        repo_map.close()
