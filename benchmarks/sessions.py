"""Session store benchmark: a database of 100k messages (1,000 sessions of 100 messages,
plus branches), then search latency, history loading and the cost of streaming writes.

    python benchmarks/sessions.py [--messages 100000] [--db PATH] [--keep]

Targets: search <= 50 ms, loading a session's history for context assembly <= 20 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from coda_ls.sessions import SessionStore

WORDS = [
    "function",
    "class",
    "module",
    "import",
    "return",
    "value",
    "error",
    "test",
    "parser",
    "config",
    "provider",
    "model",
    "stream",
    "token",
    "context",
    "session",
    "branch",
    "search",
    "index",
    "query",
    "cache",
    "build",
    "deploy",
    "server",
    "client",
    "request",
    "response",
    "async",
    "await",
    "thread",
    "process",
    "file",
    "path",
    "directory",
    "commit",
    "repository",
    "refactor",
    "review",
    "explain",
    "debug",
    "compile",
    "runtime",
    "exception",
    "traceback",
    "memory",
    "performance",
    "latency",
    "database",
    "schema",
    "migration",
    "transaction",
    "lock",
]
RARE = ["xylophone", "quasar", "zeppelin", "marzipan", "obsidian"]


def _text(rng: random.Random, length: int) -> str:
    words = [rng.choice(WORDS) for _ in range(length)]
    if rng.random() < 0.001:
        words[rng.randrange(length)] = rng.choice(RARE)
    return " ".join(words)


def build(store: SessionStore, messages: int, per_session: int = 100) -> list[str]:
    """Fill the store with `messages` messages; returns the session ids."""
    rng = random.Random(7)
    sessions: list[str] = []
    now = time.time()
    conn = store._db.conn  # bulk load in one transaction: the API's per-write commit is
    conn.execute("BEGIN IMMEDIATE")  # measured separately below
    for start in range(0, messages, per_session):
        session = f"{rng.getrandbits(128):032x}"
        sessions.append(session)
        conn.execute(
            "INSERT INTO sessions (id, title, project_root, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (session, _text(rng, 5), "/work/project", now, now),
        )
        rows = []
        for index in range(min(per_session, messages - start)):
            role = "user" if index % 2 == 0 else "assistant"
            length = 20 if role == "user" else 120
            rows.append((session, role, _text(rng, length), "ollama", "qwen", 500, 120, now))
        conn.executemany(
            "INSERT INTO messages (session_id, role, content, provider, model, input_tokens, "
            "output_tokens, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, row[-1]) for row in rows],
        )
    conn.execute("COMMIT")
    return sessions


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(median, p95, max) in milliseconds."""
    fn()  # warm the page cache
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], samples[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="Reuse or create this database file.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary database.")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="coda-bench-"))
    path = args.db or workdir / "sessions.db"
    store = SessionStore(path)
    count = store._db.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    if count < args.messages:
        started = time.perf_counter()
        build(store, args.messages - count)
        print(f"built {args.messages:,} messages in {time.perf_counter() - started:.1f} s")
    count = store._db.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    size = path.stat().st_size / 2**20
    print(f"database: {path} ({count:,} messages, {size:.0f} MB)\n")

    sessions = [s.id for s in store.list_sessions(limit=None)]
    target = sessions[len(sessions) // 2]
    ids = [m.id for m in store.history(target)]
    branch = store.fork(target, ids[60], title="bench branch")
    for index in range(40):
        store.add_message(branch.id, "user", f"branch message {index} about the parser")
    deeper = store.fork(branch.id, title="deeper")
    for index in range(20):
        store.add_message(deeper.id, "user", f"deeper message {index}")

    rows: list[tuple[str, str, tuple[float, float, float], float]] = []
    queries = {
        "rare word (xylophone)": "xylophone",
        "two common words": "parser token",
        "phrase": '"stream token"',
        "prefix (migr*)": "migr*",
        "very common word": "function",
        'malformed (foo")': 'parser"',
    }
    for label, query in queries.items():

        def run(query: str = query) -> object:
            return store.search(query)

        hits = len(store.search(query))
        rows.append((f"search: {label}", f"{hits} hits", timed(run, 30), 50.0))
    rows.append(
        (
            "history: 100-message session",
            f"{len(store.history(target))} msgs",
            timed(lambda: store.history(target), 50),
            20.0,
        )
    )
    rows.append(
        (
            "history: branch of a branch",
            f"{len(store.history(deeper.id))} msgs",
            timed(lambda: store.history(deeper.id), 50),
            20.0,
        )
    )
    rows.append(
        (
            "history -> provider Messages",
            "100 msgs",
            timed(lambda: [m.to_message() for m in store.history(target)], 50),
            20.0,
        )
    )
    rows.append(("list_sessions(50)", "", timed(lambda: store.list_sessions(50), 30), 0.0))
    rows.append(
        (
            "add_message (one commit)",
            "",
            timed(lambda: store.add_message(deeper.id, "user", "x y z"), 100),
            0.0,
        )
    )

    def stream(interval: float) -> None:
        reply = store.start_reply(deeper.id, flush_interval=interval)
        for _ in range(200):  # ~200 tokens of a reply
            reply.append(" token")
        reply.finish()

    rows.append(("stream 200 deltas, flush every delta", "", timed(lambda: stream(0.0), 5), 0.0))
    rows.append(("stream 200 deltas, flush every 0.5 s", "", timed(lambda: stream(0.5), 5), 0.0))

    print(f"{'operation':44} {'result':>10} {'median':>9} {'p95':>9} {'max':>9}  target")
    failed = False
    for label, result, (median, p95, worst), target_ms in rows:
        verdict = ""
        if target_ms:
            ok = p95 <= target_ms
            failed |= not ok
            verdict = f"<= {target_ms:.0f} ms {'ok' if ok else 'MISSED'}"
        print(f"{label:44} {result:>10} {median:8.2f}ms {p95:8.2f}ms {worst:8.2f}ms  {verdict}")
    store.close()
    if not args.keep and args.db is None:
        for file in workdir.iterdir():
            file.unlink()
        workdir.rmdir()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
