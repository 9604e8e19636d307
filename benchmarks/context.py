"""Context assembly benchmark: everything the engine does before calling the provider.

A session database of 100k messages (as in benchmarks/sessions.py), a 100-message session,
and the repo map of a real project (this repository, or --root). Measures loading the
session's history, and building the full context (system prompt + project summary + repo
map + selection + @mention + history, all token-counted) with the map's ranking cached (a
follow-up question) and uncached (new identifiers in the question).

    python benchmarks/context.py [--messages 100000] [--root PATH]

Target: context assembly <= 20 ms, excluding the provider.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sessions import build, timed
from coda_ls.config import Settings
from coda_ls.context import CodeSelection
from coda_ls.engine import AskRequest, Engine, project_summary
from coda_ls.modes import get_mode
from coda_ls.repomap.repomap import RepoMap
from coda_ls.sessions import SessionStore


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    root = args.root.resolve()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "sessions.db")
        started = time.perf_counter()
        sessions = build(store, args.messages)
        print(f"built {args.messages:,} messages in {time.perf_counter() - started:.1f}s")
        repo_map = RepoMap(root, settings.repomap, cache_dir=Path(tmp) / "cache")
        started = time.perf_counter()
        repo_map.build()
        print(f"mapped {root} in {time.perf_counter() - started:.1f}s")
        engine = Engine(
            settings, root, store=store, repo_map=repo_map, project_summary=project_summary(root)
        )
        session = sessions[len(sessions) // 2]
        source = next(p for p in sorted(root.rglob("*.py")) if p.stat().st_size > 2000)
        selection = CodeSelection(source, 10, 40)
        mode = get_mode("chat")
        window = 131_072
        counter = iter(range(10**9))

        def history() -> object:
            return engine._history(session)

        def assemble(question: str) -> object:
            request = AskRequest(question=question, selection=selection, session_id=session)
            builder = engine._builder()
            return builder.build(
                mode,
                request.question,
                history=engine._history(session),
                selection=request.selection,
                window=window,
                reserved_output=2048,
            )

        def follow_up() -> object:
            return assemble("why does this function return early?")

        # Identifiers the project defines: each question re-ranks the map for new names.
        pool = sorted({t.name for t in repo_map.tags() if len(t.name) > 5})

        def new_question() -> object:
            i = next(counter) % (len(pool) - 1)
            return assemble(f"how is {pool[i]} used with {pool[i + 1]} here?")

        rows = [
            ("history of a 100-message session", *timed(history, args.repeat)),
            ("context, follow-up question (ranking cached)", *timed(follow_up, args.repeat)),
            ("context, new identifiers (ranking recomputed)", *timed(new_question, 10)),
        ]
        built = follow_up()
        stats = built.stats  # type: ignore[attr-defined]
        print(
            f"\ncontext: {stats.total:,} tokens (map {stats.map_tokens}, history "
            f"{stats.history_tokens}, files {stats.files_tokens}) in a {window:,} window\n"
        )
        print(f"{'operation':<48} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
        for name, median, p95, worst in rows:
            print(f"{name:<48} {median:>10.2f} {p95:>8.2f} {worst:>8.2f}")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
