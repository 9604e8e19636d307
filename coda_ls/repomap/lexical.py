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
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

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


class LexicalIndex:
    """BM25 postings of every file, kept in step with the map's files."""

    def __init__(
        self, files: Mapping[str, FileTags], counted: Mapping[str, Counter[str]] | None = None
    ) -> None:
        """`counted`: words of some files counted before (stored with the cache), used
        instead of counting their tags again."""
        self._postings: dict[str, dict[str, int]] = {}
        self._lengths: dict[str, int] = {}
        self._terms: dict[str, Counter[str]] = {}
        self._total = 0
        known = counted or {}
        for path in files:
            terms = known.get(path)
            self._add_terms(path, file_terms(files[path]) if terms is None else terms)

    def terms_of(self, path: str) -> Counter[str] | None:
        """The words counted for `path` (to store them), or None."""
        return self._terms.get(path)

    def _add(self, path: str, ft: FileTags) -> None:
        self._add_terms(path, file_terms(ft))

    def _add_terms(self, path: str, terms: Counter[str]) -> None:
        self._terms[path] = terms
        length = sum(terms.values())
        self._lengths[path] = length
        self._total += length
        postings = self._postings
        for term, tf in terms.items():
            found = postings.get(term)
            if found is None:
                postings[term] = {path: tf}
            else:
                found[path] = tf

    def _remove(self, path: str) -> None:
        terms = self._terms.pop(path, None)
        if terms is None:
            return
        self._total -= self._lengths.pop(path)
        for term in terms:
            found = self._postings[term]
            del found[path]
            if not found:
                del self._postings[term]

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
        lengths = self._lengths
        out: dict[str, float] = {}
        for term in set(terms):
            postings = self._postings.get(term)
            if not postings:
                continue
            df = len(postings)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for path, tf in postings.items():
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[path] / avg))
                out[path] = out.get(path, 0.0) + idf * norm
        return out


def encode_terms(terms: Counter[str]) -> bytes:
    """A file's words for the cache (their order kept: postings are made in it)."""
    return marshal.dumps(list(terms.items()))


def decode_terms(blob: bytes) -> Counter[str]:
    pairs: list[tuple[str, int]] = marshal.loads(blob)
    return Counter(dict(pairs))
