"""Sharing and the prompt library: how long making a shared page takes for long sessions,
and how long reading the prompt library takes (it is read on every code-action request,
slash command and ACP prompt, so a large library must stay cheap).

    python benchmarks/share_prompts.py [--messages 50 --messages 500 --messages 2000]
                                       [--prompts 10 --prompts 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path


def _session(store: object, root: Path, messages: int) -> str:
    from coda_ls.sessions import SessionStore
    from coda_ls.wire import ToolCall, Usage

    assert isinstance(store, SessionStore)
    session = store.create_session(project_root=root)
    for index in range(messages // 4):
        store.add_message(
            session.id, "user", f"why does {root}/mod{index}.py fail? key sk-{'a' * 30}"
        )
        store.add_message(
            session.id,
            "assistant",
            "reading",
            usage=Usage(input_tokens=100, output_tokens=10),
            tool_calls=[
                ToolCall(id=f"c{index}", name="read_file", arguments={"path": f"{root}/m.py"})
            ],
        )
        store.add_message(
            session.id, "tool", "def f():\n    return 1\n" * 20, tool_call_id=f"c{index}"
        )
        store.add_message(
            session.id,
            "assistant",
            "Fixed:\n\n```python\n" + "def area(w, h):\n    return w * h\n" * 10 + "```\n",
            usage=Usage(input_tokens=300, output_tokens=80),
        )
    return session.id


def _median_ms(func: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_share(sizes: list[int], runs: int, work: Path) -> None:
    from coda_ls.sessions import SessionStore
    from coda_ls.share import render_page, shareable

    print("| messages | export ms | redact ms | render ms | page KB |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    with SessionStore(work / "sessions.db") as store:
        for size in sizes:
            sid = _session(store, work / "proj", size)
            exported = store.export_json(sid)
            data = shareable(exported)
            page = render_page(data)
            export_ms = _median_ms(partial(store.export_json, sid), runs)
            redact_ms = _median_ms(partial(shareable, exported), runs)
            render_ms = _median_ms(partial(render_page, data), runs)
            kb = len(page) / 1024
            print(f"| {size} | {export_ms:.1f} | {redact_ms:.1f} | {render_ms:.1f} | {kb:.0f} |")


PROMPT = """---
name: p{index}
description: Prompt number {index}
mode: explain
arguments:
  - name: style
    default: short
---
Explain in a {{{{style}}}} way:

{{{{selection}}}}
"""


def bench_prompts(counts: list[int], runs: int, work: Path) -> None:
    from coda_ls.prompts import load_prompts

    print("\n| prompt files | first load ms (parse) | load_prompts ms (median, files unchanged) |")
    print("| ---: | ---: | ---: |")
    for count in counts:
        root = work / f"lib{count}"
        folder = root / ".coda" / "prompts"
        folder.mkdir(parents=True)
        for index in range(count):
            (folder / f"p{index}.md").write_text(PROMPT.format(index=index))
        started = time.perf_counter()
        assert len(load_prompts(root)) == count
        first = (time.perf_counter() - started) * 1000
        print(f"| {count} | {first:.1f} | {_median_ms(partial(load_prompts, root), runs):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, action="append")
    parser.add_argument("--prompts", type=int, action="append")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["XDG_CONFIG_HOME"] = str(work / "config")  # no user prompts of yours
        bench_share(args.messages or [50, 500, 2000], args.runs, work)
        bench_prompts(args.prompts or [10, 100], args.runs, work)


if __name__ == "__main__":
    main()
