"""Words of a question matched against files: BM25 over each file's path, symbol names
split into words (`add_url_rule` -> add url rule, `HTTPServer` -> http server), its
signatures, doc summaries and the names it references.

The graph says what a project's files depend on; these words say which files a question
is about. The index lives in memory next to the reference graph, is built on the first
question (an overview never pays for it) and is updated file by file.
"""

from __future__ import annotations

import marshal
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from coda_ls.repomap.flat import array_of, split_array
from coda_ls.repomap.model import FileTags

K1 = 1.2
B = 0.75
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# An acronym before a word (HTTPServer -> HTTP, Server), words, acronyms, numbers.
_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# Words a question uses for its grammar, not its subject (commit-message English too).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "fix",
        "fixed",
        "fixes",
        "fixing",
        "bug",
        "issue",
        "make",
        "makes",
        "made",
        "use",
        "used",
        "uses",
        "using",
        "also",
        "only",
        "just",
        "now",
        "new",
    ]
)
# What a path says about a file counts like a name it defines; references count less.
PATH_WEIGHT = 2
DEFINITION_WEIGHT = 2
MAX_REFERENCE_COUNT = 3


@lru_cache(maxsize=200_000)
def split_name(name: str) -> tuple[str, ...]:
    """`add_url_rule` -> (add, url, rule); `getHTTPResponse` -> (get, http, response)."""
    out: list[str] = []
    for token in _WORD.findall(name):
        # A plural acronym (`URLs`, `IDs`) is one word, not `UR` + `Ls`.
        parts = [token[:-1]] if _PLURAL_ACRONYM.fullmatch(token) else _PART.findall(token)
        for part in parts if len(parts) > 1 else (parts[0] if parts else token,):
            word = stem(part.lower())
            if len(word) > 1:
                out.append(word)
    return tuple(out)


def stem(word: str) -> str:
    """A light suffix strip so `redirects`/`redirected`/`redirecting` meet `redirect`."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)]
    return word


def question_terms(text: str) -> frozenset[str]:
    """The words of a question worth matching: split like names, minus stopwords."""
    return frozenset(w for w in split_name(text) if w not in STOPWORDS) if text else frozenset()


@lru_cache(maxsize=100_000)
def _text_words(text: str) -> tuple[str, ...]:
    # Cached: signatures and docs repeat across a project (`def __init__(self)`,
    # `def setUp(self)`, a docstring copied into each subclass).
    words: list[str] = []
    for token in _WORD.findall(text):
        words.extend(split_name(token))
    return tuple(words)


def file_terms(ft: FileTags) -> Counter[str]:
    """The bag of words one file contributes to the index.

    Each word goes into one list as often as it counts (a definition's name twice) and
    the list is counted once, in C: the words index of a 20k-file project was ~5 s of
    adding words one by one (issue 16). Same counts, same first-seen order."""
    words: list[str] = []
    add = words.extend
    for word in _text_words(ft.path.rsplit(".", 1)[0]):
        add((word,) * PATH_WEIGHT)
    for tag in ft.definitions:
        named = split_name(tag.name)
        for _ in range(DEFINITION_WEIGHT):
            add(named)
        if tag.signature:
            add(_text_words(tag.signature))
        if tag.doc:
            add(_text_words(tag.doc))
    for reference, count in ft.references.items():
        weight = min(count, MAX_REFERENCE_COUNT)
        for word in split_name(reference):
            add((word,) * weight)
    return Counter(words)


# From this many postings an index is built with numpy's sort (see `_add_all`; numpy is
# loaded for big graphs anyway): below it the appends cost less than loading numpy.
BULK_MIN_POSTINGS = 50_000


class LexicalIndex:
    """BM25 postings of every file, kept in step with the map's files.

    Terms and paths are interned to ids and each term's postings are two arrays (files,
    counts) in the order the files were added: a dict per term and an entry per posting
    were ~70 MB of a 20k-file project's worker (issue 16). Same scores as that layout,
    summed in the same order."""

    def __init__(
        self, files: Mapping[str, FileTags], counted: Mapping[str, Counter[str]] | None = None
    ) -> None:
        """`counted`: words of some files counted before (stored with the cache), used
        instead of counting their tags again."""
        self._tid: dict[str, int] = {}  # term -> id
        self._words: list[str] = []  # id -> term
        self._fid: dict[str, int] = {}  # path -> id (kept when the file goes)
        self._paths: list[str] = []  # id -> path
        self._post_files: list[array[int]] = []  # term id -> file ids, in order added
        self._post_counts: list[array[int]] = []  # term id -> their counts
        # file id -> its terms' ids and counts, in the order counted (what `terms_of`
        # gives back, and what removing the file takes out of the postings)
        self._terms: dict[int, tuple[array[int], array[int]]] = {}
        self._lengths: dict[int, int] = {}  # file id -> its number of words
        self._total = 0
        known = counted or {}
        every: list[tuple[str, Mapping[str, int]]] = []
        for path in files:
            found = known.get(path)
            every.append((path, file_terms(files[path]) if found is None else found))
        if sum(len(terms) for _, terms in every) >= BULK_MIN_POSTINGS:
            self._add_all(every)
        else:
            for path, terms in every:
                self._add_terms(path, terms)

    def _add_all(self, every: list[tuple[str, Mapping[str, int]]]) -> None:
        """`_add_terms` of each file into an empty index, the postings made at the end
        by one stable sort (numpy): the same arrays, without an append per posting (1.2M
        on 20k files)."""
        import numpy as np

        tid = self._tid
        get_id = tid.__getitem__
        for path, terms in every:
            if not terms.keys() <= tid.keys():  # new words (most files have none)
                for term in terms:
                    if term not in tid:
                        tid[term] = len(tid)
            self._record(path, array("i", map(get_id, terms)), array("i", terms.values()))
        self._words = list(tid)  # ids were given in insertion order
        entries = list(self._terms.values())
        fids = np.array(list(self._terms), dtype=np.int32)
        flat_ids = np.frombuffer(b"".join([ids.tobytes() for ids, _ in entries]), np.int32)
        flat_counts = np.frombuffer(b"".join([c.tobytes() for _, c in entries]), np.int32)
        flat_fids = np.repeat(fids, [len(ids) for ids, _ in entries])
        order = np.argsort(flat_ids, kind="stable")  # a term's files stay in order added
        sizes = np.bincount(flat_ids, minlength=len(self._words)).astype(np.int32).tobytes()
        self._post_files = split_array("i", flat_fids[order].astype(np.int32).tobytes(), sizes)
        self._post_counts = split_array("i", flat_counts[order].tobytes(), sizes)

    def terms_of(self, path: str) -> Counter[str] | None:
        """The words counted for `path` (to store them), or None."""
        fid = self._fid.get(path)
        found = self._terms.get(fid) if fid is not None else None
        if found is None:
            return None
        words = self._words
        return Counter(dict(zip([words[t] for t in found[0]], found[1], strict=True)))

    def _add(self, path: str, ft: FileTags) -> None:
        self._add_terms(path, file_terms(ft))

    def _file_id(self, path: str) -> int:
        fid = self._fid.get(path)
        if fid is None:
            fid = self._fid[path] = len(self._paths)
            self._paths.append(path)
        return fid

    def _record(self, path: str, ids: array[int], counts: array[int]) -> None:
        """Keep a file's terms (ids, counts) and its length."""
        fid = self._file_id(path)
        self._terms[fid] = (ids, counts)
        length = sum(counts)
        self._lengths[fid] = length
        self._total += length

    def _add_terms(self, path: str, terms: Mapping[str, int]) -> None:
        fid = self._file_id(path)
        ids = array("i")
        counts = array("i", terms.values())
        tid, words = self._tid, self._words
        post_files, post_counts = self._post_files, self._post_counts
        for term, count in zip(terms, counts, strict=True):
            found = tid.get(term)
            if found is None:
                found = tid[term] = len(words)
                words.append(term)
                post_files.append(array("i", (fid,)))
                post_counts.append(array("i", (count,)))
            else:
                post_files[found].append(fid)
                post_counts[found].append(count)
            ids.append(found)
        self._record(path, ids, counts)

    def _remove(self, path: str) -> None:
        fid = self._fid.get(path)
        found = self._terms.pop(fid, None) if fid is not None else None
        if fid is None or found is None:
            return
        self._total -= self._lengths.pop(fid)
        for term in found[0]:
            files = self._post_files[term]
            k = files.index(fid)
            del files[k]
            del self._post_counts[term][k]

    def update(self, path: str, ft: FileTags | None) -> None:
        self._remove(path)
        if ft is not None:
            self._add(path, ft)

    def scores(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25 score of every file matching any of `terms` (others score 0)."""
        n = len(self._lengths)
        if not n:
            return {}
        avg = self._total / n or 1.0
        lengths, paths = self._lengths, self._paths
        out: dict[str, float] = {}
        for term in set(terms):
            tid = self._tid.get(term)
            if tid is None:
                continue
            files = self._post_files[tid]
            if not files:
                continue
            df = len(files)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for fid, tf in zip(files, self._post_counts[tid], strict=True):
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[fid] / avg))
                path = paths[fid]
                out[path] = out.get(path, 0.0) + idf * norm
        return out

    def parts(self) -> list[object]:
        """What `restored` needs (snapshot.py): the interned tables and the arrays, as
        bytes, in their orders."""
        fids = list(self._terms)
        return [
            self._words,
            self._paths,
            array("i", fids).tobytes(),
            array("i", [len(self._terms[f][0]) for f in fids]).tobytes(),
            b"".join([self._terms[f][0].tobytes() for f in fids]),
            b"".join([self._terms[f][1].tobytes() for f in fids]),
            array("q", [self._lengths[f] for f in fids]).tobytes(),
            array("i", map(len, self._post_files)).tobytes(),
            b"".join([a.tobytes() for a in self._post_files]),
            b"".join([a.tobytes() for a in self._post_counts]),
            self._total,
        ]

    @classmethod
    def restored(cls, paths: Iterable[str], parts: list[Any]) -> LexicalIndex:
        """The index `parts` describes, which must be of `paths` (in order): ValueError
        when it is not."""
        (words, all_paths, fids, sizes, ids, counts, lengths, post_sizes, post_files,
         post_counts, total) = parts  # fmt: skip
        self = cls.__new__(cls)
        self._words, self._paths = list(words), list(all_paths)
        self._tid = {word: i for i, word in enumerate(self._words)}
        self._fid = {path: i for i, path in enumerate(self._paths)}
        order = array_of("i", fids)
        if [self._paths[f] for f in order] != list(paths):
            raise ValueError("a words index of other files")
        self._terms = dict(
            zip(
                order,
                zip(split_array("i", ids, sizes), split_array("i", counts, sizes), strict=True),
                strict=True,
            )
        )
        self._lengths = dict(zip(order, array_of("q", lengths), strict=True))
        self._post_files = split_array("i", post_files, post_sizes)
        self._post_counts = split_array("i", post_counts, post_sizes)
        if len(self._post_files) != len(self._words) or not isinstance(total, int):
            raise ValueError("a damaged words index")
        self._total = total
        return self


def encode_terms(terms: Counter[str]) -> bytes:
    """A file's words for the cache (their order kept: postings are made in it)."""
    return marshal.dumps(list(terms.items()))


def decode_terms(blob: bytes) -> Counter[str]:
    pairs: list[tuple[str, int]] = marshal.loads(blob)
    return Counter(dict(pairs))
