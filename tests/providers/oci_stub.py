"""A local stand-in for OCI Generative AI, for tests that drive the real `oci` SDK.

It listens on 127.0.0.1 (random port), checks every request's HTTP signature against the
test's public key (as OCI does: a wrong key or an unsigned request gets 401
NotAuthenticated), checks the chat body's shape (problems are answered with 400 and kept
in `problems`), and replays scripted OCI-format replies: JSON or SSE, Cohere or Generic,
tool calls, usage, errors with retry-after, a connection dropped mid-stream.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CHAT_PATH = "/20231130/actions/chat"
MODELS_PATH = "/20231130/models"


@dataclass
class StubReply:
    """One scripted chat answer."""

    chunks: list[str] = field(default_factory=lambda: ["Hello", " from", " OCI."])
    status: int = 200
    code: str = "InternalServerError"
    message: str = "scripted failure"
    retry_after: float | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # name, arguments
    finish_reason: str | None = None  # default: COMPLETE (Cohere) / stop (Generic)
    usage: tuple[int, int, int] | None = (12, 3, 0)  # prompt, completion, cached
    drop_after: int | None = None
    chunk_delay: float = 0.0

    @property
    def text(self) -> str:
        return "".join(self.chunks)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    signed: bool


def _usage(reply: StubReply) -> dict[str, Any] | None:
    if reply.usage is None:
        return None
    prompt, completion, cached = reply.usage
    return {
        "promptTokens": prompt,
        "completionTokens": completion,
        "totalTokens": prompt + completion,
        "promptTokensDetails": {"cachedTokens": cached},
    }


DEFAULT_MODELS: list[dict[str, Any]] = [
    {"displayName": "cohere.command-r-plus", "vendor": "cohere", "version": "1.2"},
    {"displayName": "cohere.command-r-plus", "vendor": "cohere", "version": "1.5"},
    {"displayName": "cohere.command-a-03-2025", "vendor": "cohere", "version": "1.0"},
    {"displayName": "meta.llama-3.3-70b-instruct", "vendor": "meta", "version": "1.0.0"},
    {"displayName": "xai.grok-3", "vendor": "xai", "version": "1.0"},
    {"displayName": "xai.grok-4", "vendor": "xai", "version": "1.0"},
    {
        "displayName": "cohere.embed-english-v3.0",
        "vendor": "cohere",
        "version": "3.0",
        "capabilities": ["TEXT_EMBEDDINGS"],
    },
    {
        "displayName": "meta.llama-2-70b-chat",
        "vendor": "meta",
        "version": "1.0",
        "lifecycleState": "DELETED",
    },
]


class OCIStub:
    """`with OCIStub(public_key) as stub:`; point the SDK at `stub.url`."""

    def __init__(
        self,
        public_key: rsa.RSAPublicKey,
        *,
        expect_key_id: str | None = None,
        models: list[dict[str, Any]] | None = None,
    ) -> None:
        self.public_key = public_key
        self.expect_key_id = expect_key_id
        self.models = DEFAULT_MODELS if models is None else models
        self.requests: list[Recorded] = []
        self.problems: list[str] = []
        self._replies: deque[StubReply] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> OCIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def script(self, *replies: StubReply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> StubReply:
        with self._lock:
            return self._replies.popleft() if self._replies else StubReply()

    def chats(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == CHAT_PATH]

    # -- checks -------------------------------------------------------------------------
    def verify_signature(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> str | None:
        """None when the request is signed by our key, else why not."""
        auth = headers.get("authorization", "")
        if not auth.startswith("Signature "):
            return "no Signature authorization header"
        fields = dict(re.findall(r'(\w+)="([^"]*)"', auth))
        if self.expect_key_id is not None and fields.get("keyId") != self.expect_key_id:
            return f"unexpected keyId {fields.get('keyId')!r}"
        lines = []
        for name in fields.get("headers", "").split():
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            else:
                lines.append(f"{name}: {headers.get(name, '')}")
        if method == "POST":
            if "x-content-sha256" not in fields.get("headers", ""):
                return "body headers not signed"
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            if headers.get("x-content-sha256") != digest:
                return "x-content-sha256 does not match the body"
        try:
            self.public_key.verify(
                base64.b64decode(fields.get("signature", "")),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return "signature does not verify"
        return None

    def check_chat_body(self, body: Any) -> list[str]:
        problems: list[str] = []
        if not isinstance(body, dict):
            return ["body is not a JSON object"]
        if not str(body.get("compartmentId", "")).startswith("ocid1.compartment."):
            problems.append("compartmentId missing")
        serving = body.get("servingMode") or {}
        if serving.get("servingType") != "ON_DEMAND" or not serving.get("modelId"):
            problems.append(f"bad servingMode {serving!r}")
        chat = body.get("chatRequest") or {}
        fmt = chat.get("apiFormat")
        if fmt == "COHERE":
            if not isinstance(chat.get("message"), str):
                problems.append("Cohere request without message")
            if "messages" in chat:
                problems.append("Cohere request with messages")
            for turn in chat.get("chatHistory") or []:
                if turn.get("role") not in ("USER", "CHATBOT", "SYSTEM", "TOOL"):
                    problems.append(f"bad Cohere history role {turn.get('role')!r}")
        elif fmt == "GENERIC":
            messages = chat.get("messages")
            if not isinstance(messages, list) or not messages:
                problems.append("Generic request without messages")
            for message in messages or []:
                if message.get("role") not in ("SYSTEM", "USER", "ASSISTANT", "TOOL"):
                    problems.append(f"bad role {message.get('role')!r}")
                for part in message.get("content") or []:
                    if part.get("type") == "IMAGE":  # GenericChatRequest ImageContent
                        url = (part.get("imageUrl") or {}).get("url", "")
                        if message.get("role") != "USER" or not url.startswith("data:image/"):
                            problems.append(f"bad image part {str(part)[:80]!r}")
                    elif part.get("type") != "TEXT" or not isinstance(part.get("text"), str):
                        problems.append(f"bad content part {part!r}")
        else:
            problems.append(f"bad apiFormat {fmt!r}")
        return problems


def _handler(stub: OCIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Small SSE writes must leave at once, as a real server's do; with Nagle on, each
        # waits for the client's delayed ACK (40 ms) and latency numbers mean nothing.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, status: int, payload: Any, extra: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("opc-request-id", "stub-request-1")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            why = stub.verify_signature(method, self.path, headers, raw)
            body = json.loads(raw) if raw else None
            path = self.path.split("?")[0]
            with stub._lock:
                stub.requests.append(Recorded(method, path, headers, body, why is None))
            if why is not None:
                self._json(401, {"code": "NotAuthenticated", "message": why})
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if (method, path) == ("GET", MODELS_PATH):
                    self._models()
                elif (method, path) == ("POST", CHAT_PATH):
                    self._chat(body)
                else:
                    self._json(404, {"code": "NotFound", "message": f"no route {path}"})

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _models(self) -> None:
            items = [
                {
                    "id": f"ocid1.generativeaimodel.oc1..stub{index}",
                    "compartmentId": "ocid1.tenancy.oc1..stub",
                    "capabilities": model.get("capabilities", ["CHAT"]),
                    "lifecycleState": model.get("lifecycleState", "ACTIVE"),
                    "displayName": model["displayName"],
                    "vendor": model["vendor"],
                    "version": model["version"],
                    "timeCreated": "2025-01-01T00:00:00.000Z",
                    "type": "BASE",
                }
                for index, model in enumerate(stub.models)
            ]
            self._json(200, {"items": items})

        def _chat(self, body: Any) -> None:
            problems = stub.check_chat_body(body)
            if problems:
                stub.problems.extend(problems)
                self._json(400, {"code": "InvalidParameter", "message": "; ".join(problems)})
                return
            chat = body["chatRequest"]
            model_id = body["servingMode"]["modelId"]
            known = {m["displayName"] for m in stub.models}
            if model_id not in known:
                self._json(
                    404,
                    {
                        "code": "NotAuthorizedOrNotFound",
                        "message": f"Entity with key {model_id} (model) not found",
                    },
                )
                return
            reply = stub.next_reply()
            if reply.status != 200:
                extra = {"retry-after": f"{reply.retry_after:g}"} if reply.retry_after else {}
                self._json(reply.status, {"code": reply.code, "message": reply.message}, extra)
                return
            cohere = chat["apiFormat"] == "COHERE"
            if not chat.get("isStream"):
                self._json(
                    200,
                    {
                        "modelId": model_id,
                        "modelVersion": "1.0",
                        "chatResponse": _whole(reply, cohere),
                    },
                )
                return
            self._stream(
                reply, cohere, bool((chat.get("streamOptions") or {}).get("isIncludeUsage"))
            )

        def _stream(self, reply: StubReply, cohere: bool, include_usage: bool) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()

            def event(payload: dict[str, Any]) -> None:
                data = b"data: " + json.dumps(payload).encode() + b"\n\n"
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            for index, piece in enumerate(reply.chunks):
                if reply.drop_after is not None and index >= reply.drop_after:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if cohere:
                    event({"apiFormat": "COHERE", "text": piece})
                else:
                    event(
                        {
                            "index": 0,
                            "message": {
                                "role": "ASSISTANT",
                                "content": [{"type": "TEXT", "text": piece}],
                            },
                        }
                    )
                time.sleep(reply.chunk_delay)
            if cohere:
                final: dict[str, Any] = {
                    "apiFormat": "COHERE",
                    "text": reply.text,
                    "finishReason": reply.finish_reason or "COMPLETE",
                }
                if reply.tool_calls:
                    final["toolCalls"] = [
                        {"name": c["name"], "parameters": c["arguments"]} for c in reply.tool_calls
                    ]
                if reply.usage is not None:
                    final["usage"] = _usage(reply)
                event(final)
            else:
                for i, call in enumerate(reply.tool_calls):
                    # Arguments in two pieces, the second without an id, as streamed.
                    args = json.dumps(call["arguments"])
                    half = len(args) // 2
                    event(
                        {
                            "index": 0,
                            "message": {
                                "role": "ASSISTANT",
                                "toolCalls": [
                                    {
                                        "type": "FUNCTION",
                                        "id": f"call_{i}",
                                        "name": call["name"],
                                        "arguments": args[:half],
                                    }
                                ],
                            },
                        }
                    )
                    event(
                        {
                            "index": 0,
                            "message": {
                                "role": "ASSISTANT",
                                "toolCalls": [{"type": "FUNCTION", "arguments": args[half:]}],
                            },
                        }
                    )
                finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
                event({"index": 0, "finishReason": finish})
                if include_usage and reply.usage is not None:
                    event({"usage": _usage(reply)})
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    return Handler


def _whole(reply: StubReply, cohere: bool) -> dict[str, Any]:
    if cohere:
        response: dict[str, Any] = {
            "apiFormat": "COHERE",
            "text": reply.text,
            "finishReason": reply.finish_reason or "COMPLETE",
        }
        if reply.tool_calls:
            response["toolCalls"] = [
                {"name": c["name"], "parameters": c["arguments"]} for c in reply.tool_calls
            ]
    else:
        message: dict[str, Any] = {
            "role": "ASSISTANT",
            "content": [{"type": "TEXT", "text": reply.text}],
        }
        if reply.tool_calls:
            message["toolCalls"] = [
                {
                    "type": "FUNCTION",
                    "id": f"call_{i}",
                    "name": c["name"],
                    "arguments": json.dumps(c["arguments"]),
                }
                for i, c in enumerate(reply.tool_calls)
            ]
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        response = {
            "apiFormat": "GENERIC",
            "timeCreated": "2026-01-01T00:00:00.000Z",
            "choices": [{"index": 0, "message": message, "finishReason": finish}],
        }
    if reply.usage is not None:
        response["usage"] = _usage(reply)
    return response
