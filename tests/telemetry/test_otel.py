"""OpenTelemetry: the span tree and metrics of an ask with a tool call (in-memory
exporters), no prompt text by default, OTLP/HTTP export to a local receiver, and no
OpenTelemetry import when telemetry is off (#23)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

from coda_ls import telemetry
from coda_ls.config import Settings
from coda_ls.engine import AskRequest, Engine
from coda_ls.errors import CodaError
from coda_ls.sessions import SessionStore
from coda_ls.telemetry.otel import OTelTelemetry
from coda_ls.tools import Toolbox
from coda_ls.tools.permissions import Decision, PermissionRequest
from tests.support.model_server import Reply, ScriptedModelServer

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "What is the SECRET-PROMPT-MARKER number?"
FILE_TEXT = "SECRET-CODE-MARKER = 7\n"


class Yes:
    async def ask(self, request: PermissionRequest) -> Decision:
        return Decision.YES


@pytest.fixture
def memory() -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader]]:
    spans = InMemorySpanExporter()
    metrics = InMemoryMetricReader()
    telemetry.install(OTelTelemetry.build([SimpleSpanProcessor(spans)], [metrics]))
    yield spans, metrics
    telemetry.reset()


async def ask_with_tool(server: ScriptedModelServer, root: Path) -> None:
    (root / "notes.py").write_text(FILE_TEXT)
    settings = Settings.model_validate(
        {"providers": {"ollama": {"host": server.url}}, "provider": "ollama"}
    )
    engine = Engine(
        settings,
        root,
        store=SessionStore(root / "s.db"),
        toolbox=Toolbox(root, settings, Yes()),
    )
    server.script(
        Reply(
            text="",
            chunks=[],
            tool_calls=[{"name": "read_file", "arguments": {"path": "notes.py"}}],
        ),
        Reply(text="It is 7."),
    )
    try:
        answer = await engine.ask(AskRequest(question=QUESTION))
    finally:
        await engine.aclose()
    assert answer.text == "It is 7." and answer.tool_calls == 1


async def test_span_tree_of_an_ask_with_a_tool_call(
    memory: tuple[InMemorySpanExporter, InMemoryMetricReader],
    model_server: ScriptedModelServer,
    tmp_path: Path,
) -> None:
    spans_exporter, reader = memory
    await ask_with_tool(model_server, tmp_path)
    spans = spans_exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}
    roots = [s for s in spans if s.parent is None]
    assert [s.name for s in roots] == ["coda.request"]
    root = roots[0]
    children = sorted(
        (s for s in spans if s.parent is not None and s.parent.span_id == root.context.span_id),
        key=lambda s: s.start_time or 0,
    )
    assert [s.name for s in children] == [
        "coda.context",
        "coda.provider",
        "coda.tool",
        "coda.provider",
    ]
    assert all(s.context.trace_id == root.context.trace_id for s in spans)
    assert len(by_id) == 5
    attrs = dict(root.attributes or {})
    assert attrs["coda.provider"] == "ollama" and attrs["coda.tool_calls"] == 1
    assert attrs["coda.tokens.output"] == 14  # two replies of 7
    provider = dict(children[1].attributes or {})
    assert provider["coda.tokens.input"] == 11 and "coda.ttft" not in provider  # no text
    assert "coda.ttft" in dict(children[3].attributes or {})
    assert dict(children[2].attributes or {})["coda.tool.name"] == "read_file"
    assert dict(children[0].attributes or {})["coda.context.tokens"] > 0
    # Nothing the user typed or the code read is exported by default.
    exported = repr([(s.name, dict(s.attributes or {}), s.events) for s in spans])
    assert "SECRET-PROMPT-MARKER" not in exported and "SECRET-CODE-MARKER" not in exported
    # Metrics: a request, its tokens, its latency.
    data = reader.get_metrics_data()
    assert data is not None
    names = {
        metric.name: metric
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
    }
    assert {"coda.requests", "coda.tokens", "coda.request.duration", "coda.tool.calls"} <= set(
        names
    )
    requests = names["coda.requests"].data.data_points
    assert sum(point.value for point in requests) == 1


async def test_question_exported_only_when_opted_in(
    model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    spans = InMemorySpanExporter()
    telemetry.install(OTelTelemetry.build([SimpleSpanProcessor(spans)], [], include_content=True))
    try:
        await ask_with_tool(model_server, tmp_path)
    finally:
        telemetry.reset()
    root = next(s for s in spans.get_finished_spans() if s.name == "coda.request")
    assert dict(root.attributes or {})["coda.question"] == QUESTION


async def test_errors_are_counted_by_kind_without_their_message(
    memory: tuple[InMemorySpanExporter, InMemoryMetricReader],
    model_server: ScriptedModelServer,
    tmp_path: Path,
) -> None:
    spans_exporter, reader = memory
    settings = Settings.model_validate(
        {
            "providers": {"ollama": {"host": model_server.url, "max_retries": 0}},
            "provider": "ollama",
        }
    )
    engine = Engine(settings, tmp_path)
    model_server.script(Reply(status=500, error="SECRET-PROMPT-MARKER in the error"))
    try:
        with pytest.raises(CodaError):
            await engine.ask(AskRequest(question="hi"))
    finally:
        await engine.aclose()
    root = next(s for s in spans_exporter.get_finished_spans() if s.name == "coda.request")
    assert "error.type" in dict(root.attributes or {})
    assert "SECRET-PROMPT-MARKER" not in repr(
        [
            (s.attributes, s.status.description, s.events)
            for s in spans_exporter.get_finished_spans()
        ]
    )
    data = reader.get_metrics_data()
    assert data is not None
    errors = [
        point
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
        if metric.name == "coda.errors"
        for point in metric.data.data_points
    ]
    assert errors and "error.kind" in dict(errors[0].attributes or {})


class Receiver:
    """A minimal OTLP/HTTP collector on 127.0.0.1: records each POST's path and body."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, bytes]] = []
        self.event = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.posts.append((self.path, body))
                receiver.event.set()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


async def test_otlp_http_export_to_a_local_receiver(
    model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    receiver = Receiver()
    try:
        settings = Settings.model_validate(
            {"telemetry": {"enabled": True, "endpoint": receiver.url}}
        )
        assert telemetry.wanted(settings, env={})
        tel = telemetry.configure(settings)
        assert tel.enabled
        await ask_with_tool(model_server, tmp_path)
        telemetry.reset()  # shutdown flushes spans and metrics
        paths = {path for path, _ in receiver.posts}
        assert "/v1/traces" in paths and "/v1/metrics" in paths
        traces = b"".join(body for path, body in receiver.posts if path == "/v1/traces")
        assert b"coda.request" in traces and b"coda.tool" in traces
        assert b"SECRET-PROMPT-MARKER" not in traces and b"SECRET-CODE-MARKER" not in traces
    finally:
        telemetry.reset()
        receiver.server.shutdown()


def test_off_by_default_and_nothing_imports_opentelemetry(
    model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    assert not telemetry.wanted(Settings(), env={})
    assert telemetry.wanted(Settings(), env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"})
    assert not telemetry.wanted(
        Settings(), env={"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}
    )
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from coda_ls.workspace import Workspace\n"
        "from coda_ls.engine import AskRequest\n"
        "async def main():\n"
        "    ws = Workspace.open(Path(sys.argv[1]))\n"
        "    await ws.ask(AskRequest(question='hi', use_tools=False))\n"
        "    await ws.aclose()\n"
        "asyncio.run(main())\n"
        "loaded = [m for m in sys.modules if m.startswith('opentelemetry')]\n"
        "print('LOADED', loaded)\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "OLLAMA_HOST": model_server.url,
    }
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout
    assert model_server.chat_requests(), "the ask did not reach the model"


def test_install_id_is_visible_and_resettable(isolated_env: Path) -> None:
    from click.testing import CliRunner

    from coda_cli.main import cli
    from coda_ls.telemetry import install_id

    runner = CliRunner()
    first = runner.invoke(cli, ["telemetry", "status"])
    assert first.exit_code == 0, first.output
    assert "telemetry: off" in first.output and "none yet" in first.output
    created = install_id.get()
    assert created is not None and created in runner.invoke(cli, ["telemetry", "status"]).output
    reset = runner.invoke(cli, ["telemetry", "reset-id"])
    assert reset.exit_code == 0 and created not in reset.output
    assert install_id.get() != created and install_id.get() in reset.output


def test_console_exporter_writes_to_stderr_not_stdout(
    model_server: ScriptedModelServer, tmp_path: Path
) -> None:
    """stdout is the answer (or `--json`) in the CLI and the LSP frames in the server."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "OLLAMA_HOST": model_server.url,
        "OTEL_TRACES_EXPORTER": "console",
    }
    done = subprocess.run(
        [sys.executable, "-m", "coda_cli", "ask", "--json", "--no-tools", "hi"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["answer"] == "Hello from the scripted model."
    assert '"name": "coda.request"' in done.stderr


async def test_provider_span_counts_retries(
    memory: tuple[InMemorySpanExporter, InMemoryMetricReader],
    model_server: ScriptedModelServer,
    tmp_path: Path,
) -> None:
    spans_exporter, _ = memory
    settings = Settings.model_validate(
        {"providers": {"ollama": {"host": model_server.url}}, "provider": "ollama"}
    )
    engine = Engine(settings, tmp_path)
    model_server.script(Reply(status=429, error="busy", retry_after=0), Reply(text="ok"))
    try:
        await engine.ask(AskRequest(question="hi", use_tools=False))
    finally:
        await engine.aclose()
    provider = next(s for s in spans_exporter.get_finished_spans() if s.name == "coda.provider")
    assert dict(provider.attributes or {})["coda.retries"] == 1
