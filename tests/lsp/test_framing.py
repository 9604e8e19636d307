"""FrameReader on its own (no server): valid streams cut anywhere, and bad frames."""

from __future__ import annotations

import json
import random

import pytest

from coda_ls.server.framing import BadFrame, FrameReader, Message


def frame(obj: object, delta: int = 0, header: bytes = b"Content-Length: %d\r\n\r\n") -> bytes:
    body = json.dumps(obj).encode()
    return header % (len(body) + delta) + body


def messages(reader: FrameReader) -> list[object]:
    return [event.value for event in reader.events() if isinstance(event, Message)]


STREAM = [{"id": n, "text": "é∑" * n + "\n"} for n in range(6)]


def test_a_valid_stream_cut_at_every_position_gives_every_message() -> None:
    data = b"".join(frame(obj) for obj in STREAM)
    for cut in range(len(data) + 1):
        reader = FrameReader()
        reader.feed(data[:cut])
        got = messages(reader)
        reader.feed(data[cut:])
        got += messages(reader)
        assert got == STREAM, cut


def test_a_valid_stream_fed_byte_by_byte() -> None:
    reader = FrameReader()
    got: list[object] = []
    for byte in b"".join(frame(obj) for obj in STREAM):
        reader.feed(bytes([byte]))
        got += messages(reader)
    assert got == STREAM


@pytest.mark.parametrize(
    ("bad", "salvaged"),
    [
        (frame({"id": "bad"}, -5), True),
        (frame({"id": "bad"}, -1), True),
        (frame({"id": "bad"}, +3), True),
        (frame({"id": "bad"}, +60), True),
        (frame({"id": "bad"}, header=b"content-length: %d\n\n"), True),
        (frame({"id": "bad"}, header=b"X-Thing: 1\nContent-length:%d  \r\n\r\n"), True),
        (b"Content-Length: 12x\r\n\r\n" + json.dumps({"id": "bad"}).encode(), False),
        (b"Content-Length: 99999999999999\r\n\r\n{}", False),
        (b"Content-Length: 5\r\nnot a header\r\n\r\n{}", False),
        (b"Content-Length: 9\r\n\r\n\xff\xfe\xfd{}}}}}", False),
        (b"\x00\x01 binary junk \r\n\r\n\r\n", False),
    ],
)
def test_after_a_bad_frame_the_next_one_is_read(bad: bytes, salvaged: bool) -> None:
    reader = FrameReader()
    for cut in (len(bad), len(bad) // 2):  # in one piece, and split in two
        reader = FrameReader()
        data = bad + frame({"id": "next"}) + frame({"id": "last"})
        reader.feed(data[:cut])
        got = messages(reader)
        reader.feed(data[cut:])
        got += messages(reader)
        expected = ([{"id": "bad"}] if salvaged else []) + [{"id": "next"}, {"id": "last"}]
        assert got == expected, (bad, cut)


def test_broken_frames_are_reported() -> None:
    reader = FrameReader()
    reader.feed(b'Content-Length: nope\r\n\r\n{"a": 1}' + frame({"ok": 1}))
    events = list(reader.events())
    assert isinstance(events[0], BadFrame) and "not a number" in events[0].why
    assert events[-1] == Message({"ok": 1})


def test_a_stall_takes_a_complete_message_whose_length_was_too_long() -> None:
    reader = FrameReader()
    reader.feed(frame({"id": 1}, +3))
    assert messages(reader) == []  # still waiting for 3 bytes
    reader.stalled()
    assert messages(reader) == [{"id": 1}]
    reader.feed(frame({"id": 2}))  # and reads on normally
    assert messages(reader) == [{"id": 2}]


def test_a_stall_in_an_incomplete_body_keeps_waiting() -> None:
    reader = FrameReader()
    data = frame({"id": 1, "text": "x" * 100})
    reader.feed(data[:50])
    reader.stalled()
    assert list(reader.events()) == []
    reader.feed(data[50:])
    assert messages(reader) == [{"id": 1, "text": "x" * 100}]


def test_random_garbage_between_frames_never_loses_a_later_frame() -> None:
    rng = random.Random(17)
    alphabet = b'{}[]":,0123456789abc \r\n\t\\'
    for _ in range(300):
        garbage = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        reader = FrameReader()
        reader.feed(garbage + frame({"id": "after"}))
        got = messages(reader)
        reader.stalled()
        got += messages(reader)
        assert {"id": "after"} in got, garbage


def test_the_decoder_runs_once_per_message() -> None:
    calls: list[str] = []
    decoder = json.JSONDecoder()

    def decode(text: str) -> tuple[object, int]:
        calls.append(text)
        return decoder.raw_decode(text)

    reader = FrameReader(decode)
    reader.feed(frame({"id": 1}, -4) + frame({"id": 2}, +3) + frame({"id": 3}))
    reader.stalled()
    assert messages(reader) == [{"id": 1}, {"id": 2}, {"id": 3}]
    # the short frame's cut body fails to decode (no message, nothing answered twice)
    assert len(calls) == 4
