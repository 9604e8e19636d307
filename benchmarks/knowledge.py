"""Knowledge base and team store timings.

Local notes: N generated Markdown notes in `.coda/knowledge/`: the cold index build, the
refresh before each question when nothing changed and when one note changed, and
`relevant()` (refresh + BM25 search + budget fit) per question.

Team store (skipped without PostgreSQL binaries): a throwaway server
(tests/support/postgres.py); session search over M messages on SQLite FTS5 vs PostgreSQL
(the same queries), team-note passages per question, and pushing a 200-message session.

    python benchmarks/knowledge.py [--notes 500] [--messages 20000] [--questions 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_VOCABULARY = """
deploy rollback release cache database migration payments invoice customer discount
queue worker retry timeout latency metrics alert pager oncall staging production
token secret rotate vault config feature flag schema index search ranking budget
review refactor test fixture mock server client socket thread lock batch stream
"""
WORDS = _VOCABULARY.split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _note(rng: random.Random, n: int) -> str:
    parts = [f"# Note {n} {_text(rng, 3)}\n"]
    for section in range(6):
        parts.append(f"## Section {section} {_text(rng, 2)}\n")
        for _ in range(2):
            parts.append(_text(rng, 40) + ".\n")
    return "\n".join(parts)


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _row(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"| {name} | {statistics.median(samples):.2f} | {p95:.2f} | {len(samples)} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="coda-kb-bench-"))
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    os.environ["XDG_CONFIG_HOME"] = str(work / "config")

    from coda_ls.config import Settings
    from coda_ls.knowledge import KnowledgeBase
    from coda_ls.tokens import count_tokens

    root = work / "project"
    notes = root / ".coda" / "knowledge"
    notes.mkdir(parents=True)
    for n in range(args.notes):
        (notes / f"note-{n}.md").write_text(_note(rng, n), encoding="utf-8")
    questions = [f"how do we {_text(rng, 6)}?" for _ in range(args.questions)]
    count_tokens("warm the tokenizer")

    kb = KnowledgeBase(root, Settings())
    cold = _timed(kb.refresh, 1)[0]
    rows = [f"| cold index build ({args.notes} notes) | {cold:.1f} | | 1 |"]
    rows.append(_row("refresh, nothing changed", _timed(kb.refresh, 50)))

    def touch_one() -> None:
        path = notes / f"note-{rng.randrange(args.notes)}.md"
        path.write_text(_note(rng, 0), encoding="utf-8")
        kb.refresh()

    rows.append(_row("refresh, one note changed", _timed(touch_one, 30)))
    it = iter(questions * 2)
    rows.append(
        _row(
            "relevant(question, 800 tokens)",
            _timed(lambda: kb.relevant(next(it), 800), len(questions)),
        )
    )
    chosen = [kb.relevant(q, 800) for q in questions[:50]]
    avg_passages = statistics.mean(len(c.passages) for c in chosen)
    max_tokens = max(c.tokens for c in chosen)
    kb.close()

    print("| local knowledge | median ms | p95 ms | runs |")
    print("| --- | --- | --- | --- |")
    print("\n".join(rows))
    print(
        f"\npassages per question at 800 tokens: {avg_passages:.1f} on average, "
        f"largest block {max_tokens} tokens"
    )

    from tests.support.postgres import PostgresServer, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("\nPostgreSQL binaries not found: team store timings skipped")
        return
    from coda_ls.sessions import SessionStore
    from coda_ls.team.store import TeamStore
    from coda_ls.team.sync import copy_session

    server = PostgresServer(bin_dir).start()
    try:
        store = SessionStore(work / "sessions.db")
        team = TeamStore(server.url())
        per_session = 200
        sessions = []
        for s in range(args.messages // per_session):
            session = store.create_session(f"s{s}")
            sessions.append(session.id)
            for _ in range(per_session):
                store.add_message(session.id, "user", _text(rng, 30))
        start = time.perf_counter()
        copy_session(store, team, sessions[0])
        push_ms = (time.perf_counter() - start) * 1000
        for sid in sessions[1:]:
            copy_session(store, team, sid)
        for n in range(args.notes):
            team.put_note(f"note-{n}", f"Note {n}", (notes / f"note-{n}.md").read_text())
        queries = [
            "deploy",
            "rollback release",
            '"payments invoice"',
            "cache OR queue",
            "migrat*",
            "token NOT secret",
        ]
        rows = []
        for query in queries:
            local = _timed(lambda q=query: store.search(q, 20), 20)  # type: ignore[misc]
            remote = _timed(lambda q=query: team.search(q, 20), 20)  # type: ignore[misc]
            rows.append(
                f"| `{query}` | {statistics.median(local):.1f} | {statistics.median(remote):.1f} |"
            )
        print(
            f"\n| session search, {args.messages} messages "
            "| SQLite FTS5 median ms | PostgreSQL median ms |"
        )
        print("| --- | --- | --- |")
        print("\n".join(rows))
        from coda_ls.knowledge.query import question_terms

        it2 = iter(questions * 2)
        print("\n| team store | median ms | p95 ms | runs |")
        print("| --- | --- | --- | --- |")
        print(
            _row(
                "team-note passages per question",
                _timed(lambda: team.knowledge_passages(question_terms(next(it2)), 24), 100),
            )
        )
        print(f"| push of a {per_session}-message session (first time) | {push_ms:.0f} | | 1 |")
        print(
            _row(
                "push again, nothing new",
                _timed(lambda: copy_session(store, team, sessions[0]), 10),
            )
        )
        team.close()
        store.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
