"""The words index in ids and arrays (issue 16) scores exactly as the dict-of-dicts index
it replaced (kept below as the reference), built either way (appends, or numpy's sort
for big projects), after file changes, and when loaded from its snapshot."""

from __future__ import annotations

import math
import random
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import lexical, snapshot
from coda_ls.repomap.lexical import K1, B, LexicalIndex, file_terms
from coda_ls.repomap.model import FileTags, Tag
from coda_ls.repomap.repomap import RepoMap
from tests.repomap.test_graph_snapshot import count_inits

REPO = Path(__file__).resolve().parents[2]


class DictIndex:
    """The index before issue 16's compaction: a dict of paths per term."""

    def __init__(self, files: Mapping[str, FileTags]) -> None:
        self._postings: dict[str, dict[str, int]] = {}
        self._lengths: dict[str, int] = {}
        self._terms: dict[str, Counter[str]] = {}
        self._total = 0
        for path in files:
            self._add(path, file_terms(files[path]))

    def _add(self, path: str, terms: Counter[str]) -> None:
        self._terms[path] = terms
        self._lengths[path] = length = sum(terms.values())
        self._total += length
        for term, tf in terms.items():
            self._postings.setdefault(term, {})[path] = tf

    def update(self, path: str, ft: FileTags | None) -> None:
        terms = self._terms.pop(path, None)
        if terms is not None:
            self._total -= self._lengths.pop(path)
            for term in terms:
                del self._postings[term][path]
                if not self._postings[term]:
                    del self._postings[term]
        if ft is not None:
            self._add(path, file_terms(ft))

    def scores(self, terms: Iterable[str]) -> dict[str, float]:
        n = len(self._lengths)
        if not n:
            return {}
        avg = self._total / n or 1.0
        out: dict[str, float] = {}
        for term in set(terms):
            postings = self._postings.get(term)
            if not postings:
                continue
            df = len(postings)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for path, tf in postings.items():
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self._lengths[path] / avg))
                out[path] = out.get(path, 0.0) + idf * norm
        return out


@pytest.fixture(scope="module")
def mapped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RepoMap]:
    root = tmp_path_factory.mktemp("words") / "coda"
    for part in ("coda_ls", "coda_cli", "tests/repomap"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=root.parent / "cache")
    repo_map.build()
    yield repo_map
    repo_map.close()


def questions(files: Mapping[str, FileTags], count: int) -> list[list[str]]:
    rng = random.Random(7)
    words = sorted({w for path in list(files)[:150] for w in file_terms(files[path])})
    return [[*rng.sample(words, rng.randint(1, 5)), "nosuchword"] for _ in range(count)]


@pytest.mark.parametrize("bulk", [False, True])
def test_the_index_scores_as_the_dict_index(
    mapped: RepoMap, bulk: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical, "BULK_MIN_POSTINGS", 0 if bulk else 10**12)
    files = dict(mapped._files.copy().items())
    new, old = LexicalIndex(files), DictIndex(files)
    asked = questions(files, 60)
    for terms in asked[:30]:
        got = new.scores(terms)
        assert got == old.scores(terms)  # floats compared exactly
        assert list(got) == list(old.scores(terms))  # and in the same order
    assert any(new.scores(terms) for terms in asked)
    # Then file by file: removed, changed, added, back.
    paths = list(files)
    extra = FileTags(
        "x/new_module.py",
        "python",
        (Tag("function", "brand_new", "brand_new", "x/new_module.py", 1, 2),),
    )
    changes: list[tuple[str, FileTags | None]] = [
        (paths[3], None),
        (paths[5], FileTags(paths[5], "python", files[paths[5]].definitions[:2])),
        ("x/new_module.py", extra),
        (paths[3], files[paths[3]]),
        ("x/new_module.py", None),
    ]
    for i, (path, tags) in enumerate(changes):
        new.update(path, tags)
        old.update(path, tags)
        for terms in [*asked[30 + 5 * i : 35 + 5 * i], ["brand", "new"]]:
            assert new.scores(terms) == old.scores(terms), (path, terms)
            assert list(new.scores(terms)) == list(old.scores(terms))
        expected = old._terms.get(path)
        got = new.terms_of(path)
        assert got == expected and list((got or {}).items()) == list((expected or {}).items())


def test_both_ways_of_building_give_the_same_arrays(
    mapped: RepoMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = dict(mapped._files.copy().items())
    monkeypatch.setattr(lexical, "BULK_MIN_POSTINGS", 0)
    bulk = LexicalIndex(files)
    monkeypatch.setattr(lexical, "BULK_MIN_POSTINGS", 10**12)
    appended = LexicalIndex(files)
    assert bulk.parts() == appended.parts()


def test_a_loaded_index_is_the_built_one(mapped: RepoMap) -> None:
    files = dict(mapped._files.copy().items())
    built = LexicalIndex(files)
    loaded = LexicalIndex.restored(list(files), built.parts())
    assert loaded.parts() == built.parts()
    for terms in questions(files, 20):
        assert loaded.scores(terms) == built.scores(terms)
    path = next(iter(files))
    loaded.update(path, None)
    built.update(path, None)
    assert loaded.parts() == built.parts()
    with pytest.raises(ValueError):
        LexicalIndex.restored(list(reversed(files)), built.parts())


def test_a_restart_loads_the_words_index(
    mapped: RepoMap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = RepoMap(mapped.root, RepoMapSettings(), cache_dir=cache)
    first.build()
    first.warm()
    assert first._cache.path is not None
    assert snapshot.words_file(first._cache.path).stat().st_size > 1000
    question = "where is the words index stored between runs?"
    expected = first.ranked(question=question, limit=40)
    first.close()
    made = count_inits(monkeypatch, LexicalIndex)
    again = RepoMap(mapped.root, RepoMapSettings(), cache_dir=cache)
    again.build()
    again.warm()
    assert made == []  # loaded
    assert again.ranked(question=question, limit=40) == expected
    again.close()
