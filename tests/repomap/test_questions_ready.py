"""Two stages of readiness (issue 16): a front serves the map once `prepare` is done,
and reports "ready" once the worker holding the map has also built what a question
needs (graph, words index), so the first question is ranked, not waiting for them."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from coda_ls.config_layers import read_layers
from coda_ls.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def test_questions_ready_waits_for_the_workers_graph_and_words(tmp_path: Path) -> None:
    root = tmp_path / "coda"
    for part in ("coda_ls/repomap", "coda_ls/server"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    workspace = Workspace(root, read_layers(cwd=root))
    try:
        asyncio.run(workspace.prepare())
        assert workspace.map_ready.is_set()
        repo_map = workspace.repo_map
        assert repo_map is not None
        holder = repo_map._holder
        assert holder is not None and holder.warming is not None  # queued, not waited for
        asyncio.run(workspace.questions_ready())
        assert holder.warming.done() and holder.warming.exception() is None
        focused = workspace.render_map(1024, [root / "coda_ls/repomap/rank.py"])
        assert "rank.py" in focused.text
    finally:
        workspace.close()


def test_questions_ready_without_a_map_returns_at_once(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path, read_layers(cwd=tmp_path))
    try:
        asyncio.run(workspace.questions_ready(timeout=1))
    finally:
        workspace.close()
