from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path

from coda_ls.sessions import SessionStore

HERE = Path(__file__).parent
COUNT = 150


def test_two_writer_processes_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    go = tmp_path / "go"
    with SessionStore(db) as store:
        session = store.create_session("shared")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "writer_process.py"),
                "messages",
                str(db),
                session.id,
                tag,
                str(COUNT),
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("alpha", "beta")
    ]
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}.{tag}.ready").exists() for tag in ("alpha", "beta")):
        assert time.monotonic() < deadline, "writer processes did not start"
        time.sleep(0.01)
    go.touch()  # both start together
    spans = []
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        start, end = map(float, out.split())
        spans.append((start, end))
    (start_a, end_a), (start_b, end_b) = spans
    assert start_a < end_b and start_b < end_a, "the two writers ran at the same time"
    with SessionStore(db) as store:
        history = store.history(session.id)
        assert len(history) == 4 * COUNT
        for tag in ("alpha", "beta"):
            replies = [m for m in history if m.model == tag]
            assert sorted(m.content for m in replies) == sorted(
                f"{tag} answer {i}" for i in range(COUNT)
            )
            assert all(m.status == "complete" for m in replies)
            questions = [m.content for m in history if m.content.startswith(f"{tag} question")]
            assert questions == [f"{tag} question {i}" for i in range(COUNT)]  # in order
        # The writes really interleaved (not one process after the other).
        tags = [m.content.split()[0] for m in history]
        switches = sum(1 for a, b in itertools.pairwise(tags) if a != b)
        assert switches > 2, switches
        assert len(store.search("alpha")) == 20 and store.stats(session.id).requests == 2 * COUNT
