"""What the tags query's walk costs on its own, against bare parsing (issue 16).

    python benchmarks/query_walk.py [--files 2000] [--reps 3]

Parses the corpus of `benchmarks/cold_cpu.py` once, then times `QueryCursor.matches` over
every tree (CPU, best of `--reps`) for the lean Python tags query the build runs, for
each of its patterns alone and for the query without each pattern. A pattern alone costs
nearly what the whole query costs: that share is tree-sitter visiting every node, a floor
under any build that runs a query, whatever the query asks.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.monorepo import add_corpus_options, corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=3)
    add_corpus_options(parser)
    args = parser.parse_args()
    root = corpus(args, args.files)

    import tree_sitter
    import tree_sitter_python

    from coda_ls.repomap.tags import lean_query, queries_dir

    language = tree_sitter.Language(tree_sitter_python.language())
    ts_parser = tree_sitter.Parser(language)
    blobs = [p.read_bytes() for p in sorted(root.rglob("*.py"))]

    def best(run: Callable[[], None]) -> float:
        times = []
        for _ in range(args.reps):
            start = time.process_time()
            run()
            times.append(time.process_time() - start)
        return min(times)

    def parse_all() -> None:
        for data in blobs:
            ts_parser.parse(data)

    bare = best(parse_all)
    trees = [ts_parser.parse(data) for data in blobs]
    lean = lean_query("python")  # the query a build runs
    assert lean is not None
    text = (queries_dir() / "python-tags.scm").read_bytes()  # the offsets are bytes
    # Each pattern's own text, as tags.py reads it (comments and blank lines left out).
    patterns = [
        text[lean.start_byte_for_pattern(i) : lean.end_byte_for_pattern(i)].decode()
        for i in range(lean.pattern_count)
    ]

    def walk(source: str | None) -> float:
        """`matches` over every tree: the build's query, or `source` made lean alike."""
        query = lean if source is None else tree_sitter.Query(language, source)
        if source is not None:
            for i in range(query.capture_count):  # as lean_query does
                if query.capture_name(i).startswith("reference."):
                    query.disable_capture(query.capture_name(i))

        def run() -> None:
            for tree in trees:
                tree_sitter.QueryCursor(query).matches(tree.root_node)

        return best(run)

    print(f"{len(blobs)} files; bare parse {bare:.3f} s CPU (best of {args.reps})\n")
    print("| query | walk CPU | of bare parse |")
    print("|---|---|---|")
    whole = walk(None)
    name = f"the lean tags query ({len(patterns)} patterns)"
    print(f"| {name} | {whole:.3f} s | {whole / bare:.2f}x |")
    for i, pattern in enumerate(patterns):
        head = " ".join(pattern.split())[:48]
        alone = walk(pattern)
        without = walk("\n\n".join(patterns[:i] + patterns[i + 1 :]))
        print(f"| `{head}` alone / all but it | {alone:.3f} / {without:.3f} s "
              f"| {alone / bare:.2f}x / {without / bare:.2f}x |")  # fmt: skip


if __name__ == "__main__":
    main()
