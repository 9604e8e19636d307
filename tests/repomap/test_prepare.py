"""`Workspace.prepare` (every front's background start) ranks the map before it says
ready, in a worker process: the first map asked for loads a persisted ranking (issue 16)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from coda_ls.config import RepoMapSettings
from coda_ls.repomap.repomap import RepoMap
from coda_ls.tokens import token_counter
from coda_ls.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def copy_of_this_repository(tmp_path: Path) -> Path:
    root = tmp_path / "coda"
    for part in ("coda_ls", "tests/repomap"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_prepare_ranks_in_a_worker_before_ready(tmp_path: Path) -> None:
    root = copy_of_this_repository(tmp_path)
    workspace = Workspace.open(root, as_root=True)
    token_counter.cache_clear()
    try:
        asyncio.run(workspace.prepare())
        repo_map = workspace.repo_map
        assert repo_map is not None and workspace.map_error is None
        assert repo_map.last_build["parsed"] == repo_map.last_build["files"] > 64
        rendered = workspace.render_map()
        # Ranked and fitted by the worker, loaded here: no reference graph in this
        # process, no tokenizer loaded (it holds the GIL for a third of a second).
        assert repo_map._graph is None
        assert token_counter.cache_info().misses == 0
    finally:
        workspace.close()
    # The very map a process that ranks by itself renders.
    alone = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "alone")
    alone.build()
    assert alone.render().text == rendered.text
    assert alone._graph is not None
    alone.close()
