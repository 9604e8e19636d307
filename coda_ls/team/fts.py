"""Session search queries for PostgreSQL with the semantics of the SQLite store's FTS5.

Users type FTS5 syntax (`coda sessions search`): words (all must match), "phrases",
prefix*, AND / OR / NOT and parentheses, and a malformed query is searched as its plain
words. To answer the same on the team store:

1. SQLite itself says whether the query is valid FTS5 (an in-memory FTS5 table; no
   re-implementation of its grammar's corner cases). Invalid: the query becomes its
   words, each quoted — exactly what `sessions.search` falls back to.
2. The valid query is parsed with FTS5's precedence — juxtaposed phrases (implicit AND)
   bind tightest, then NOT, AND, OR — and compiled to a tsquery expression: each phrase
   through `websearch_to_tsquery` (quoted, so it is a phrase and never an operator), a
   prefix through `to_tsquery('…':*)`, joined with `&&`, `||` and `&& !!`.

Text is matched with the `coda` configuration (schema.py): the English Snowball stemmer
without a stop-word list, as FTS5's `porter unicode61` keeps every word. NEAR groups,
column filters and `^`/`+` are FTS5-only: such a query is searched as its words.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache

from coda_ls.sessions.search import quote_terms

TS_CONFIG = "coda"
_BAREWORD = re.compile(r"[\w\u0080-\U0010ffff\x1a]+")
_WORDS = re.compile(r"[^\W_]+")


class Unsupported(ValueError):
    """Valid FTS5 that has no tsquery counterpart here (NEAR, column filters, ^, +)."""


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Op:
    op: str  # "AND", "OR", "NOT"
    left: Node
    right: Node


Node = Term | Op


@lru_cache(maxsize=1)
def _oracle() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    # The column is named like the session store's, so the same column filter is valid.
    conn.execute("CREATE VIRTUAL TABLE q USING fts5(content, tokenize='porter unicode61')")
    return conn


def fts5_accepts(query: str) -> bool:
    """Whether SQLite's FTS5 parses `query` (the session store's first attempt)."""
    try:
        _oracle().execute("SELECT count(*) FROM q WHERE q MATCH ?", (query,)).fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def _tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text): kind is PHRASE, WORD, OP, LP, RP or STAR."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = i + 1
            text = []
            while end < len(query):
                if query[end] == '"':
                    if query[end + 1 : end + 2] == '"':
                        text.append('"')
                        end += 2
                        continue
                    break
                text.append(query[end])
                end += 1
            out.append(("PHRASE", "".join(text)))
            i = end + 1
        elif ch in "()":
            out.append(("LP" if ch == "(" else "RP", ch))
            i += 1
        elif ch == "*":
            out.append(("STAR", ch))
            i += 1
        elif match := _BAREWORD.match(query, i):
            word = match.group(0)
            if word in ("AND", "OR", "NOT"):
                out.append(("OP", word))
            elif word == "NEAR" and query[match.end() : match.end() + 1] == "(":
                raise Unsupported("NEAR")
            else:
                out.append(("WORD", word))
            i = match.end()
        else:
            raise Unsupported(ch)  # : ^ + and the like
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise Unsupported("trailing input")
        return node

    def binary(self, op: str, operand: str) -> Node:
        node: Node = getattr(self, operand)()
        while self.peek() == ("OP", op):
            self.pos += 1
            node = Op(op, node, getattr(self, operand)())
        return node

    def or_(self) -> Node:
        return self.binary("OR", "and_")

    def and_(self) -> Node:
        return self.binary("AND", "not_")

    def not_(self) -> Node:
        return self.binary("NOT", "juxtaposed")

    def juxtaposed(self) -> Node:
        token = self.peek()
        if token is not None and token[0] == "LP":
            self.pos += 1
            node = self.or_()
            if self.peek() != ("RP", ")"):
                raise Unsupported("unbalanced")
            self.pos += 1
            return node
        node = self.phrase()
        while (token := self.peek()) is not None and token[0] in ("PHRASE", "WORD"):
            node = Op("AND", node, self.phrase())
        return node

    def phrase(self) -> Term:
        token = self.peek()
        if token is None or token[0] not in ("PHRASE", "WORD"):
            raise Unsupported("expected a phrase")
        self.pos += 1
        prefix = self.peek() == ("STAR", "*")
        if prefix:
            self.pos += 1
        return Term(token[1], prefix)


def parse(query: str) -> Node | None:
    """The query as FTS5 would read it (its words when FTS5 rejects it); None when
    nothing is left to search."""
    if not query.strip():
        return None
    if fts5_accepts(query):
        try:
            return _Parser(_tokens(query)).parse()
        except Unsupported:
            pass
    literal = quote_terms(query)
    if not literal.strip('" '):
        return None
    return _Parser(_tokens(literal)).parse()


def compile_tsquery(node: Node, params: dict[str, str]) -> str:
    """A SQL expression of type tsquery for `node`; bind values go into `params`."""
    if isinstance(node, Term):
        name = f"q{len(params)}"
        words = _WORDS.findall(node.text)
        if node.prefix and words:
            # to_tsquery syntax: each word a quoted lexeme, the last one a prefix.
            params[name] = " <-> ".join(f"'{w}'" for w in words) + ":*"
            return f"to_tsquery('{TS_CONFIG}', :{name})"
        params[name] = '"' + " ".join(words) + '"'
        return f"websearch_to_tsquery('{TS_CONFIG}', :{name})"
    left = compile_tsquery(node.left, params)
    right = compile_tsquery(node.right, params)
    if node.op == "NOT":
        return f"({left} && !!{right})"
    return f"({left} {'&&' if node.op == 'AND' else '||'} {right})"


def to_sql(query: str) -> tuple[str, dict[str, str]] | None:
    """(tsquery SQL expression, bind parameters) for a user's query, or None."""
    node = parse(query)
    if node is None:
        return None
    params: dict[str, str] = {}
    return compile_tsquery(node, params), params
