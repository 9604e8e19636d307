"""A session worth sharing: a question naming absolute paths and a fake API key, an
answer with Python code and a tool call whose arguments and result hold secrets too."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FAKE_KEY = "sk-proj-FAKEfakeFAKEfake1234567890abcd"
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2
PASSWORD = "hunter2-very-secret"


@dataclass
class Shared:
    root: Path
    session_id: str


@pytest.fixture
def shared(tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> Shared:
    from coda_ls.sessions import SessionStore
    from coda_ls.sessions.models import Timing
    from coda_ls.wire import ToolCall, Usage

    root = tmp_path / "proj"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "geometry.py").write_text("def area(w, h):\n    return w * h\n")
    monkeypatch.chdir(root)
    with SessionStore() as store:
        session = store.create_session(project_root=root, vcs_revision="abc123def456")
        store.add_message(
            session.id,
            "user",
            f"Why does {root}/geometry.py fail? My key is OPENAI_API_KEY={FAKE_KEY}, "
            f"also {FAKE_KEY} and {GITHUB_TOKEN}; notes in {isolated_env}/notes.txt",
        )
        store.add_message(
            session.id,
            "assistant",
            "Let me read it.",
            provider="ollama",
            model="llama3.2:latest",
            usage=Usage(input_tokens=120, output_tokens=8, cost=0.0012),
            timing=Timing(latency_ms=300, ttft_ms=50, wall_ms=320),
            tool_calls=[
                ToolCall(id="call-1", name="read_file", arguments={"path": f"{root}/geometry.py"})
            ],
        )
        store.add_message(
            session.id,
            "tool",
            f"def area(w, h):\n    return w * h\n# db password: {PASSWORD}\n",
            tool_call_id="call-1",
        )
        store.add_message(
            session.id,
            "assistant",
            "It works; here it is typed:\n\n```python\ndef area(w: float, h: float) -> float:\n"
            "    return w * h\n```\n",
            provider="ollama",
            model="llama3.2:latest",
            usage=Usage(input_tokens=200, output_tokens=40, cached_tokens=100, cost=0.002),
        )
    return Shared(root, session.id)


def secrets_in(text: str, tmp_root: Path) -> list[str]:
    """What must not appear in anything shared."""
    found = [s for s in (FAKE_KEY, GITHUB_TOKEN, PASSWORD) if s in text]
    found += [str(tmp_root)] if str(tmp_root) in text else []
    return found
