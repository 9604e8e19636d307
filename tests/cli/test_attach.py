"""Attachments from the CLI: `--image`, `--attach` and `@file` mentions, end to end against
the scripted Ollama server, and the refusal for a model that does not read images."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from tests.support.files import pdf_bytes, png_bytes, scanned_pdf_bytes
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> ScriptedModelServer:
    models = [ScriptedModel("llava:7b", vision=True), ScriptedModel("qwen2.5-coder:7b")]
    with ScriptedModelServer(models=models) as instance:
        yield instance  # type: ignore[misc]


@pytest.fixture
def project(tmp_path: Path, server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text("def main():\n    return 1 / 0\n")
    (root / "shot.png").write_bytes(png_bytes())
    (root / "spec.pdf").write_bytes(pdf_bytes("Section 3 says divide safely"))
    (root / "scan.pdf").write_bytes(scanned_pdf_bytes())
    monkeypatch.setenv("OLLAMA_HOST", server.url)
    monkeypatch.chdir(root)
    return root


def test_image_and_pdf_flags_end_to_end_in_a_real_process(
    project: Path, server: ScriptedModelServer
) -> None:
    server.script(Reply(text="ZeroDivisionError on line 2."))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "coda_cli", "ask", "--mode", "debug", "--model", "llava:7b",
         "--image", "shot.png", "--attach", "spec.pdf", "why does it crash?"],
        cwd=project, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "ZeroDivisionError on line 2." in result.stdout
    body = server.chat_requests()[-1].body
    question = body["messages"][-1]
    assert [base64.b64decode(i) for i in question["images"]] == [png_bytes()]
    assert "--- page 1 ---\nSection 3 says divide safely" in question["content"]
    assert "screenshot of an error" in body["messages"][0]["content"]


def test_mentions_attach_images_and_pdfs(project: Path, server: ScriptedModelServer) -> None:
    result = CliRunner().invoke(
        cli, ["ask", "--model", "llava:7b", "compare @shot.png with @spec.pdf and @app.py"]
    )
    assert result.exit_code == 0, result.output
    question = server.chat_requests()[-1].body["messages"][-1]
    assert [base64.b64decode(i) for i in question["images"]] == [png_bytes()]
    assert "spec.pdf (text of the PDF)" in question["content"]
    assert "return 1 / 0" in question["content"]  # a code file is still read as code
    assert "PNG" not in question["content"]  # the image is not pasted as text


def test_a_text_only_model_is_refused_before_sending(
    project: Path, server: ScriptedModelServer
) -> None:
    result = CliRunner().invoke(
        cli, ["ask", "--model", "qwen2.5-coder:7b", "--image", "shot.png", "what is this?"]
    )
    assert result.exit_code == 2
    assert "ollama/qwen2.5-coder:7b does not accept images" in result.output
    assert "llama3.2-vision" in result.output and "Traceback" not in result.output
    assert server.chat_requests() == []


def test_bad_attachments_are_refused_with_a_hint(
    project: Path, server: ScriptedModelServer
) -> None:
    result = CliRunner().invoke(cli, ["ask", "--image", "spec.pdf", "hi"])
    assert result.exit_code == 2 and "not an image" in result.output and "--attach" in result.output
    result = CliRunner().invoke(cli, ["ask", "--model", "llava:7b", "--attach", "scan.pdf", "hi"])
    assert result.exit_code == 2 and "no text found (scanned PDF?)" in result.output
    assert server.chat_requests() == []


def test_explain_a_screenshot_of_code(project: Path, server: ScriptedModelServer) -> None:
    result = CliRunner().invoke(
        cli, ["explain", "app.py", "--model", "llava:7b", "--image", "shot.png"]
    )
    assert result.exit_code == 0, result.output
    body = server.chat_requests()[-1].body
    assert "transcribe the code" in body["messages"][0]["content"]  # explain's image prompt
    assert body["messages"][-1]["images"] and "return 1 / 0" in body["messages"][-1]["content"]
