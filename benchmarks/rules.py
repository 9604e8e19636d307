"""Project rules files: what reading them adds to every request's context assembly.

Cases: no rules files; the eight usual sources at ~1 KB each; a 100 KB AGENTS.md cut to
the 2,000-token cap (the truncation's binary search); a 10 MB AGENTS.md (only 256 KB read).
Each case is timed as `load_rules` alone (median of N calls, tokenizer loaded), in a fresh
temporary project: with the token counts cached (the same files on the next request) and
uncached (files just changed: every count is computed again).

    python benchmarks/rules.py [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from coda_ls.rules import load_rules
from coda_ls.tokens import count_tokens, token_counter

SOURCES = [
    ".coda/rules/a.md",
    ".coda/rules/b.md",
    "pkg/AGENTS.md",
    "AGENTS.md",
    "CLAUDE.md",
    "GEMINI.md",
    ".cursorrules",
    ".github/copilot-instructions.md",
]
LINE = "- Prefer small functions with type hints; test every public function.\n"


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _cases() -> list[tuple[str, Callable[[Path], None]]]:
    def none(root: Path) -> None:
        (root / "pkg").mkdir()

    def usual(root: Path) -> None:
        for n, rel in enumerate(SOURCES):
            _write(root, rel, f"# {rel}\n" + LINE.replace("small", f"small ({n})") * 14)

    def large(root: Path) -> None:
        _write(root, "AGENTS.md", LINE * 1500)  # ~100 KB

    def huge(root: Path) -> None:
        _write(root, "AGENTS.md", LINE * 150_000)  # ~10 MB

    return [
        ("no rules files", none),
        ("8 sources, ~1 KB each", usual),
        ("100 KB AGENTS.md, capped", large),
        ("10 MB AGENTS.md, capped", huge),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    _, exact = token_counter()
    count_tokens("warm the tokenizer")
    print(f"tokenizer: {'tiktoken cl100k_base' if exact else 'estimate (4 chars/token)'}")
    print("| case | cached: median ms | uncached: median ms | max | tokens in prompt | files |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for label, build in _cases():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            build(root)
            near = root / "pkg" / "x.py"
            cached, uncached = [], []
            rules = load_rules(root, near)
            for _ in range(args.runs):
                start = time.perf_counter()
                rules = load_rules(root, near)
                cached.append((time.perf_counter() - start) * 1000)
                count_tokens.cache_clear()
                start = time.perf_counter()
                rules = load_rules(root, near)
                uncached.append((time.perf_counter() - start) * 1000)
            statuses = ", ".join(sorted({f.status for f in rules.files})) or "-"
            print(
                f"| {label} | {statistics.median(cached):.2f} | "
                f"{statistics.median(uncached):.2f} | {max(uncached):.1f} | "
                f"{rules.tokens} | {len(rules.files)} ({statuses}) |"
            )


if __name__ == "__main__":
    main()
