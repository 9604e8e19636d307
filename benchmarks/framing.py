"""The cost of Coda's lenient LSP frame reader against a strict one.

    python benchmarks/framing.py [--small 20000] [--big-mb 5]

Feeds the same bytes (many small requests, one big didOpen) in 64 KiB chunks, as the
stdin thread delivers them, to `FrameReader` and to a minimal strict reader (find the
header, read N bytes, json.loads), and prints the time per frame and the throughput.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from coda_ls.server.framing import FrameReader, Message

CHUNK = 65536


def frames(count: int, size: int) -> bytes:
    text = "x = 1\n" * (size // 6)
    out = []
    for n in range(count):
        body = json.dumps(
            {"jsonrpc": "2.0", "id": n, "method": "textDocument/didOpen",
             "params": {"textDocument": {"uri": f"file:///f{n}.py", "text": text}}}
        ).encode()  # fmt: skip
        out.append(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return b"".join(out)


def lenient(data: bytes) -> int:
    reader = FrameReader()
    got = 0
    for start in range(0, len(data), CHUNK):
        reader.feed(data[start : start + CHUNK])
        got += sum(isinstance(event, Message) for event in reader.events())
    return got


_HEADER = re.compile(rb"Content-Length: (\d+)\r\n\r\n")


def strict(data: bytes) -> int:
    buffer = bytearray()
    got = 0
    for start in range(0, len(data), CHUNK):
        buffer += data[start : start + CHUNK]
        while True:
            match = _HEADER.match(buffer)
            if match is None:
                break
            end = match.end() + int(match.group(1))
            if len(buffer) < end:
                break
            json.loads(bytes(buffer[match.end() : end]))
            del buffer[:end]
            got += 1
    return got


def timed(read: Callable[[bytes], int], data: bytes, expected: int) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        assert read(data) == expected
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=20000)
    parser.add_argument("--big-mb", type=float, default=5)
    args = parser.parse_args()
    cases = [
        (f"{args.small:,} frames of ~300 B", frames(args.small, 200), args.small),
        (f"1 frame of {args.big_mb:g} MB", frames(1, int(args.big_mb * 1e6)), 1),
    ]
    print("| input | strict reader | FrameReader | overhead |")
    print("| --- | --- | --- | --- |")
    for name, data, count in cases:
        base = timed(strict, data, count)
        ours = timed(lenient, data, count)
        mb = len(data) / 1e6
        print(
            f"| {name} | {base * 1e6 / count:,.1f} µs/frame ({mb / base:,.0f} MB/s) "
            f"| {ours * 1e6 / count:,.1f} µs/frame ({mb / ours:,.0f} MB/s) "
            f"| {(ours / base - 1) * 100:+.0f}% |"
        )


if __name__ == "__main__":
    main()
