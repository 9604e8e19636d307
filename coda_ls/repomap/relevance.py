"""One ranking from two signals: the reference graph (what the project's code depends on,
personalized toward what the question points at) and the question's words (BM25 over
the files), with what a path and a name say before either (tests, builtin names).

Fused per definition:  (graph / best graph + LEXICAL_WEIGHT * words) * prior, where
`words` is the file's BM25 relative to the best file, more for a definition whose own
name the question uses, and less for each further definition of the same file (one file
matching every word must not fill the map alone).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from coda_ls.repomap.evidence import (
    COMMON_NAMES,
    ROLE_FACTOR,
    definition_role,
    path_role,
    roles_pointed_at,
)
from coda_ls.repomap.lexical import question_terms, split_name
from coda_ls.repomap.model import FileTags, Tag

LEXICAL_WEIGHT = 3.0  # measured: benchmarks/localization.py, 1.0 to 4.0
RELATED_FILES = 10  # files whose words match best personalize PageRank
RELATED_WEIGHT = 30.0  # personalization of the best-matching file (focus is 100)
RELATED_MIN = 0.3  # relative BM25 below which a file is not personalized
LEXICAL_CANDIDATES = 40  # best-matching files whose definitions join the candidates
PER_FILE = 12  # definitions of one matching file considered
COMMON_DEFINITION = 0.1  # a definition named like a builtin (`def list`, `def super`)
# Kinds a reader of an overview looks for first: the types a project is built of.
TYPE_KINDS = frozenset({"class", "struct", "interface", "trait", "enum", "type", "module"})
TYPE_FACTOR = 1.5
# A type named after its module or package (`Template` in django/template/base.py,
# `HttpRequest` in django/http/request.py, `Blueprint` in blueprints.py) is its center.
NAMESAKE_FACTOR = 1.5
MEMBERS = 2  # overview: members shown with their type
MEMBER_SHARE = 0.6  # ... ranked at this share of the type's score (halved for the 2nd)
USAGE_WEIGHT = 0.5  # overview: how widely a name is used, beside its graph rank
OVERVIEW_CANDIDATES = 8  # x the entries shown: graph ranks an overview re-scores


def usage(files: Mapping[str, FileTags]) -> dict[str, float]:
    """How many files use each defined name (tests and examples counting less): the
    breadth PageRank blurs, since it splits a file's vote among everything it uses."""
    return usage_of(
        (path, [tag.name for tag in ft.definitions], ft.references) for path, ft in files.items()
    )


def usage_of(files: Iterable[tuple[str, Collection[str], Collection[str]]]) -> dict[str, float]:
    """`usage` of (path, defined names, referenced names) per file, in the files' order."""
    from coda_ls.repomap.evidence import ROLE_SOURCE_FACTOR

    items = list(files)
    defined = {name for _, names, _ in items for name in names}
    out: dict[str, float] = {}
    for path, _, references in items:
        role = path_role(path)
        weight = ROLE_SOURCE_FACTOR[role] if role is not None else 1.0
        for name in defined.intersection(references):
            out[name] = out.get(name, 0.0) + weight
    return out


@dataclass(frozen=True, slots=True)
class Question:
    """What a request tells the map beyond focused and mentioned files."""

    text: str
    terms: frozenset[str]  # split, stemmed words minus stopwords
    code_idents: frozenset[str]  # identifiers written as code (boosted in the graph)
    roles: frozenset[str]  # test/example/... roles the question or its files point at


_CODE_LIKE = re.compile(r"[a-z][A-Z]|_|[A-Z].*[A-Z]|\d")


def classify(
    text: str | None, idents: Collection[str], paths: Collection[str] = ()
) -> Question | None:
    """The question, with its identifiers sorted into code and plain words.

    An identifier counts as code when written like code (`snake_case`, `camelCase`,
    `CamelCase` beyond the first letter, digits), between backticks, called (`name(`),
    qualified (`a.name`), or capitalized in the middle of a sentence. A plain English word
    (`request`, `list`, `redirect`) is matched by the words, not boosted as a name."""
    if text is None:
        return None
    code: set[str] = set()
    for ident in idents:
        if ident not in text:
            code.add(ident)  # an @symbol or an identifier given outside the text
            continue
        if _CODE_LIKE.search(ident.lstrip("_")) or ident.startswith("_"):
            code.add(ident)
            continue
        escaped = re.escape(ident)
        marked = rf"`[^`]*\b{escaped}\b[^`]*`|\b{escaped}\(|\.{escaped}\b|\b{escaped}\."
        if re.search(marked, text):
            code.add(ident)
        elif ident[0].isupper() and re.search(rf"[\w,;:)] +{escaped}\b", text):
            code.add(ident)  # capitalized after a word: a name, not a sentence's start
    terms = question_terms(text)
    return Question(text, terms, frozenset(code), roles_pointed_at(terms, frozenset(paths)))


@lru_cache(maxsize=65536)
def _name_terms(name: str) -> frozenset[str]:
    return frozenset(split_name(name))


def related_files(lexical: Mapping[str, float]) -> dict[str, float]:
    """Personalization for the files a question's words match best."""
    if not lexical:
        return {}
    best = max(lexical.values())
    top = sorted(lexical.items(), key=lambda item: (-item[1], item[0]))[:RELATED_FILES]
    return {
        path: RELATED_WEIGHT * score / best for path, score in top if score >= RELATED_MIN * best
    }


def prior(tag: Tag, roles: frozenset[str], mentioned: frozenset[str], overview: bool) -> float:
    """What a definition's path, name and kind say before any reference is counted."""
    factor = 1.0
    # A Rust file's own `mod tests` is noise in an overview, but for a question its tests'
    # words are evidence for the code in the same file (ripgrep's fix commits: hit@5 87% ->
    # 83% when they counted less there too).
    role = definition_role(tag.path, tag.qualname) if overview else path_role(tag.path)
    if role is not None and role not in roles:
        factor *= ROLE_FACTOR[role]
    if tag.name in COMMON_NAMES and tag.name not in mentioned:
        factor *= COMMON_DEFINITION
    if overview and tag.kind in TYPE_KINDS:
        factor *= TYPE_FACTOR
        if _name_terms(tag.name) <= _path_terms(tag.path):
            factor *= NAMESAKE_FACTOR
    return factor


@lru_cache(maxsize=65536)
def _path_terms(path: str) -> frozenset[str]:
    return frozenset(split_name(path.rsplit(".", 1)[0]))


def fuse(
    ranked: list[tuple[float, Tag]],
    definitions: Mapping[str, tuple[Tag, ...]],
    lexical: Mapping[str, float],
    question: Question,
    roles: frozenset[str],
    limit: int | None,
) -> list[tuple[float, Tag]]:
    """The graph's ranking and the words' ranking as one, best first.

    `ranked` is the graph's (best first, possibly cut), `definitions` every file's
    definitions (for files the words match that the graph's cut left out). Tags are
    keyed by identity: they are the same objects in both (hashing a Tag is slow)."""
    mentioned = question.code_idents
    best_graph = ranked[0][0] if ranked and ranked[0][0] > 0 else 1.0
    graph: dict[int, float] = {id(tag): score / best_graph for score, tag in ranked}
    candidates: dict[int, Tag] = {id(tag): tag for _, tag in ranked}
    words: dict[int, float] = {}
    if lexical:
        best = max(lexical.values())
        top = sorted(lexical.items(), key=lambda item: (-item[1], item[0]))
        terms = question.terms

        def match(tag: Tag) -> float:
            names = _name_terms(tag.name)
            return len(names & terms) / len(names) if names else 0.0

        for path, score in top[:LEXICAL_CANDIDATES]:
            relative = score / best
            tags = definitions.get(path, ())
            chosen = sorted(tags, key=lambda t: (-match(t), -graph.get(id(t), 0.0), t.line))
            for i, tag in enumerate(chosen[:PER_FILE]):
                words[id(tag)] = relative * (0.5 + 0.5 * match(tag)) / (1 + i)
                candidates[id(tag)] = tag
    scored: list[tuple[float, Tag]] = []
    for key, tag in candidates.items():
        value = graph.get(key, 0.0) + LEXICAL_WEIGHT * words.get(key, 0.0)
        scored.append((value * prior(tag, roles, mentioned, False), tag))
    scored.sort(key=_order)
    return scored[:limit] if limit is not None else scored


def overview(
    ranked: list[tuple[float, Tag]],
    usage: Mapping[str, float],
    roles: frozenset[str],
    limit: int | None,
) -> list[tuple[float, Tag]]:
    """The map with no question: the project's core types first, each with its most used
    members. A type scores its own graph rank plus its members' (a class whose methods
    the project calls everywhere, `QuerySet.filter`, is a core abstraction even where its
    own name is rarely written) and how widely it and its members are used."""
    best = ranked[0][0] if ranked and ranked[0][0] > 0 else 1.0
    member_rank: dict[tuple[str, str], float] = {}
    member_use: dict[tuple[str, str], float] = {}
    get_use = usage.get
    for score, tag in ranked:
        if tag.parent is not None:
            key = (tag.path, tag.parent)
            member_rank[key] = member_rank.get(key, 0.0) + score
            if tag.name not in COMMON_NAMES:
                member_use[key] = member_use.get(key, 0.0) + get_use(tag.name, 0.0)
    top = math.log1p(max(usage.values(), default=0.0)) or 1.0
    log1p = math.log1p
    scored: list[tuple[float, Tag]] = []
    for score, tag in ranked:
        used = get_use(tag.name, 0.0)
        if tag.kind in TYPE_KINDS:
            key = (tag.path, tag.qualname)
            score += member_rank.get(key, 0.0)
            used += member_use.get(key, 0.0)
        value = score / best + USAGE_WEIGHT * log1p(used) / top
        scored.append((value * prior(tag, roles, frozenset(), True), tag))
    scored = _members_follow(scored)
    scored.sort(key=_order)
    return scored[:limit] if limit is not None else scored


def _order(item: tuple[float, Tag]) -> tuple[float, str, int, str]:
    return -item[0], item[1].path, item[1].line, item[1].qualname


def _members_follow(scored: list[tuple[float, Tag]]) -> list[tuple[float, Tag]]:
    """The best MEMBERS of each type rank just after it (shown under it), not after
    every other type."""
    types = {(t.path, t.qualname): s for s, t in scored if t.kind in TYPE_KINDS}
    best: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i, (score, tag) in enumerate(scored):
        if tag.parent is not None and tag.name not in COMMON_NAMES:  # no `__init__`
            key = (tag.path, tag.parent)
            if key in types:
                best.setdefault(key, []).append((score, i))
    out = list(scored)
    for key, members in best.items():
        members.sort(key=lambda item: (-item[0], scored[item[1]][1].line))
        for rank, (score, i) in enumerate(members[:MEMBERS]):
            out[i] = (max(score, types[key] * MEMBER_SHARE / (1 + rank)), scored[i][1])
    return out
