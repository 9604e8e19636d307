"""Repo map benchmark: Coda's cold, warm and incremental builds vs aider's repo map.

    python benchmarks/repomap.py [--repo DIR] [--aider-python /work/aider-venv/bin/python]

Without --repo, downloads the Django 5.1.4 sdist from PyPI (pip download, cached under
the system temp dir) and unpacks it. aider runs in its own venv (never this one) in a
subprocess; when it is not installed its column says so and the rest still runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

DJANGO = "django==5.1.4"
AIDER_PYTHON = Path("/work/aider-venv/bin/python")
GOALS = {"cold": "<= 0.5x aider", "warm": "<= 0.2 s", "update": "<= 30 ms"}

# Run inside aider's venv: time a cold map and a warm (cached) map of the same files.
_AIDER_SCRIPT = r"""
import json, os, sys, time
from pathlib import Path
from aider.io import InputOutput
from aider.models import Model
from aider.repomap import RepoMap
root = Path(sys.argv[1]); files = json.loads(sys.stdin.read())
paths = [str(root / f) for f in files]
io = InputOutput(pretty=False, yes=True)
model = Model("gpt-4o")
def run():
    rm = RepoMap(map_tokens=1024, root=str(root), main_model=model, io=io)
    t = time.perf_counter(); text = rm.get_repo_map([], paths) or ""
    return time.perf_counter() - t, text, rm
cold, text, _ = run()
warm, _, _ = run()
print(json.dumps({"cold": cold, "warm": warm, "tokens": model.token_count(text),
                  "head": text[:600]}))
"""


def fetch_django(work: Path) -> Path:
    target = work / "Django-5.1.4"
    if target.is_dir():
        return target
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         DJANGO, "-d", str(work)],
        check=True, capture_output=True,
    )  # fmt: skip
    archive = next(work.glob("[Dd]jango-5.1.4.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return target


def bench_coda(repo: Path, cache: Path) -> tuple[dict[str, float], list[str], str]:
    from coda_ls.config import RepoMapSettings
    from coda_ls.repomap.repomap import RepoMap

    settings = RepoMapSettings()
    cold_map = RepoMap(repo, settings, cache_dir=cache)
    start = time.perf_counter()
    cold_map.build()
    cold = time.perf_counter() - start
    start = time.perf_counter()
    rendered = cold_map.render()
    render_cold = time.perf_counter() - start
    files = cold_map.files
    cold_map.close()

    warm_map = RepoMap(repo, settings, cache_dir=cache)
    start = time.perf_counter()
    warm_map.build()
    warm = time.perf_counter() - start
    assert warm_map.last_build["parsed"] == 0, warm_map.last_build
    warm_map.render()  # as in the editor: the map has been rendered before the user edits

    py_files = sorted(
        (f for f in files if f.endswith(".py")), key=lambda f: (repo / f).stat().st_size
    )
    typical = py_files[int(len(py_files) * 0.9)]  # a sizeable module (90th percentile)
    largest = py_files[-1]
    update_times = {}
    for label, target in (("update", typical), ("update_largest", largest)):
        text = (repo / target).read_text(encoding="utf-8")
        text += "\n\ndef benchmark_added(x):\n    return x\n"
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            added = warm_map.update(repo / target, text)
            timings.append(time.perf_counter() - start)
        assert any(t.name == "benchmark_added" for t in added)
        update_times[label] = sorted(timings)[len(timings) // 2]
        update_times[label + "_kb"] = (repo / target).stat().st_size / 1024
    start = time.perf_counter()
    warm_map.render(focus_files=[repo / target])
    render_after = time.perf_counter() - start
    result = {
        "cold": cold,
        "warm": warm,
        **update_times,
        "render": render_cold,
        "render_after_update": render_after,
        "files": float(len(files)),
        "tokens": float(rendered.tokens),
    }
    return result, files, rendered.text


def bench_aider(repo: Path, files: list[str], python: Path) -> dict[str, float] | str:
    if not python.exists():
        return f"aider not installed ({python} missing)"
    probe = subprocess.run([str(python), "-c", "import aider.repomap"], capture_output=True)
    if probe.returncode != 0:
        return "aider not importable in " + str(python)
    # aider caches tags inside the repository: remove it so its cold run is cold.
    for stale in repo.glob(".aider.tags.cache.v*"):
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory() as home:
        env = {"HOME": home, "PATH": "/usr/bin:/bin", "AIDER_ANALYTICS": "false"}
        done = subprocess.run(
            [str(python), "-c", _AIDER_SCRIPT, str(repo)],
            input=json.dumps(files), capture_output=True, text=True, env=env, timeout=3600,
        )  # fmt: skip
    if done.returncode != 0:
        return "aider failed: " + done.stderr.strip().splitlines()[-1][:200]
    data: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="repository to map (default: Django sdist)")
    parser.add_argument("--aider-python", type=Path, default=AIDER_PYTHON)
    parser.add_argument("--no-aider", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.gettempdir()) / "coda-bench"
    work.mkdir(exist_ok=True)
    repo = (args.repo or fetch_django(work)).resolve()
    with tempfile.TemporaryDirectory() as cache:
        coda, files, text = bench_coda(repo, Path(cache))
    aider = "skipped (--no-aider)" if args.no_aider else bench_aider(repo, files, args.aider_python)

    print(f"repository: {repo} ({int(coda['files'])} source files mapped by Coda)")
    print(f"{'measure':<22}{'coda':>12}{'aider':>12}{'ratio':>10}  goal")
    for key, label in (("cold", "cold build"), ("warm", "warm (cached) build"),
                       ("update", "one-file update")):  # fmt: skip
        ours = coda[key]
        theirs = aider.get(key) if isinstance(aider, dict) else None
        ratio = f"{ours / theirs:.3f}x" if theirs else "-"
        theirs_s = f"{theirs:.3f}s" if theirs is not None else "-"
        print(f"{label:<22}{ours:>11.3f}s{theirs_s:>12}{ratio:>10}  {GOALS[key]}")
    # aider's timings include ranking and rendering its map; these rows compare like with like.
    for key, label in (("cold", "cold + first render"), ("warm", "warm + render")):
        ours = coda[key] + coda["render"]
        theirs = aider.get(key) if isinstance(aider, dict) else None
        ratio = f"{ours / theirs:.3f}x" if theirs else "-"
        theirs_s = f"{theirs:.3f}s" if theirs is not None else "-"
        print(f"{label:<22}{ours:>11.3f}s{theirs_s:>12}{ratio:>10}")
    print(f"{'first render':<22}{coda['render']:>11.3f}s  (PageRank + fit, 1024 tokens)")
    print(f"{'render after update':<22}{coda['render_after_update']:>11.3f}s")
    print(f"{'update, largest file':<22}{coda['update_largest']:>11.3f}s")
    print(
        f"update files: {coda['update_kb']:.0f} KB (90th percentile), "
        f"{coda['update_largest_kb']:.0f} KB (largest); map tokens: {int(coda['tokens'])}"
    )
    if isinstance(aider, str):
        print(f"aider: {aider}")
    else:
        print(f"aider map tokens: {int(aider['tokens'])}")
    print("\nCoda map head:\n" + "\n".join(text.splitlines()[:12]))
    if isinstance(aider, dict):
        print("\naider map head:\n" + "\n".join(str(aider["head"]).splitlines()[:12]))


if __name__ == "__main__":
    main()
