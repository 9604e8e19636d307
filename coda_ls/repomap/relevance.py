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
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

from coda_ls.repomap.evidence import COMMON_NAMES, ROLE_FACTOR, path_role, roles_pointed_at
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


def usage(files: Mapping[str, FileTags]) -> dict[str, float]:
    """How many files use each defined name (tests and examples counting less): the
    breadth PageRank blurs, since it splits a file's vote among everything it uses."""
    from coda_ls.repomap.evidence import ROLE_SOURCE_FACTOR

    defined = {tag.name for ft in files.values() for tag in ft.definitions}
    out: dict[str, float] = {}
    for path, ft in files.items():
        role = path_role(path)
        weight = ROLE_SOURCE_FACTOR[role] if role is not None else 1.0
        for name in defined.intersection(ft.references):
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
    role = path_role(tag.path)
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
    question: Question | None,
    roles: frozenset[str],
    limit: int | None,
    usage: Mapping[str, float] | None = None,
) -> list[tuple[float, Tag]]:
    """The graph's ranking and the words' ranking as one, best first.

    `ranked` is the graph's (best first, possibly cut), `definitions` every file's
    definitions (for files the words match that the graph's cut left out)."""
    mentioned = question.code_idents if question is not None else frozenset()
    overview = question is None
    best_graph = ranked[0][0] if ranked and ranked[0][0] > 0 else 1.0
    graph: dict[Tag, float] = {tag: score / best_graph for score, tag in ranked}
    words: dict[Tag, float] = {}
    if lexical and question is not None:
        best = max(lexical.values())
        top = sorted(lexical.items(), key=lambda item: (-item[1], item[0]))
        terms = question.terms
        for path, score in top[:LEXICAL_CANDIDATES]:
            relative = score / best
            tags = definitions.get(path, ())
            matched = sorted(
                tags,
                key=lambda t: (
                    -len(_name_terms(t.name) & terms) / (len(_name_terms(t.name)) or 1),
                    -graph.get(t, 0.0),
                    t.line,
                ),
            )[:PER_FILE]
            for i, tag in enumerate(matched):
                names = _name_terms(tag.name)
                match = len(names & terms) / len(names) if names else 0.0
                words[tag] = relative * (0.5 + 0.5 * match) / (1 + i)
    spread: dict[Tag, float] = {}
    if overview:
        graph = _with_members(graph)
        if usage:
            top = math.log1p(max(usage.values()))
            spread = {t: math.log1p(_used(t, usage, definitions)) / top for t in graph}
    scored: list[tuple[float, Tag]] = []
    for tag in graph.keys() | words.keys():
        value = graph.get(tag, 0.0) + LEXICAL_WEIGHT * words.get(tag, 0.0)
        value += USAGE_WEIGHT * spread.get(tag, 0.0)
        scored.append((value * prior(tag, roles, mentioned, overview), tag))
    if overview:
        scored = _members_follow(scored)
    scored.sort(key=lambda item: (-item[0], item[1].path, item[1].line, item[1].qualname))
    return scored[:limit] if limit is not None else scored


def _members_follow(scored: list[tuple[float, Tag]]) -> list[tuple[float, Tag]]:
    """An overview shows a type with its most used members: the best MEMBERS of each type
    rank just after it (shown under it), not after every other type."""
    types = {(t.path, t.qualname): s for s, t in scored if t.kind in TYPE_KINDS}
    best: dict[tuple[str, str], list[tuple[float, Tag]]] = {}
    for score, tag in scored:
        if tag.parent is not None and (tag.path, tag.parent) in types:
            best.setdefault((tag.path, tag.parent), []).append((score, tag))
    lifted: dict[Tag, float] = {}
    for key, members in best.items():
        members.sort(key=lambda item: (-item[0], item[1].line))
        for i, (score, tag) in enumerate(members[:MEMBERS]):
            lifted[tag] = max(score, types[key] * MEMBER_SHARE / (1 + i))
    return [(lifted.get(tag, score), tag) for score, tag in scored]


def _used(tag: Tag, usage: Mapping[str, float], definitions: Mapping[str, tuple[Tag, ...]]) -> float:
    """How widely a definition is used; for a type, its own name and its members'."""
    used = usage.get(tag.name, 0.0)
    if tag.kind in TYPE_KINDS:
        for member in definitions.get(tag.path, ()):
            if member.parent == tag.qualname and member.name not in COMMON_NAMES:
                used += usage.get(member.name, 0.0)
    return used


def _with_members(graph: Mapping[Tag, float]) -> dict[Tag, float]:
    """Each type's score plus its members': a class whose methods the project calls
    everywhere (`QuerySet.filter`, `Blueprint.route`) is one of its core abstractions,
    even where its own name is rarely written."""
    members: dict[tuple[str, str], float] = {}
    for tag, score in graph.items():
        if tag.parent is not None:
            key = (tag.path, tag.parent)
            members[key] = members.get(key, 0.0) + score
    return {
        tag: score + members.get((tag.path, tag.qualname), 0.0) if tag.kind in TYPE_KINDS else score
        for tag, score in graph.items()
    }
