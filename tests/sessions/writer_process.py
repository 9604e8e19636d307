"""A real second process for the session tests (run as a script, not collected).

python writer_process.py messages DB SESSION_ID TAG COUNT GO_FILE
    waits for GO_FILE, then adds COUNT user messages and COUNT streamed replies
python writer_process.py stream DB SESSION_ID
    streams a reply forever, printing each appended piece's index after appending
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from coda_ls.sessions import SessionStore


def messages(db: str, session_id: str, tag: str, count: int, go_file: str) -> None:
    store = SessionStore(Path(db))
    Path(f"{go_file}.{tag}.ready").touch()  # the parent starts both once both are ready
    deadline = time.monotonic() + 30
    while not Path(go_file).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    started = time.time()
    for index in range(count):
        store.add_message(session_id, "user", f"{tag} question {index}")
        with store.start_reply(session_id, model=tag, flush_interval=0) as reply:
            reply.append(f"{tag} answer ")
            time.sleep(0.001)  # like a stream: the lock is free between deltas
            reply.append(str(index))
    store.close()
    print(started, time.time())


def stream(db: str, session_id: str) -> None:
    store = SessionStore(Path(db))
    reply = store.start_reply(session_id, model="slow", flush_interval=0.5)
    index = 0
    while True:
        reply.append(f"<{index}>")
        print(index, flush=True)
        index += 1
        time.sleep(0.05)


if __name__ == "__main__":
    if sys.argv[1] == "messages":
        messages(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    else:
        stream(sys.argv[2], sys.argv[3])
