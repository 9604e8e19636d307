"""A scripted model server for tests: speaks the Ollama API and the OpenAI-compatible chat
API on 127.0.0.1 (random port), from a thread, so it serves CLI runs, subprocesses (the
language server, Neovim) and in-process clients alike.

Each test scripts the replies — text, chunking, delays, errors (404, 429 with
retry-after, 500), a connection dropped mid-stream, token counts, tool calls — and reads
back the requests received. Unscripted requests get `default_reply`.

Text completion (inline completion's fill-in-the-middle) is served too: Ollama's
`/api/generate` and the OpenAI-style `/v1/completions`. A client that gives up on a
request while its reply is delayed (`first_delay`) is noticed: the request is added to
`aborted` (see `wait_for_aborted`).

Run standalone (for editors, tmux and benchmarks)::

    python -m tests.support.model_server --port 0 [--reply TEXT] [--delay S] [--models a,b]

It prints `PORT <n>` on stdout, then serves until killed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. `chunks` overrides how `text` is split when streaming."""

    text: str = "Hello from the scripted model."
    chunks: list[str] | None = None
    chunk_delay: float = 0.0
    first_delay: float = 0.0
    status: int = 200
    error: str | None = None
    retry_after: float | None = None
    drop_after: int | None = None  # close the connection after this many chunks
    prompt_tokens: int = 11
    completion_tokens: int = 7
    cached_tokens: int = 0
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"
    # OpenAI-compatible only: `reasoning_content` deltas sent before the text.
    reasoning: list[str] = field(default_factory=list)
    # A 200 reply with this body and content type instead of the scripted answer.
    raw_body: bytes | None = None
    content_type: str = "application/json"
    # Bytes written to the socket instead of any HTTP response (then it is closed).
    not_http: bytes | None = None
    # OpenAI-compatible streams: an SSE comment every `keepalive` s during chunk_delay
    # (the connection stays busy while no answer comes, as OpenRouter's do).
    keepalive: float | None = None

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        words = self.text.split(" ")
        return [word + (" " if i < len(words) - 1 else "") for i, word in enumerate(words)]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ScriptedModel:
    name: str
    context_length: int = 8192
    family: str = "llama"
    tools: bool = True
    vision: bool = False


class ScriptedModelServer:
    """Start with `with ScriptedModelServer() as server:`; `server.url` is its base URL."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        models: list[ScriptedModel] | None = None,
        default_reply: Reply | None = None,
    ) -> None:
        self.models = models or [
            ScriptedModel("llama3.2:latest", 131072),
            ScriptedModel("qwen2.5-coder:7b", 32768),
        ]
        self.default_reply = default_reply or Reply()
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.pulled: list[str] = []
        # Requests whose client closed the connection before the reply was sent.
        self.aborted: list[RecordedRequest] = []
        self.deleted: list[str] = []
        self.version = "0.9.9-scripted"
        # Seconds the first model listing (/api/tags) waits: a slow server
        # keeps a client's start-up open (`coda chat`'s preflight) for as long as a test
        # needs it.
        self.first_listing_delay = 0.0
        self._listed = False
        # When set, OpenAI-compatible requests need `authorization: Bearer <api_key>`.
        self.api_key: str | None = None
        self._httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ScriptedModelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ----------------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        """Queue replies for the next chat requests, in order."""
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            return self._replies.popleft() if self._replies else self.default_reply

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def generate_requests(self) -> list[RecordedRequest]:
        """Text-completion requests (/api/generate, /v1/completions), in order."""
        paths = ("/api/generate", "/v1/completions", "/completions")
        return [r for r in self.requests if r.path in paths]

    def wait_for_aborted(self, count: int = 1, timeout: float = 5.0) -> list[RecordedRequest]:
        """The aborted requests once there are `count` of them (or after `timeout`)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if len(self.aborted) >= count:
                    return list(self.aborted)
            time.sleep(0.01)
        with self._lock:
            return list(self.aborted)

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in ("/api/chat", "/v1/chat/completions")]

    def model(self, name: str) -> ScriptedModel | None:
        base = name.split("/")[-1]
        for model in self.models:
            if base in (model.name, model.name.split(":")[0]):
                return model
        return None


def _make_handler(server: ScriptedModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Small streamed writes would otherwise wait ~40 ms for the client's ACK (Nagle).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        # -- helpers ----------------------------------------------------------------
        def _body(self) -> Any:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                return json.loads(raw) if raw else None
            except json.JSONDecodeError:
                return raw.decode("utf-8", "replace")

        def _send_json(
            self, status: int, payload: Any, headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _start_stream(self, content_type: str) -> None:
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()

        def _write_chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _end_stream(self) -> None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _drop(self) -> None:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)

        def _wait_or_abort(self, seconds: float) -> bool:
            """Sleep `seconds`, watching the socket; True (and recorded in `aborted`)
            when the client closed the connection meanwhile."""
            end = time.monotonic() + seconds
            while (remaining := end - time.monotonic()) > 0:
                readable, _, _ = select.select([self.connection], [], [], min(remaining, 0.01))
                if not readable:
                    continue
                try:
                    peeked = self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    peeked = b""
                if not peeked:
                    server.aborted.append(self._recorded)
                    self.close_connection = True
                    return True
                time.sleep(min(remaining, 0.01))
            return False

        def _dispatch(self, method: str) -> None:
            body = self._body() if method in ("POST", "DELETE") else None
            path = self.path.split("?")[0]
            self._recorded = RecordedRequest(method, path, dict(self.headers.items()), body)
            server.record(self._recorded)
            route = {
                ("GET", "/api/version"): self._version,
                ("GET", "/api/tags"): self._tags,
                ("POST", "/api/show"): self._show,
                ("POST", "/api/chat"): self._ollama_chat,
                ("POST", "/api/generate"): self._ollama_generate,
                ("POST", "/v1/completions"): self._openai_completions,
                ("POST", "/completions"): self._openai_completions,
                ("POST", "/api/pull"): self._pull,
                ("DELETE", "/api/delete"): self._delete,
                ("GET", "/v1/models"): self._openai_models,
                ("POST", "/v1/chat/completions"): self._openai_chat,
                ("POST", "/chat/completions"): self._openai_chat,
            }.get((method, path))
            if route is None:
                self._send_json(404, {"error": f"no route {method} {path}"})
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(body)

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        # -- Ollama -----------------------------------------------------------------
        def _version(self, body: Any) -> None:
            self._send_json(200, {"version": server.version})

        def _delay_first_listing(self) -> None:
            with server._lock:
                first, server._listed = not server._listed, True
            if first and server.first_listing_delay:
                time.sleep(server.first_listing_delay)

        def _tags(self, body: Any) -> None:
            self._delay_first_listing()
            models = [
                {
                    "name": m.name,
                    "model": m.name,
                    "modified_at": "2026-01-01T00:00:00Z",
                    "size": 2_000_000_000,
                    "digest": "sha256:" + "0" * 64,
                    "details": {
                        "family": m.family,
                        "parameter_size": "3B",
                        "quantization_level": "Q4_K_M",
                    },
                }
                for m in server.models
            ]
            self._send_json(200, {"models": models})

        def _show(self, body: Any) -> None:
            name = (body or {}).get("model") or (body or {}).get("name", "")
            model = server.model(name)
            if model is None:
                self._send_json(404, {"error": f"model '{name}' not found"})
                return
            self._send_json(
                200,
                {
                    "details": {
                        "family": model.family,
                        "parameter_size": "3B",
                        "quantization_level": "Q4_K_M",
                    },
                    "model_info": {
                        "general.architecture": model.family,
                        f"{model.family}.context_length": model.context_length,
                    },
                    "capabilities": [
                        "completion",
                        *(["tools"] if model.tools else []),
                        *(["vision"] if model.vision else []),
                    ],
                    "parameters": "temperature 0.7",
                },
            )

        def _special_reply(self, reply: Reply) -> bool:
            """Not-HTTP bytes or a raw 200 body, for replies that cannot be read."""
            if reply.not_http is not None:
                self.wfile.write(reply.not_http)
                self._drop()
                return True
            if reply.raw_body is not None and reply.status == 200:
                self.send_response(200)
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(reply.raw_body)))
                self.end_headers()
                self.wfile.write(reply.raw_body)
                return True
            return False

        def _error_reply(self, reply: Reply, openai: bool) -> bool:
            if self._special_reply(reply):
                return True
            if reply.status == 200:
                return False
            headers = {}
            if reply.retry_after is not None:
                headers["retry-after"] = str(reply.retry_after)
            message = reply.error or f"scripted error {reply.status}"
            payload: Any = (
                {"error": {"message": message, "type": "scripted", "code": reply.status}}
                if openai
                else {"error": message}
            )
            self._send_json(reply.status, payload, headers)
            return True

        def _ollama_chat(self, body: Any) -> None:
            body = body or {}
            name = str(body.get("model", ""))
            if server.model(name) is None:
                self._send_json(404, {"error": f"model '{name}' not found, try pulling it first"})
                return
            reply = server.next_reply()
            time.sleep(reply.first_delay)
            if self._error_reply(reply, openai=False):
                return
            final = {
                "model": name,
                "created_at": "2026-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": reply.finish_reason,
                "total_duration": 1000,
                "prompt_eval_count": reply.prompt_tokens,
                "eval_count": reply.completion_tokens,
            }
            tool_calls = [
                {"function": {"name": c["name"], "arguments": c.get("arguments", {})}}
                for c in reply.tool_calls
            ]
            if body.get("stream", True) is False:
                final["message"] = {"role": "assistant", "content": reply.text}
                if tool_calls:
                    final["message"]["tool_calls"] = tool_calls
                self._send_json(200, final)
                return
            self._start_stream("application/x-ndjson")
            for index, piece in enumerate(reply.pieces()):
                if reply.drop_after is not None and index >= reply.drop_after:
                    self._drop()
                    return
                line = {
                    "model": name,
                    "created_at": "2026-01-01T00:00:00Z",
                    "message": {"role": "assistant", "content": piece},
                    "done": False,
                }
                self._write_chunk(json.dumps(line).encode() + b"\n")
                time.sleep(reply.chunk_delay)
            if reply.drop_after is not None:
                self._drop()
                return
            if tool_calls:
                call_line = {
                    "model": name,
                    "message": {"role": "assistant", "content": "", "tool_calls": tool_calls},
                    "done": False,
                }
                self._write_chunk(json.dumps(call_line).encode() + b"\n")
            self._write_chunk(json.dumps(final).encode() + b"\n")
            self._end_stream()

        def _ollama_generate(self, body: Any) -> None:
            body = body or {}
            name = str(body.get("model", ""))
            if server.model(name) is None:
                self._send_json(404, {"error": f"model '{name}' not found, try pulling it first"})
                return
            reply = server.next_reply()
            if self._wait_or_abort(reply.first_delay) or self._error_reply(reply, openai=False):
                return
            final = {
                "model": name,
                "created_at": "2026-01-01T00:00:00Z",
                "response": reply.text,
                "done": True,
                "done_reason": reply.finish_reason,
                "prompt_eval_count": reply.prompt_tokens,
                "eval_count": reply.completion_tokens,
            }
            if body.get("stream", True) is False:
                self._send_json(200, final)
                return
            self._start_stream("application/x-ndjson")
            for piece in reply.pieces():
                line = {"model": name, "response": piece, "done": False}
                self._write_chunk(json.dumps(line).encode() + b"\n")
                time.sleep(reply.chunk_delay)
            self._write_chunk(json.dumps({**final, "response": ""}).encode() + b"\n")
            self._end_stream()

        def _pull(self, body: Any) -> None:
            name = str((body or {}).get("model") or (body or {}).get("name", ""))
            if name.startswith("missing"):
                self._start_stream("application/x-ndjson")
                self._write_chunk(b'{"status":"pulling manifest"}\n')
                self._write_chunk(
                    json.dumps({"error": "pull model manifest: file does not exist"}).encode()
                    + b"\n"
                )
                self._end_stream()
                return
            self._start_stream("application/x-ndjson")
            total = 1000
            events = [{"status": "pulling manifest"}]
            events += [
                {
                    "status": "pulling abc123",
                    "digest": "sha256:abc123",
                    "total": total,
                    "completed": done,
                }
                for done in (0, 250, 500, 1000)
            ]
            events += [
                {"status": "verifying sha256 digest"},
                {"status": "writing manifest"},
                {"status": "success"},
            ]
            # Record first: the client may act on "success" before this thread runs on.
            server.pulled.append(name)
            if server.model(name) is None:
                server.models.append(ScriptedModel(name))
            for event in events:
                self._write_chunk(json.dumps(event).encode() + b"\n")
            self._end_stream()

        def _delete(self, body: Any) -> None:
            name = str((body or {}).get("model") or (body or {}).get("name", ""))
            model = server.model(name)
            if model is None:
                self._send_json(404, {"error": f"model '{name}' not found"})
                return
            server.models.remove(model)
            server.deleted.append(name)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        # -- OpenAI-compatible ------------------------------------------------------
        def _unauthorized(self) -> bool:
            if server.api_key is None:
                return False
            if self.headers.get("authorization") == f"Bearer {server.api_key}":
                return False
            sent = self.headers.get("authorization", "")
            # Echo what was sent, as some servers do: the client must not show it.
            message = f"Incorrect API key provided: {sent.removeprefix('Bearer ')}"
            self._send_json(401, {"error": {"message": message, "type": "invalid_api_key"}})
            return True

        def _openai_models(self, body: Any) -> None:
            if self._unauthorized():
                return
            data = [
                {
                    "id": m.name,
                    "object": "model",
                    "owned_by": "scripted",
                    # OpenRouter's shape for what a model reads (vision models: image).
                    **(
                        {"architecture": {"input_modalities": ["text", "image"]}}
                        if m.vision
                        else {}
                    ),
                }
                for m in server.models
            ]
            self._send_json(200, {"object": "list", "data": data})

        def _openai_completions(self, body: Any) -> None:
            if self._unauthorized():
                return
            body = body or {}
            name = str(body.get("model", ""))
            if server.model(name) is None:
                message = f"The model `{name}` does not exist"
                self._send_json(404, {"error": {"message": message, "code": "model_not_found"}})
                return
            reply = server.next_reply()
            if self._wait_or_abort(reply.first_delay) or self._error_reply(reply, openai=True):
                return
            self._send_json(
                200,
                {
                    "id": "cmpl-scripted",
                    "object": "text_completion",
                    "created": 1767225600,
                    "model": name,
                    "choices": [
                        {"index": 0, "text": reply.text, "finish_reason": reply.finish_reason}
                    ],
                    "usage": {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    },
                },
            )

        def _openai_chat(self, body: Any) -> None:
            if self._unauthorized():
                return
            body = body or {}
            name = str(body.get("model", ""))
            if server.model(name) is None:
                self._send_json(
                    404,
                    {
                        "error": {
                            "message": f"The model `{name}` does not exist",
                            "type": "invalid_request_error",
                            "code": "model_not_found",
                        }
                    },
                )
                return
            reply = server.next_reply()
            time.sleep(reply.first_delay)
            if self._error_reply(reply, openai=True):
                return
            usage = {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                "prompt_tokens_details": {"cached_tokens": reply.cached_tokens},
            }
            tool_calls = [
                {
                    "id": c.get("id", f"call_{i}"),
                    "type": "function",
                    "function": {
                        "name": c["name"],
                        "arguments": json.dumps(c.get("arguments", {})),
                    },
                }
                for i, c in enumerate(reply.tool_calls)
            ]
            finish = "tool_calls" if tool_calls else reply.finish_reason
            base = {"id": "chatcmpl-scripted", "created": 1767225600, "model": name}
            if not body.get("stream"):
                message: dict[str, Any] = {"role": "assistant", "content": reply.text}
                if tool_calls:
                    message["tool_calls"] = tool_calls
                self._send_json(
                    200,
                    {
                        **base,
                        "object": "chat.completion",
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": usage,
                    },
                )
                return
            self._start_stream("text/event-stream")

            def event(payload: dict[str, Any]) -> None:
                self._write_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

            for thought in reply.reasoning:
                event(
                    {
                        **base,
                        "object": "chat.completion.chunk",
                        "choices": [
                            {
                                "index": 0,
                                "delta": {"reasoning_content": thought},
                                "finish_reason": None,
                            }
                        ],
                    }
                )
            for index, piece in enumerate(reply.pieces()):
                if reply.drop_after is not None and index >= reply.drop_after:
                    self._drop()
                    return
                delta: dict[str, Any] = {"content": piece}
                if index == 0:
                    delta["role"] = "assistant"
                event(
                    {
                        **base,
                        "object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
                    }
                )
                waited = 0.0
                while reply.keepalive and waited < reply.chunk_delay:
                    time.sleep(reply.keepalive)
                    waited += reply.keepalive
                    self._write_chunk(b": keep-alive\n\n")
                time.sleep(max(0.0, reply.chunk_delay - waited))
            # As OpenAI streams them: id and name first, then the arguments in pieces.
            for i, call in enumerate(tool_calls):
                arguments = call["function"]["arguments"]
                cut = [arguments[:3], arguments[3:9], arguments[9:]]
                first = {**call, "index": i, "function": {"name": call["function"]["name"]}}
                first["function"]["arguments"] = cut[0]
                pieces = [first] + [
                    {"index": i, "function": {"arguments": part}} for part in cut[1:] if part
                ]
                for piece in pieces:
                    event(
                        {
                            **base,
                            "object": "chat.completion.chunk",
                            "choices": [
                                {
                                    "index": 0,
                                    "delta": {"tool_calls": [piece]},
                                    "finish_reason": None,
                                }
                            ],
                        }
                    )
            event(
                {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": finish}],
                }
            )
            if (body.get("stream_options") or {}).get("include_usage"):
                event({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
            self._write_chunk(b"data: [DONE]\n\n")
            self._end_stream()

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--reply", default=Reply().text)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between chunks")
    parser.add_argument("--models", default="", help="comma-separated model names")
    parser.add_argument(
        "--first-listing-delay", type=float, default=0.0, help="seconds the first /api/tags waits"
    )
    args = parser.parse_args()
    models = [ScriptedModel(name) for name in args.models.split(",") if name] or None
    server = ScriptedModelServer(
        port=args.port, models=models, default_reply=Reply(text=args.reply, chunk_delay=args.delay)
    )
    server.first_listing_delay = args.first_listing_delay
    server.start()
    print(f"PORT {server.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
