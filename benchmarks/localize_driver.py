"""Answers localization questions with the Coda found on PYTHONPATH (run by localization.py).

One JSON request per stdin line: {"root", "question", "budgets"}; one JSON answer per line:
{"files": {budget: [files in map order]}, "seconds": float}. {"root", "overview": tokens}
answers {"entries": ["path: kind qualname", ...] in rank order, "text": the map}.
The map is rendered through the engine's own path (`ContextBuilder.build`, which extracts
the question's identifiers), recorded by a thin wrapper around the RepoMap; a RepoMap is
kept per root, so a new checkout rebuilds incrementally, as an editor session would.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class Recorder:
    """The RepoMap as the context builder sees it, keeping the last rendered map."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last: Any = None

    def render(self, *args: Any, **kwargs: Any) -> Any:
        self.last = self.inner.render(*args, **kwargs)
        return self.last

    def find_symbol(self, name: str) -> Any:
        return self.inner.find_symbol(name)


def main() -> None:
    from coda_ls.config import RepoMapSettings
    from coda_ls.context import ContextBuilder
    from coda_ls.modes import get_mode
    from coda_ls.repomap.repomap import RepoMap

    maps: dict[str, Any] = {}
    cache = Path(tempfile.mkdtemp(prefix="coda-loc-cache-"))
    mode = get_mode("chat")
    for line in sys.stdin:
        request = json.loads(line)
        root = Path(request["root"])
        if "overview" in request:  # no question, no focus: the map as a project overview
            repo_map = RepoMap(root, RepoMapSettings(), cache_dir=cache)
            repo_map.build()
            rendered = repo_map.render(int(request["overview"]))
            entries = [f"{t.path}: {t.kind} {t.qualname}" for t in rendered.tags]
            print(json.dumps({"entries": entries, "text": rendered.text}), flush=True)
            continue
        started = time.perf_counter()
        repo_map = maps.get(str(root))
        if repo_map is None:
            repo_map = maps[str(root)] = RepoMap(root, RepoMapSettings(), cache_dir=cache)
        repo_map.build()
        recorder = Recorder(repo_map)
        files: dict[str, list[str]] = {}
        for budget in request["budgets"]:
            builder = ContextBuilder(root, repo_map=recorder, map_tokens=budget)
            builder.build(mode, request["question"], window=budget * 4 + 65536)
            files[str(budget)] = list(recorder.last.files) if recorder.last else []
        answer = {"files": files, "seconds": time.perf_counter() - started}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
