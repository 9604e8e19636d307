"""`coda ask --no-tools hi` as a whole process: the Ollama path against the native
OpenAI-compatible path (and, for reference, LiteLLM), on one scripted local server that
speaks both APIs.

Each run is a fresh `coda` process; wall time is measured around it, and its CPU time
(user + system) and peak memory (`ru_maxrss`) come from its own `os.wait4` usage — CPU
time is what to read when other work loads the machine and stretches every wall time.
Paths are interleaved — each round runs every path once, in an order rotated per round —
so a busy machine weighs on all of them alike. One
untimed run per path first warms the repo-map cache and the session database.

    python benchmarks/openai_path.py [--runs 7] [--no-litellm] [--target 1.15]

Exit status 1 when the OpenAI-compatible path's median wall time or peak memory is more
than `--target` times the Ollama path's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOWN = "http://127.0.0.1:9"  # refused at once: the automatic selection moves on


def _launcher() -> list[str]:
    """The installed `coda` script next to this Python, else `python -m coda_cli`."""
    script = Path(sys.executable).with_name("coda")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "coda_cli"]


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.support.model_server", "--port", "0", "--reply", "Hello!"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a client closing a kept-alive connection is not news
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline().split()
    if line[:1] != ["PORT"]:
        server.kill()
        raise SystemExit(f"the scripted server did not start: {line}")
    return server, f"http://127.0.0.1:{line[1]}"


def environments(url: str, home: Path, litellm: bool) -> dict[str, dict[str, str]]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CODA_", "OLLAMA_", "OPENAI_", "LITELLM_", "ANTHROPIC_"))
    }
    base.update(
        PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        CODA_NO_PROJECT_CONFIG="1",
    )
    paths = {
        "Ollama (native)": {"OLLAMA_HOST": url},
        "OpenAI-compatible (OPENAI_BASE_URL, auto)": {
            "OLLAMA_HOST": DOWN,
            "OPENAI_BASE_URL": url + "/v1",
        },
        "OpenAI-compatible (provider = openai)": {
            "OLLAMA_HOST": DOWN,
            "OPENAI_BASE_URL": url + "/v1",
            "CODA_PROVIDER": "openai",
        },
    }
    if litellm:
        paths["LiteLLM (api_base)"] = {
            "OLLAMA_HOST": DOWN,
            "CODA_PROVIDER": "litellm",
            "CODA_MODEL": "llama3.2:latest",
            "CODA_PROVIDERS__LITELLM__API_BASE": url + "/v1",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        }
    return {name: {**base, **extra} for name, extra in paths.items()}


Sample = tuple[float, float, float]  # wall s, CPU s, peak RSS MiB


def run_once(env: dict[str, str], cwd: Path) -> Sample:
    """(wall seconds, CPU seconds, peak RSS MiB) of one `coda ask --no-tools hi`."""
    argv = [*_launcher(), "ask", "--no-tools", "hi"]
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    out = child.stdout.read() if child.stdout else b""
    err = child.stderr.read() if child.stderr else b""
    if os.waitstatus_to_exitcode(status) != 0 or b"Hello!" not in out:
        raise SystemExit(f"coda failed ({status}): {out.decode()[-500:]} {err.decode()[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-litellm", action="store_true", help="skip the LiteLLM row")
    parser.add_argument("--target", type=float, default=1.15)
    args = parser.parse_args()
    server, url = start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            project = home / "project"
            project.mkdir()
            for index in range(20):  # a small project for the repo map
                (project / f"module_{index}.py").write_text(
                    f"def function_{index}(x):\n    return module_{(index + 1) % 20}(x)\n"
                )
            envs = environments(url, home, not args.no_litellm)
            for env in envs.values():
                run_once(env, project)  # warm: repo-map cache, session database
            samples: dict[str, list[Sample]] = {name: [] for name in envs}
            names = list(envs)
            for round_ in range(args.runs):
                shift = round_ % len(names)
                for name in names[shift:] + names[:shift]:
                    samples[name].append(run_once(envs[name], project))
    finally:
        server.terminate()
        server.wait(timeout=10)
    report(samples, args.runs, args.target)


def report(samples: dict[str, list[Sample]], runs: int, target: float) -> None:
    base = samples["Ollama (native)"]
    base_wall = statistics.median(w for w, _, _ in base)
    base_cpu = statistics.median(c for _, c, _ in base)
    base_mem = statistics.median(m for _, _, m in base)
    print(f"`coda ask --no-tools hi`, whole process, {runs} interleaved runs per path\n")
    print(
        "| path | wall median | min–max | × Ollama | CPU median | × Ollama "
        "| peak RSS median | × Ollama |"
    )
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for name, values in samples.items():
        walls = [w for w, _, _ in values]
        wall = statistics.median(walls)
        cpu = statistics.median(c for _, c, _ in values)
        mem = statistics.median(m for _, _, m in values)
        print(
            f"| {name} | {wall:.2f} s | {min(walls):.2f}–{max(walls):.2f} s | "
            f"{wall / base_wall:.2f} | {cpu:.2f} s | {cpu / base_cpu:.2f} | "
            f"{mem:.0f} MiB | {mem / base_mem:.2f} |"
        )
        if name.startswith("OpenAI") and (wall / base_wall > target or mem / base_mem > target):
            failed = True
    print(f"\ntarget: OpenAI-compatible within {target:.2f}× of Ollama (wall and memory)")
    if failed:
        print("MISSED")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
