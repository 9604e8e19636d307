"""From a question to a full-text query: its words minus stop words, any of them.

Questions are prose ("how do we roll back a failed deploy?"): matching all words would
find nothing, so the words are OR-ed and BM25 ranks passages that share more (and rarer)
words first. Stop words are dropped so "how", "do", "we" do not pull in every note.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*", re.UNICODE)

_STOP = """
    a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't
    do does doesn't doing don't down during each either else ever every few for from further
    get gets got had hadn't has hasn't have haven't having he her here hers herself him himself
    his how i i'd i'll i'm i've if in into is isn't it it's its itself just let let's like
    may me might more most must mustn't my myself need no nor not now of off on once only or
    other ought our ours ourselves out over own please same shall shan't she should shouldn't
    so some such than that that's the their theirs them themselves then there there's these
    they this those through to too under until up upon us use used using very want was wasn't
    we were weren't what what's when where which while who whom why will with won't would
    wouldn't yes yet you your yours yourself yourselves tell explain show give make way ways
    thing things know one two
"""
STOP_WORDS = frozenset(_STOP.split())
MAX_TERMS = 24  # a pasted stack trace must not become a 500-term query


def question_terms(question: str) -> list[str]:
    """The distinct content words of a question, lower-cased, in order of appearance."""
    seen: dict[str, None] = {}
    for raw in _WORD.findall(question):
        word = raw.lower()
        if len(word) < 2 or word in STOP_WORDS or word.isdigit():
            continue
        seen.setdefault(word, None)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


def fts_query(question: str) -> str | None:
    """An FTS5 query matching passages with any of the question's content words (each
    quoted, so no word is read as an operator); None when no word is left."""
    terms = question_terms(question)
    if not terms:
        return None
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
