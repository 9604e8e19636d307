"""Reading LSP frames (`Content-Length: N` headers, a blank line, N bytes of JSON) so that
one bad frame cannot make the server deaf.

pygls 2.1.1 reads stdio line by line and only accepts a header matching
`^Content-Length: (\\d+)\\r\\n$`: a lower-case `content-length:`, LF-only line ends, or a
length a few bytes off leave it waiting for a header that never comes, alive but
answering nothing ever again. `FrameReader` instead:

- accepts header names in any case, `\\n` or `\\r\\n` line ends, other headers
  (`Content-Type`) in any order, and junk before a header (skipped and logged);
- when the body is not the JSON message its length promised, takes the message that is
  there: a complete JSON value followed by the start of the next frame (length too long)
  or extended up to the next header (length too short); and when nothing can be
  salvaged, reports the frame and resynchronises on the next `Content-Length` header;
- never waits for the bytes of a frame that is already known to be broken: a header line
  cannot occur inside a JSON text (a raw newline is not allowed in a JSON string, and
  `Content-Length` outside one is not JSON), so a header inside a body ends that body;
- refuses a length above `MAX_BODY` instead of waiting for gigabytes.

The reader is sans-IO: `feed` bytes, iterate `events()`. `serve` runs it on stdin (a
thread reads the file descriptor) and hands each message to pygls' protocol exactly as
pygls' own loop does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from pygls.protocol import JsonRPCProtocol
    from pygls.server import JsonRPCServer

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024 * 1024  # bytes; the editor's largest didOpen is far below this
MAX_HEADER = 8 * 1024  # bytes of header lines after Content-Length before giving up
STALL = 0.3  # seconds without bytes before a body that is already complete is taken
PARSE_ERROR = -32700

_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?\n", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"[!#-'*+.0-9A-Z^-z|~-]+[ \t]*:[^\r\n]*")
_WHITESPACE = b" \t\r\n"

Decode = Callable[[str], tuple[Any, int]]  # raw_decode: (value, end index)


@dataclass(frozen=True)
class Message:
    """A decoded message (whatever the decoder returned)."""

    value: Any


@dataclass(frozen=True)
class BadFrame:
    """A frame that held no readable message; `why` is for the log."""

    why: str


Event = Message | BadFrame


class FrameReader:
    """Turns a byte stream into messages, resynchronising after bad frames."""

    def __init__(self, decode: Decode | None = None, *, max_body: int = MAX_BODY) -> None:
        self._decode: Decode = decode or json.JSONDecoder().raw_decode
        self.max_body = max_body
        self._buffer = bytearray()
        self._length: int | None = None  # body length once a header block is read
        self._scanned = 0  # bytes of the current body already searched for a header
        self._stall_tried = -1  # buffer size at the last stall check (not twice the same)
        self._events: list[Event] = []

    @property
    def in_body(self) -> bool:
        """True while part of a body is buffered (the loop then watches for a stall)."""
        return self._length is not None and bool(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data
        self._advance()

    def events(self) -> Iterator[Event]:
        """What the bytes fed so far produced, oldest first."""
        while self._events:
            yield self._events.pop(0)

    def stalled(self) -> None:
        """No bytes came for a while: a body that already holds a complete message is
        taken (its length was too long and the rest may never come)."""
        if self._length is None or not self._buffer or self._stall_tried == len(self._buffer):
            return
        self._stall_tried = len(self._buffer)
        taken = self._salvage(len(self._buffer), why="the rest never came")
        if taken:
            self._advance()

    # -- the state machine -----------------------------------------------------------

    def _advance(self) -> None:
        while True:
            if self._length is None:
                if not self._read_headers():
                    return
            elif not self._read_body():
                return

    def _read_headers(self) -> bool:
        """Find and read a header block; False when more bytes are needed."""
        buffer = self._buffer
        match = _LENGTH.search(buffer)
        if match is None:
            # Keep only what could be the start of a header split across reads.
            keep = len(b"content-length") + 32
            if len(buffer) > keep:
                self._skip(len(buffer) - keep)
            return False
        if match.start():
            self._skip(match.start())
            return True
        value = match.group(1)
        position = match.end()
        while True:  # the other header lines, up to the blank line
            newline = buffer.find(b"\n", position)
            if newline < 0:
                if len(buffer) - match.end() > MAX_HEADER:
                    return self._bad_header(match, "header lines never end")
                return False
            line = bytes(buffer[position:newline]).rstrip(b"\r")
            position = newline + 1
            if not line:
                break
            if not _HEADER_LINE.fullmatch(line):
                return self._bad_header(match, f"not a header line: {line[:40]!r}")
        if not value.isdigit() or len(value) > 12:
            shown = value[:20].decode("ascii", "replace")
            return self._bad_header(match, f"Content-Length {shown!r} is not a number")
        length = int(value)
        if length > self.max_body:
            return self._bad_header(match, f"Content-Length {length} is over {self.max_body}")
        del buffer[:position]
        self._length = length
        self._scanned = 0
        return True

    def _bad_header(self, match: re.Match[bytes], why: str) -> bool:
        self._events.append(BadFrame(why))
        del self._buffer[: match.end()]  # search again after this header
        return True

    def _skip(self, count: int) -> None:
        junk = bytes(self._buffer[:count])
        del self._buffer[:count]
        if junk.strip(_WHITESPACE) and not _only_headers(junk):
            log.warning("skipped %d bytes that were not an LSP frame: %r", count, junk[:60])

    def _read_body(self) -> bool:
        """Take the body once it is complete, or once it is known to be broken."""
        assert self._length is not None
        length = self._length
        # A header inside the body: the body ends there, whatever its length said.
        header = self._header_in_body(length)
        if header is not None and header.start() < length:
            self._take_until(header.start(), f"Content-Length {length} ran into the next frame")
            return True
        if len(self._buffer) < length:
            return False
        try:
            text = bytes(self._buffer[:length]).decode("utf-8")
            value, end = self._decode(text)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            self._too_short_or_broken(length)
            return True
        rest = text[end:].encode("utf-8") if end < len(text) else b""
        if rest.strip(_WHITESPACE):
            # Length too long: the message is complete; what follows it belongs to the
            # next frame (e.g. the first bytes of its header) and goes back to the buffer.
            log.warning("Content-Length %d was longer than the message", length)
            del self._buffer[: length - len(rest)]
        else:
            del self._buffer[:length]
        self._length = None
        self._events.append(Message(value))
        return True

    def _header_in_body(self, length: int) -> re.Match[bytes] | None:
        """The first header line among the body's new bytes (and a little past its end).
        A header line ends with a newline, and compact JSON has none: look for newlines
        (memchr speed) and try the pattern only just before each."""
        buffer = self._buffer
        end = min(len(buffer), length + 64)
        newline = buffer.find(b"\n", self._scanned, end)
        self._scanned = end
        while newline >= 0:
            match = _LENGTH.search(buffer, max(0, newline - 96), newline + 1)
            if match is not None:
                return match
            newline = buffer.find(b"\n", newline + 1, end)
        return None

    def _too_short_or_broken(self, length: int) -> None:
        """The declared body is not a message. If the length was too short, the message
        continues up to the next header: take it from there; else report the frame."""
        header = _LENGTH.search(self._buffer, length)
        limit = header.start() if header is not None else len(self._buffer)
        if limit > length and self._salvage(limit, why=f"Content-Length {length} was short"):
            return
        self._events.append(BadFrame(f"the {length}-byte body is not a JSON message"))
        del self._buffer[:length]
        self._length = None

    def _take_until(self, limit: int, why: str) -> None:
        if not self._salvage(limit, why=why):
            self._events.append(BadFrame(f"{why}, and held no complete message"))
            del self._buffer[:limit]
            self._length = None

    def _salvage(self, limit: int, *, why: str) -> bool:
        """Take a complete JSON message at the start of the buffer, ending before
        `limit` with only whitespace after it. True if one was taken."""
        candidate = bytes(self._buffer[:limit])
        stripped = candidate.rstrip(_WHITESPACE)
        if not stripped.lstrip(_WHITESPACE).startswith((b"{", b"[")):
            return False
        try:
            text = stripped.decode("utf-8")
            # syntax only first: the real decoder may have side effects (pygls answers
            # malformed requests while structuring them) and must run once
            json.loads(text)
            value, _ = self._decode(text)
        except (ValueError, RecursionError):
            return False
        log.warning("%s; took the %d-byte message there", why, len(stripped))
        del self._buffer[:limit]
        self._length = None
        self._events.append(Message(value))
        return True


def _only_headers(junk: bytes) -> bool:
    lines = [line.rstrip(b"\r") for line in junk.split(b"\n")]
    return all(not line or _HEADER_LINE.fullmatch(line) for line in lines)


# -- running it on stdin ---------------------------------------------------------------


async def serve(
    stop_event: threading.Event,
    read: Callable[[], Any],
    protocol: JsonRPCProtocol,
    error_handler: Callable[..., Any] | None = None,
) -> None:
    """pygls' `run_async` with `FrameReader`: read chunks with the awaitable `read()`
    (b"" at the end), hand every message to `protocol.handle_message`."""
    from pygls.exceptions import JsonRpcException

    decoder = json.JSONDecoder(object_hook=protocol.structure_message)
    reader = FrameReader(decoder.raw_decode)
    while not stop_event.is_set():
        try:
            chunk = await (asyncio.wait_for(read(), STALL) if reader.in_body else read())
        except TimeoutError:
            reader.stalled()
            chunk = None
        ended = chunk == b""
        if ended:
            reader.stalled()  # the input ended: take a message that is already complete
        elif chunk is not None:
            reader.feed(chunk)
        for event in reader.events():
            if isinstance(event, BadFrame):
                log.warning("bad LSP frame: %s", event.why)
                _parse_error(protocol, event.why)
                continue
            try:
                protocol.handle_message(event.value)
            except Exception as exc:  # pygls' own loop does the same
                log.exception("Unable to handle message")
                if error_handler is not None:
                    error_handler(exc, JsonRpcException)
        if ended:
            break


def _parse_error(protocol: JsonRPCProtocol, why: str) -> None:
    """JSON-RPC 2.0: a message that cannot be parsed gets a Parse error whose id is null
    (pygls' response types would drop a null id, so the dict is sent as it is)."""
    protocol._send_data(  # pygls' only way to send a message that answers no request
        {
            "jsonrpc": "2.0",
            "id": None,
            "error": {"code": PARSE_ERROR, "message": f"Parse error: {why}"},
        }
    )


class _StdinChunks:
    """Chunks of a file descriptor read by a daemon thread (a blocking read must not
    hold the event loop, and a daemon thread does not hold the process at exit)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._fd = stream.fileno()
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._pump, name="coda-ls-stdin", daemon=True).start()

    def _pump(self) -> None:
        import os

        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            self._loop.call_soon_threadsafe(self._queue.put_nowait, chunk)
            if not chunk:
                return

    async def read(self) -> bytes:
        return await self._queue.get()


def start_io(
    server: JsonRPCServer, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None
) -> None:
    """`server.start_io()` with Coda's frame reader (pygls 2.1.1's `_start_io_async`
    otherwise unchanged: same writer, same stop event, same shutdown)."""
    from pygls.io_ import StdoutWriter

    server._stop_event = stop_event = threading.Event()  # pygls' field
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    source = stdin or sys.stdin.buffer

    async def run() -> None:
        chunks = _StdinChunks(source)
        await serve(stop_event, chunks.read, server.protocol, server.report_server_error)

    try:
        asyncio.run(run())
    except BrokenPipeError:
        log.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]  # pygls 2.1.1 is untyped here


def start_tcp(server: JsonRPCServer, host: str, port: int) -> None:
    """`server.start_tcp()` with Coda's frame reader (pygls 2.1.1's otherwise unchanged:
    one client connection at a time shares the server's protocol)."""
    server._stop_event = stop_event = threading.Event()  # pygls' field

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)  # a StreamWriter, as pygls does
        await serve(
            stop_event, lambda: reader.read(65536), server.protocol, server.report_server_error
        )
        server.shutdown()  # type: ignore[no-untyped-call]  # pygls 2.1.1 is untyped here

    async def run() -> None:
        listener = await asyncio.start_server(connection, host, port)
        log.info("serving on %s", ", ".join(str(s.getsockname()) for s in listener.sockets))
        async with listener:
            await listener.serve_forever()

    with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt):
        asyncio.run(run())
