"""`Workspace.prepare` (every front's background start) ranks the map before it says
ready, in a worker process: the first map asked for loads a persisted ranking (issue 16)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from coda_ls.config import RepoMapSettings
from coda_ls.repomap.repomap import RepoMap
from coda_ls.repomap.worker import BACKGROUND_NICENESS, background
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


def small_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "a.py").write_text("def helper_one():\n    return 1\n")
    (root / "b.py").write_text("def user_one():\n    return helper_one()\n")
    return root


def test_rank_ahead_without_a_disk_cache_ranks_here(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")  # the cache directory cannot be made: the cache is in memory
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=blocker)
    repo_map.build()
    assert repo_map.rank_ahead() is False  # no worker: it could not see the cache
    assert "helper_one" in repo_map.render().text
    repo_map.close()


def test_rank_ahead_when_the_cache_lacks_a_file_ranks_here(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    repo_map.build()
    repo_map._cache.delete(["b.py"])  # the worker must not rank another file set
    assert repo_map.rank_ahead() is False
    rendered = repo_map.render()
    assert repo_map._graph is not None and "helper_one" in rendered.text
    repo_map.close()


def test_rank_ahead_persists_what_render_then_loads(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    repo_map.build()
    assert repo_map.rank_ahead() is True
    assert repo_map.rank_ahead() is True  # already persisted: no second worker
    rendered = repo_map.render()
    assert repo_map._graph is None and "helper_one" in rendered.text
    repo_map.close()


def _niceness() -> int:
    return os.nice(0)


def test_a_background_worker_runs_at_a_lower_priority() -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, context, background, (os.getpid(),)) as pool:
        inside = pool.submit(_niceness).result()
    assert inside >= min(os.nice(0) + BACKGROUND_NICENESS, 19)


_ORPHAN_SCRIPT = """
import multiprocessing, os, time
from concurrent.futures import ProcessPoolExecutor
from coda_ls.repomap.worker import exit_with_parent
context = multiprocessing.get_context("spawn")
pool = ProcessPoolExecutor(1, context, exit_with_parent, (os.getpid(),))
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_exit_when_their_parent_is_killed() -> None:
    # An editor killed with -9 must not leave parse workers (and the resource tracker
    # holding its pipes) behind.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True, env=env
    )
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert _alive(worker)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker)


def test_prepare_keeps_long_lived_objects_out_of_full_collections(tmp_path: Path) -> None:
    # A full collection walks every tracked object while holding the GIL: in a server,
    # ~75k objects after its imports took 120-390 ms on a loaded machine. After prepare,
    # what was loaded to serve and map is frozen: a collection walks only what came after.
    import gc

    root = small_project(tmp_path)
    workspace = Workspace.open(root, as_root=True)
    gc.unfreeze()
    try:
        asyncio.run(workspace.prepare())
        assert workspace.repo_map is not None
        frozen, left = gc.get_freeze_count(), len(gc.get_objects())
        assert frozen > 10_000
        assert left < frozen // 4
    finally:
        gc.unfreeze()
        workspace.close()
