"""`coda acp`: run the agent over stdio, answering every malformed line.

The SDK (agent-client-protocol 0.12) drops a line that is not JSON without a word, and a
line that is JSON but not an object (an array, a number) stops its receive loop: the
agent would hang or die. Every line from stdin therefore passes `check_line` first; a
bad one is answered with the JSON-RPC error the spec asks for (-32700 parse error,
-32600 invalid request) and the good ones go on to the SDK unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, cast

from acp import run_agent
from acp.stdio import stdio_streams

from coda_ls.acp.agent import CodaAgent

log = logging.getLogger(__name__)

LINE_LIMIT = 50 * 1024 * 1024  # the SDK's own default: prompts may embed whole files


def _error(code: int, message: str, request_id: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def check_line(line: bytes) -> dict[str, Any] | None:
    """None when the line may go to the SDK, else the error response to send back."""
    text = line.strip()
    if not text:
        return None
    try:
        message = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(-32700, f"Parse error: {exc}")
    if not isinstance(message, dict):
        return _error(-32600, "Invalid request: a message must be a JSON object")
    request_id = message.get("id")
    if request_id is not None and not isinstance(request_id, str | int):
        return _error(-32600, "Invalid request: id must be a string or a number")
    if "method" in message:
        if not isinstance(message["method"], str):
            return _error(-32600, "Invalid request: method must be a string", request_id)
        params = message.get("params")
        if params is not None and not isinstance(params, dict | list):
            return _error(-32602, "Invalid params: params must be an object", request_id)
        return None
    if "id" in message and ("result" in message or "error" in message):
        return None  # a response to one of the agent's requests
    return _error(-32600, "Invalid request: neither a request nor a response", request_id)


async def _pump(
    source: asyncio.StreamReader, target: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                line = await source.readline()
            except ValueError:  # a line over the limit: its rest was dropped by readline
                problem: dict[str, Any] | None = _error(-32700, "Parse error: message too long")
                line = b"\n"
            else:
                if not line:
                    return
                problem = check_line(line)
            if problem is None:
                target.feed_data(line if line.endswith(b"\n") else line + b"\n")
                continue
            log.warning("ACP: %s", problem["error"]["message"])
            # One whole line in one write: it cannot interleave with the SDK's messages.
            writer.write(json.dumps(problem).encode() + b"\n")
            await writer.drain()
    finally:
        target.feed_eof()


async def serve(cwd: Path) -> None:
    """Serve ACP on stdin/stdout until the client closes stdin."""
    raw, writer = await stdio_streams(limit=LINE_LIMIT)
    checked = asyncio.StreamReader(limit=LINE_LIMIT)
    pump = asyncio.ensure_future(_pump(raw, checked, writer))
    agent = CodaAgent(cwd)
    try:
        await run_agent(cast(Any, agent), writer, checked)
    finally:
        pump.cancel()
        await agent.aclose()


def main(cwd: Path | None = None) -> None:
    asyncio.run(serve(cwd or Path.cwd()))
