"""coda-ls survives a barrage of malformed and out-of-order messages over stdio.

A raw JSON-RPC client (no pygls client: it refuses to build most of these) sends a few
hundred messages to the real server: garbage params for many methods, requests before
`initialize`, unknown URI schemes, a 5 MB document, lone surrogates and invalid UTF-8,
unknown commands, arguments of the wrong type, changes to unopened documents,
out-of-range positions, cancels of unknown ids and tokens. Every request must get a
response within the timeout, and afterwards the server must still answer normally and
exit cleanly on `shutdown` + `exit`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.conftest import SAMPLE

RESPONSE_TIMEOUT = 15.0  # seconds for the whole barrage to be answered
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
SERVER_NOT_INITIALIZED = -32002


class RawClient:
    """Frames JSON-RPC over the server's stdin/stdout; answers the server's requests."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.pending: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.server_requests: list[str] = []
        self.garbled = 0  # frames from the server that were not JSON (must stay 0)
        self.unaddressed: list[dict[str, Any]] = []  # responses to no request
        self._next = 0
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, log: Path) -> RawClient:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "coda_ls",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log.open("wb"),
            env=dict(os.environ),
            limit=2**24,
        )
        return cls(process)

    def write_raw(self, data: bytes) -> None:
        """Bytes exactly as given: no header added."""
        assert self.process.stdin is not None
        self.process.stdin.write(data)

    def expect(self, msg_id: Any) -> asyncio.Future[dict[str, Any]]:
        """A future for the response to `msg_id` (a request written with `write_raw`)."""
        future = asyncio.get_running_loop().create_future()
        self.pending[msg_id] = future
        return future

    def write_bytes(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send(self, message: dict[str, Any]) -> None:
        self.write_bytes(json.dumps({"jsonrpc": "2.0", **message}).encode())

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any = None, msg_id: Any = None) -> Any:
        """Send a request; returns its id (await `self.pending[id]` for the response)."""
        if msg_id is None:
            self._next += 1
            msg_id = f"r{self._next}"
        self.pending[msg_id] = asyncio.get_running_loop().create_future()
        message: dict[str, Any] = {"id": msg_id, "method": method}
        if params is not ...:
            message["params"] = params
        self.send(message)
        return msg_id

    async def call(self, method: str, params: Any = None, timeout: float = 10) -> dict[str, Any]:
        msg_id = self.request(method, params)
        return await asyncio.wait_for(self.pending[msg_id], timeout)

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            try:
                header = await stdout.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the server exited
            length = next(
                int(line.split(b":")[1])
                for line in header.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            body = await stdout.readexactly(length)
            try:
                message = json.loads(body)
            except ValueError:
                self.garbled += 1
                continue
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:  # the server asks the client
            self.server_requests.append(message["method"])
            self.send({"id": message["id"], "result": _client_answer(message)})
        elif "method" in message:
            self.notifications.append(message)
        else:
            future = self.pending.get(message.get("id"))
            if future is not None and not future.done():
                future.set_result(message)
            elif message.get("id") is None:
                self.unaddressed.append(message)  # e.g. a Parse error, id null

    async def close(self) -> int:
        self._reader.cancel()
        if self.process.returncode is None:
            self.process.kill()
        return await self.process.wait()


def _client_answer(message: dict[str, Any]) -> Any:
    method = message["method"]
    if method == "workspace/configuration":
        return [None for _ in message.get("params", {}).get("items", [])]
    if method == "window/showDocument":
        return {"success": True}
    if method == "workspace/applyEdit":
        return {"applied": False, "failureReason": "robustness test"}
    return None


def _range(start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
    return {
        "start": {"line": start[0], "character": start[1]},
        "end": {"line": end[0], "character": end[1]},
    }


GARBAGE: list[Any] = [
    None,
    5,
    "text",
    [],
    [1, 2, 3],
    {},
    {"textDocument": 5},
    {"textDocument": {"uri": None}},
    {"textDocument": {"uri": "file:///nope.py"}, "range": "everything"},
    {"textDocument": {"uri": "file:///nope.py"}, "position": {"line": -1, "character": "x"}},
    {"a": {"b": {"c": {"d": [None, {"e": True}]}}}},
    {"command": 5, "arguments": {"not": "a list"}},
]
REQUEST_METHODS = [
    "textDocument/codeAction",
    "workspace/executeCommand",
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/documentSymbol",
    "workspace/symbol",
    "codeAction/resolve",
    "textDocument/formatting",
    "coda/unknownRequest",
]
NOTIFICATION_METHODS = [
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didSave",
    "textDocument/didClose",
    "workspace/didChangeConfiguration",
    "workspace/didChangeWatchedFiles",
    "workspace/didChangeWorkspaceFolders",
    "window/workDoneProgress/cancel",
    "$/cancelRequest",
    "$/setTrace",
    "coda/unknownNotification",
]
COMMANDS = [
    "coda.ask",
    "coda.chat",
    "coda.explain",
    "coda.review",
    "coda.refactor",
    "coda.models",
    "coda.setModel",
    "coda.sessions",
    "coda.newSession",
    "coda.repoMap",
    "coda.cancel",
    "coda.applySuggestion",
    "coda.preview",
]
BAD_ARGUMENTS: list[Any] = [
    [5],
    ["text"],
    [[]],
    [None, None],
    [{"uri": 5}],
    [{"question": 5, "requestId": {}}],
    [{"uri": "file:///nope.py", "range": "all"}],
    [{"uri": "untitled:Untitled-1", "range": _range((0, 0), (1, 0))}],
    [{"uri": "http://127.0.0.1:9/x.py", "question": "hi"}],
    [{"tokens": "many", "focus": 7}],
    [{"requestId": None}],
    [{"findingId": 3, "uri": []}],
    [{}, {}],
]


def _lines(n: int) -> str:
    return "".join(f"def function_{i}(value):\n    return value + {i}\n\n" for i in range(n))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "geometry.py").write_text(SAMPLE)
    (root / "main.py").write_text("from geometry import area\n\nprint(area(2, 3))\n")
    return root


async def test_server_survives_a_barrage_of_bad_messages(project: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    client = await RawClient.start(log)
    try:
        await _barrage(client, project)
    finally:
        if client.process.returncode is None:
            await asyncio.wait_for(client.close(), 5)
    # sys.stderr gets the server's log when the test fails (pytest shows it).
    sys.stderr.write(log.read_text(errors="replace")[-4000:])


async def _barrage(client: RawClient, project: Path) -> None:
    geometry = (project / "geometry.py").as_uri()
    sent: list[Any] = []

    # -- before initialize: requests get an answer (an error), notifications are dropped
    sent.append(
        client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": geometry},
                "range": _range((0, 0), (1, 0)),
                "context": {"diagnostics": []},
            },
        )
    )
    sent.append(client.request("workspace/executeCommand", {"command": "coda.models"}))
    sent.append(client.request("coda/unknownRequest", None))
    client.notify("textDocument/didOpen", {"textDocument": {"uri": geometry}})
    client.notify("$/cancelRequest", {"id": "r1"})
    # initialize with broken params, then for real
    early = list(sent)
    broken_init = client.request("initialize", {"capabilities": 5, "processId": "me"})
    for msg_id in early:
        reply = await asyncio.wait_for(client.pending[msg_id], RESPONSE_TIMEOUT)
        assert reply["error"]["code"] == SERVER_NOT_INITIALIZED, reply
    reply = await asyncio.wait_for(client.pending[broken_init], RESPONSE_TIMEOUT)
    assert reply["error"]["code"] == INVALID_PARAMS, reply
    init = await client.call(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": project.as_uri(),
            "capabilities": {
                "window": {"workDoneProgress": True, "showDocument": {"support": True}},
                "workspace": {"configuration": True, "workspaceEdit": {"documentChanges": True}},
            },
            "workspaceFolders": [{"uri": project.as_uri(), "name": "project"}],
            "initializationOptions": {"repomap": {"tokens": "not a number"}, "coda": 5},
        },
    )
    assert "coda.repoMap" in init["result"]["capabilities"]["executeCommandProvider"]["commands"]
    client.notify("initialized", {})
    client.notify("initialized", None)  # twice, with bad params

    # -- garbage params for many methods
    for method in REQUEST_METHODS:
        for params in GARBAGE:
            sent.append(client.request(method, params))
        sent.append(client.request(method, ...))  # no params at all
    for method in NOTIFICATION_METHODS:
        for params in GARBAGE:
            client.notify(method, params)

    # -- unknown commands and wrong argument types for every command
    for name in ("coda.nope", "", "rm -rf /", "coda.ask.extra"):
        sent.append(client.request("workspace/executeCommand", {"command": name}))
    for name in COMMANDS:
        for arguments in BAD_ARGUMENTS:
            sent.append(
                client.request(
                    "workspace/executeCommand", {"command": name, "arguments": arguments}
                )
            )
        sent.append(client.request("workspace/executeCommand", {"command": name, "arguments": "x"}))

    # -- documents: unknown schemes, unopened, huge, odd text
    for uri in (
        "untitled:Untitled-1",
        "http://127.0.0.1:9/remote.py",
        "file:",
        "vscode-notebook:x",
    ):
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1"}},
        )
        sent.append(
            client.request(
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": uri},
                    "range": _range((0, 0), (0, 1)),
                    "context": {"diagnostics": []},
                },
            )
        )
        sent.append(
            client.request(
                "workspace/executeCommand",
                {"command": "coda.explain", "arguments": [{"uri": uri}]},
            )
        )
    unopened = (project / "never_opened.py").as_uri()
    for version in (1, 2, -5):
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": unopened, "version": version},
                "contentChanges": [{"range": _range((3, 0), (4, 0)), "text": "y = 2\n"}],
            },
        )
    client.notify("textDocument/didClose", {"textDocument": {"uri": unopened}})
    client.notify("textDocument/didSave", {"textDocument": {"uri": unopened}})

    huge = (project / "huge.py").as_uri()
    huge_text = _lines(5 * 1024 * 1024 // 40)  # ~5 MB
    assert len(huge_text) > 5_000_000
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": huge, "languageId": "python", "version": 1, "text": huge_text}},
    )
    odd = (project / "odd.py").as_uri()
    odd_texts = [
        "\ufeffdef bom():\n    pass\n",
        "def nul():\n    return '\x00'\n",
        "def surrogate():\n    return '\ud800'\n",  # a lone surrogate: not valid UTF-8
        "x = '\U0001f600' * 10\n" * 100,
        "\r\n".join(["def crlf():", "    pass", ""]),
    ]
    for version, text in enumerate(odd_texts, start=1):
        if version == 1:
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": odd, "languageId": "python", "version": 1, "text": text}},
            )
        else:
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": odd, "version": version},
                    "contentChanges": [{"text": text}],
                },
            )
    # an incremental change far outside the document
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": odd, "version": 99},
            "contentChanges": [{"range": _range((10**6, 5), (10**6 + 1, 0)), "text": "z = 3\n"}],
        },
    )
    # invalid UTF-8 bytes and frames that are not JSON-RPC at all
    client.write_bytes(
        b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": '
        b'{"uri": "file:///bytes.py", "languageId": "python", "version": 1, "text": "\xff\xfe"}}}'
    )
    client.write_bytes(b"this is not json")
    client.write_bytes(b"[]")
    client.write_bytes(b'[{"jsonrpc": "2.0", "method": "initialized", "params": {}}]')
    client.write_bytes(b'{"jsonrpc": "2.0", "id": "stray-response", "result": 42}')
    client.write_bytes(b'{"jsonrpc": "1.0", "id": 3.5}')

    # -- code actions on the huge, odd and real documents with out-of-range positions
    for uri in (huge, odd, geometry, unopened):
        for start, end in (
            ((10**9, 0), (10**9, 5)),
            ((0, 2**31 - 1), (1, 0)),
            ((5, 0), (1, 0)),  # end before start
            ((0, 0), (2**31 - 1, 2**31 - 1)),
        ):
            sent.append(
                client.request(
                    "textDocument/codeAction",
                    {
                        "textDocument": {"uri": uri},
                        "range": _range(start, end),
                        "context": {"diagnostics": [], "only": ["coda.explain", "nonsense"]},
                    },
                )
            )
        sent.append(
            client.request(
                "workspace/executeCommand",
                {
                    "command": "coda.explain",
                    "arguments": [{"uri": uri, "range": _range((10**9, 0), (10**9, 1))}],
                },
            )
        )

    # -- cancels of unknown ids and tokens (also a request that later completes)
    unknown_ids: list[Any] = [999_999, "nope", None, {"id": {}}, -1]
    for unknown in unknown_ids:
        client.notify("$/cancelRequest", {"id": unknown})
        client.notify("window/workDoneProgress/cancel", {"token": unknown})
    sent.append(
        client.request(
            "workspace/executeCommand",
            {"command": "coda.cancel", "arguments": [{"requestId": "never-started"}]},
        )
    )
    client.notify("$/cancelRequest", {"id": sent[-1]})
    # an LLM command whose provider is unreachable answers with an error, not silence
    sent.append(
        client.request(
            "workspace/executeCommand",
            {"command": "coda.chat", "arguments": [{"question": "hello?"}]},
        )
    )
    # a second initialize must not replace the workspace (its roots and open documents)
    again = client.request("initialize", {"processId": None, "capabilities": {}})
    sent.append(again)

    assert len(sent) >= 200, len(sent)
    await asyncio.wait([client.pending[msg_id] for msg_id in sent], timeout=RESPONSE_TIMEOUT)
    unanswered = [msg_id for msg_id in sent if not client.pending[msg_id].done()]
    assert not unanswered, f"{len(unanswered)} requests never answered: {unanswered[:20]}"
    for msg_id in sent:
        reply = client.pending[msg_id].result()
        assert ("result" in reply) != ("error" in reply), reply
        if os.environ.get("ROBUSTNESS_SHOW_REPLIES"):
            print(msg_id, json.dumps(reply)[:300])
    assert client.process.returncode is None, "the server exited"
    assert client.garbled == 0
    assert client.pending[again].result()["error"]["code"] == INVALID_REQUEST

    # -- the server still does its job
    actions = await client.call(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": geometry},
            "range": _range((3, 0), (5, 10)),
            "context": {"diagnostics": []},
        },
    )
    titles = {action["title"] for action in actions["result"]}
    assert {"Coda: Explain", "Coda: Review", "Coda: Refactor…"} <= titles
    mapped = await client.call(
        "workspace/executeCommand", {"command": "coda.repoMap", "arguments": [{}]}, timeout=30
    )
    assert "geometry.py" in mapped["result"]["text"], mapped
    assert "huge.py" not in mapped["result"]["text"]  # a 5 MB buffer is not mapped
    cancelled = await client.call(
        "workspace/executeCommand",
        {"command": "coda.cancel", "arguments": [{"requestId": "nothing"}]},
    )
    assert cancelled["result"] == {"cancelled": False}

    # -- and exits cleanly
    shutdown = await client.call("shutdown", None)
    assert "result" in shutdown and shutdown["result"] is None
    late = await client.call(
        "workspace/executeCommand",
        {"command": "coda.cancel", "arguments": [{"requestId": "nothing"}]},
    )
    assert late["error"]["code"] == INVALID_REQUEST  # answered, not dropped
    client.notify("exit", None)
    assert await asyncio.wait_for(client.process.wait(), 10) == 0


# -- framing: one bad frame must not make the server deaf ------------------------------


def _body(msg_id: str) -> bytes:
    """A valid request that any initialized server answers at once."""
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "workspace/executeCommand",
            "params": {"command": "coda.cancel", "arguments": [{"requestId": "nothing"}]},
        }
    ).encode()


def _frame(body: bytes, delta: int = 0, header: bytes = b"Content-Length: %d\r\n\r\n") -> bytes:
    return header % (len(body) + delta) + body


# (name, bytes sent before the next valid request, ids in those bytes that must be answered
#  too). `{a}` is the id of a request inside the bad frame itself.
FRAMING_ATTACKS: list[tuple[str, Callable[[str], bytes], bool]] = [
    ("length 5 bytes short", lambda a: _frame(_body(a), -5), True),
    ("length 3 bytes long", lambda a: _frame(_body(a), +3), True),
    ("length 40 bytes long", lambda a: _frame(_body(a), +40), True),
    ("lower-case header", lambda a: _frame(_body(a), header=b"content-length: %d\r\n\r\n"), True),
    ("LF-only header", lambda a: _frame(_body(a), header=b"Content-Length: %d\n\n"), True),
    (
        "Content-Type first, upper case, no space",
        lambda a: _frame(
            _body(a),
            header=b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
            b"CONTENT-LENGTH:%d\r\n\r\n",
        ),
        True,
    ),
    ("junk line before the header", lambda a: b"hello there\r\n\r\n" + _frame(_body(a)), True),
    ("length is not a number", lambda a: b"Content-Length: abc\r\n\r\n" + _body(a), False),
    ("negative length", lambda a: b"Content-Length: -5\r\n\r\n" + _body(a), False),
    ("length of 100 GB", lambda a: b"Content-Length: 99999999999\r\n\r\n" + _body(a), False),
    ("no blank line after the header", lambda a: b"Content-Length: 10\r\n" + _body(a), False),
    ("a header without a length", lambda a: b"Content-Type: x\r\n\r\n" + _body(a), False),
    ("body is not JSON", lambda a: _frame(b"{this is not json at all}"), False),
    ("body cut short, then nothing", lambda a: _frame(_body(a))[:-20], False),
]


async def _started(tmp_path: Path) -> RawClient:
    client = await RawClient.start(tmp_path / "server.log")
    reply = await client.call("initialize", {"processId": None, "capabilities": {}}, timeout=30)
    assert "result" in reply, reply
    client.notify("initialized", {})
    return client


async def _answered(client: RawClient, future: asyncio.Future[dict[str, Any]]) -> dict[str, Any]:
    reply = await asyncio.wait_for(future, 5)
    assert reply.get("result") == {"cancelled": False}, reply
    return reply


@pytest.mark.parametrize(
    ("name", "attack", "self_answered"), FRAMING_ATTACKS, ids=[a[0] for a in FRAMING_ATTACKS]
)
async def test_one_bad_frame_does_not_make_the_server_deaf(
    tmp_path: Path, name: str, attack: Callable[[str], bytes], self_answered: bool
) -> None:
    client = await _started(tmp_path)
    try:
        inside = client.expect("inside")
        after = client.expect("after")
        client.write_raw(attack("inside"))
        if name.endswith("then nothing"):
            await asyncio.sleep(0.5)  # the client gave up on that frame; later it goes on
        client.write_raw(_frame(_body("after")))
        await _answered(client, after)
        if self_answered:
            await _answered(client, inside)
        await _answered(client, client.pending[client.request(*_CANCEL)])  # and stays alive
    finally:
        await asyncio.wait_for(client.close(), 5)


_CANCEL = (
    "workspace/executeCommand",
    {"command": "coda.cancel", "arguments": [{"requestId": "x"}]},
)


async def test_bad_frames_in_a_row_each_followed_by_a_request(tmp_path: Path) -> None:
    client = await _started(tmp_path)
    try:
        for number, (name, attack, self_answered) in enumerate(FRAMING_ATTACKS):
            inside, after = f"inside-{number}", f"after-{number}"
            inside_future, after_future = client.expect(inside), client.expect(after)
            client.write_raw(attack(inside))
            if name.endswith("then nothing"):
                await asyncio.sleep(0.5)
            client.write_raw(_frame(_body(after)))
            await _answered(client, after_future)
            if self_answered:
                await _answered(client, inside_future)
        # frames without a message are answered as JSON-RPC says: code -32700, id null
        assert client.garbled == 0
        parse_errors = [m for m in client.unaddressed if m["error"]["code"] == -32700]
        assert parse_errors and all("id" in m and m["id"] is None for m in parse_errors)
        shutdown = await client.call("shutdown", None)
        assert shutdown["result"] is None
        client.notify("exit", None)
        assert await asyncio.wait_for(client.process.wait(), 10) == 0
    finally:
        if client.process.returncode is None:
            await asyncio.wait_for(client.close(), 5)


async def test_a_frame_that_is_too_long_and_alone_is_still_answered(tmp_path: Path) -> None:
    # The client sends one request whose length is 3 bytes too long, then waits: the
    # missing bytes never come, so the server takes the complete message it has.
    client = await _started(tmp_path)
    try:
        alone = client.expect("alone")
        client.write_raw(_frame(_body("alone"), +3))
        await _answered(client, alone)
    finally:
        await asyncio.wait_for(client.close(), 5)


async def test_a_frame_dribbled_byte_by_byte_is_answered(tmp_path: Path) -> None:
    # Slow writers are not broken frames: a pause inside a body that is not complete
    # yet must not make the server give up on it.
    client = await _started(tmp_path)
    try:
        slow = client.expect("slow")
        data = _frame(_body("slow"))
        for index in range(0, len(data), 7):
            client.write_raw(data[index : index + 7])
            await client.process.stdin.drain()  # type: ignore[union-attr]
            await asyncio.sleep(0.4 if index == 70 else 0.005)
        await _answered(client, slow)
    finally:
        await asyncio.wait_for(client.close(), 5)


async def test_the_tcp_transport_resynchronises_too(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "tcp.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "coda_ls", "--tcp", f"127.0.0.1:{port}", stderr=log
    )
    try:
        for _ in range(100):  # until it listens
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("coda-ls --tcp never listened")
        init = json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"processId": None, "capabilities": {}}}
        ).encode()  # fmt: skip
        writer.write(b"content-length: 9999999999999\n\n{}" + _frame(init, +3))
        await writer.drain()
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
        length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        body = json.loads(await reader.readexactly(length))
        while body.get("id") != 1:  # a Parse error for the broken frame comes first
            header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
            length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            body = json.loads(await reader.readexactly(length))
        assert "capabilities" in body["result"]
        writer.close()
    finally:
        process.kill()
        await process.wait()
        log.close()
