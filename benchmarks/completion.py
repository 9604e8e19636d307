"""Inline completion: the latency Coda adds over the model, and the context it gives.

    python benchmarks/completion.py [--repo DIR | --git DIR] [--requests 200] [--lines 300]

`--git` takes a git directory (a bare mirror is fine) and exports its HEAD; `--repo` a
source tree. Default: pallets/click's mirror at /work/.mirror/pallets+click/repo.

1. Latency. The real `coda-ls` over stdio, its map built (warm), debounce 0, against the
   scripted model server answering `/api/generate` at once. Each of `--requests`
   `textDocument/inlineCompletion` requests is at a new position of an open file (no
   cache hit); the same number of bare `/api/generate` calls over a kept-alive httpx
   client measures the model's own round trip. Coda's cost is the difference, and the
   in-process split (prompt building, post-processing) is printed too.
2. Context. Lines of the repository's own files that call something the project defines
   are blanked out, one at a time, and the completion prompt for the blanked line is
   built (`Completer.prompt`, the code the server runs). Reported: how often the called
   identifiers' definitions (their signature) are in the prompt, with the repo-map
   context and without it (the buffer window alone). No fill-in-the-middle model can run
   on this machine (no GPU, no Ollama, no network beyond package registries), so the
   exact-match / edit-similarity of generated lines is not measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.lsp import Client  # noqa: E402

MODEL = "qwen2.5-coder:1.5b-base"
DEFAULT_GIT = Path("/work/.mirror/pallets+click/repo")
GOALS = {"added p95": "<= 15 ms"}
_CALL = re.compile(r"(?<![\w.])(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\s*\(")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def export(git_dir: Path, into: Path) -> Path:
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "HEAD"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "--no-same-owner", "-C", str(into)], input=archive, check=True)
    return into


def source_files(root: Path) -> list[Path]:
    skip = ("docs/", "examples/", "tests/")
    files = [p for p in root.rglob("*.py") if not str(p.relative_to(root)).startswith(skip)]
    return sorted(files)


# -- 1. latency ---------------------------------------------------------------------------


async def lsp_latency(
    root: Path, files: list[Path], count: int, url: str
) -> tuple[list[float], list[float], list[float]]:
    """(inlineCompletion, bare /api/generate, codeAction) round trips in ms, interleaved
    so that the load of the (shared) machine weighs on all three alike."""
    import httpx

    env = {**os.environ, "OLLAMA_HOST": url, "XDG_CACHE_HOME": str(root.parent / "cache")}
    client = await Client.start(env, root.parent / "server.log")
    await client.call(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {"window": {"workDoneProgress": True}},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "initializationOptions": {"completion": {"model": MODEL, "debounce_ms": 0}},
        },
    )
    client.notify("initialized", {})
    await client.command("coda.repoMap", {})  # the map is built: warm
    rng = random.Random(2)
    documents: list[tuple[str, list[str]]] = []
    for path in files:
        text = path.read_text()
        uri = path.as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        documents.append((uri, text.split("\n")))
    times: list[float] = []
    bare: list[float] = []
    actions: list[float] = []
    answered: list[bool] = []
    http = httpx.AsyncClient(base_url=url)
    for i in range(count + 10):
        uri, lines = rng.choice(documents)
        line = rng.randrange(len(lines))
        params = {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": len(lines[line])},
            "context": {"triggerKind": 2},
        }
        start = time.perf_counter()
        answer = await client.call("textDocument/inlineCompletion", params)
        answered.append(bool(answer and answer["items"]))
        middle = time.perf_counter()
        response = await http.post(
            "/api/generate",
            json={"model": MODEL, "prompt": "\n".join(lines)[:6000], "raw": True, "stream": False},
        )
        response.json()
        bared = time.perf_counter()
        await client.call(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": params["position"], "end": params["position"]},
                "context": {"diagnostics": []},
            },
        )
        if i >= 10:  # the first ones open connections and warm the caches
            times.append((middle - start) * 1000)
            bare.append((bared - middle) * 1000)
            actions.append((time.perf_counter() - bared) * 1000)
    await http.aclose()
    await client.stop()
    # Every request must have reached the model and come back with a suggestion.
    assert all(answered), f"{answered.count(False)} requests without a suggestion"
    return times, bare, actions


async def core_split(root: Path, files: list[Path], count: int, url: str) -> dict[str, float]:
    """Prompt building and post-processing inside the core (no LSP, no JSON-RPC)."""
    from coda_ls.completion import CompletionRequest
    from coda_ls.config import load_settings
    from coda_ls.workspace import Workspace

    overrides = {
        "providers": {"ollama": {"host": url}},
        "completion": {"model": MODEL, "debounce_ms": 0},
    }
    workspace = Workspace(root, load_settings(cwd=root, overrides=overrides))
    workspace.build_map()
    rng = random.Random(3)
    prompt_ms: list[float] = []
    post_ms: list[float] = []
    total_ms: list[float] = []
    texts = [(p, p.read_text()) for p in files]
    for _ in range(count):
        path, text = rng.choice(texts)
        offset = rng.randrange(len(text))
        start = time.perf_counter()
        result = await workspace.complete(CompletionRequest(str(path), path, text, offset))
        total_ms.append((time.perf_counter() - start) * 1000 - result.timings.get("model_ms", 0))
        prompt_ms.append(result.timings.get("prompt_ms", 0.0))
        post_ms.append(result.timings.get("post_ms", 0.0))
    await workspace.aclose()
    return {
        "prompt p50": statistics.median(prompt_ms),
        "prompt p95": pct(prompt_ms, 0.95),
        "post p95": pct(post_ms, 0.95),
        "core (all but model) p95": pct(total_ms, 0.95),
    }


# -- 2. context quality -------------------------------------------------------------------


def held_out_lines(
    files: list[Path], defined: set[str], count: int, seed: int
) -> list[tuple[Path, int, list[str]]]:
    """(file, 0-based line, called project identifiers) for lines that call something
    the project defines elsewhere (not a def/class line, not a comment)."""
    found: list[tuple[Path, int, list[str]]] = []
    for path in files:
        for number, line in enumerate(path.read_text().split("\n")):
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "def ", "class ", "@", '"', "'")):
                continue
            called = [n for n in dict.fromkeys(_CALL.findall(line)) if n in defined]
            if called:
                found.append((path, number, called))
    rng = random.Random(seed)
    rng.shuffle(found)
    return found[:count]


def context_quality(root: Path, files: list[Path], count: int, seed: int) -> dict[str, Any]:
    from coda_ls.completion import Completer, CompletionRequest
    from coda_ls.config import load_settings
    from coda_ls.repomap.repomap import RepoMap

    settings = load_settings(cwd=root, overrides={"completion": {"model": MODEL}}).settings
    repo_map = RepoMap(root, settings.repomap, cache_dir=root.parent / "cache")
    repo_map.build()
    defs: dict[str, list[str]] = {}
    for tag in repo_map.tags():
        if tag.kind in ("function", "method", "class") and not tag.name.startswith("__"):
            defs.setdefault(tag.name, []).append(tag.signature)
    samples = held_out_lines(files, set(defs), count, seed)
    rows: dict[str, dict[str, int]] = {}
    arms = (("without context", 0), ("with context (256 tokens, default)", 256))
    for label, budget in (*arms, ("with context (512 tokens)", 512)):
        local = settings.model_copy(deep=True)
        local.completion.context_tokens = budget
        completer = Completer(local, root, lambda: repo_map)
        idents = covered = lines_all = 0
        tokens: list[int] = []
        for path, number, called in samples:
            lines = path.read_text().split("\n")
            indent = lines[number][: len(lines[number]) - len(lines[number].lstrip())]
            lines[number] = indent  # blanked: the cursor after the indentation
            text = "\n".join(lines)
            offset = sum(len(x) + 1 for x in lines[:number]) + len(indent)
            prompt = completer.prompt(CompletionRequest(str(path), path, text, offset, "python"))
            shown = prompt.context + prompt.prefix + prompt.suffix
            tokens.append(len(prompt.context) // 4)
            hits = [any(sig and sig in shown for sig in defs[name]) for name in called]
            idents += len(hits)
            covered += sum(hits)
            lines_all += all(hits)
        rows[label] = {
            "identifiers": idents,
            "covered": covered,
            "lines": len(samples),
            "lines fully covered": lines_all,
            "context tokens (mean)": int(statistics.mean(tokens)) if tokens else 0,
        }
    repo_map.close()
    return rows


# -- main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--git", type=Path, default=DEFAULT_GIT)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.repo:
            root = args.repo.resolve()
        else:
            if not args.git.exists():
                raise SystemExit(
                    f"{args.git} not found: pass --repo DIR (a checkout of any Python project, "
                    "e.g. `git clone https://github.com/pallets/click`) or --git DIR"
                )
            root = Path(tmp) / "repo"
            root.mkdir()
            export(args.git, root)
        files = source_files(root)
        # The scripted server runs in its own process, as a model server would: in this
        # one, its thread would compete with the measuring client for the GIL.
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.support.model_server", "--port", "0",
             "--models", MODEL, "--reply", "value)"],
            stdout=subprocess.PIPE, text=True, cwd=str(REPO),
        )  # fmt: skip
        try:
            assert server.stdout is not None
            url = f"http://127.0.0.1:{server.stdout.readline().split()[1]}"
            lsp, model, actions = asyncio.run(lsp_latency(root, files, args.requests, url))
            split = asyncio.run(core_split(root, files, args.requests, url))
        finally:
            server.terminate()
            server.wait()
        quality = context_quality(root, files, args.lines, args.seed)
    print(f"\nRepository: {args.repo or args.git} ({len(files)} source files)")
    print(f"\nLatency over {args.requests} requests (ms), scripted model answering at once:")
    added = [a - b for a, b in zip(lsp, model, strict=True)]
    table(
        ["path", "p50", "p95"],
        [
            ["bare /api/generate (httpx, kept alive)", *spread(model)],
            ["coda-ls inlineCompletion over stdio", *spread(lsp)],
            ["coda-ls codeAction, no model (the JSON-RPC floor)", *spread(actions)],
            ["**added by Coda** (inline - bare, paired per request)", *spread(added)],
        ],
    )
    print(f"goal: added p95 {GOALS['added p95']}")
    print("\nIn-process split (ms): " + ", ".join(f"{k} {v:.2f}" for k, v in split.items()))
    print(f"\nContext quality: {args.lines} held-out lines that call project-defined code")
    rows = []
    for label, row in quality.items():
        share = row["covered"] / row["identifiers"] if row["identifiers"] else 0.0
        whole = row["lines fully covered"] / row["lines"] if row["lines"] else 0.0
        rows.append(
            [
                label,
                f"{row['covered']}/{row['identifiers']} ({share:.0%})",
                f"{row['lines fully covered']}/{row['lines']} ({whole:.0%})",
                str(row["context tokens (mean)"]),
            ]
        )
    table(["prompt", "called identifiers defined in the prompt", "lines: all", "tokens"], rows)


def spread(values: list[float]) -> list[str]:
    return [f"{statistics.median(values):.2f}", f"{pct(values, 0.95):.2f}"]


def table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
