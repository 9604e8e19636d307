"""Attachments benchmark: what attaching costs before the provider call.

- PDF text extraction (pypdf, with page markers) of hand-written PDFs of 1, 10 and 100 pages;
- an image's data URL (base64) at 100 KB and 2 MB;
- the vision decision for a request with an image: `Engine.ask` to a scripted Ollama model,
  median per request, with and without an image attached (the capability comes from
  `/api/show`, cached per model by the engine), and the refusal of a text-only model
  (nothing sent).

    python benchmarks/attachments.py [--repeat 30] [--requests 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from coda_ls import attachments
from coda_ls.config import Settings
from coda_ls.engine import AskRequest, Engine
from coda_ls.errors import ImagesNotSupported
from tests.support.files import pdf_bytes, png_bytes
from tests.support.model_server import ScriptedModel, ScriptedModelServer


def timed(fn: object, repeat: int) -> float:
    """Median milliseconds of `fn()` over `repeat` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def engine_times(requests: int) -> tuple[float, float, float, int]:
    models = [ScriptedModel("llava:7b", vision=True), ScriptedModel("qwen2.5-coder:7b")]
    with ScriptedModelServer(models=models) as server, tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate(
            {"provider": "ollama", "providers": {"ollama": {"host": server.url}}}
        )
        engine = Engine(settings, Path(tmp))
        image = attachments.from_bytes("shot.png", png_bytes(64, 64))

        async def median(attached: list[attachments.Attachment], model: str) -> float:
            samples = []
            for _ in range(requests):
                start = time.perf_counter()
                with contextlib.suppress(ImagesNotSupported):
                    await engine.ask(
                        AskRequest(question="hi", model=model, attached=attached, use_tools=False)
                    )
                samples.append((time.perf_counter() - start) * 1000)
            return statistics.median(samples)

        await median([], "llava:7b")  # warm: client, /api/show, selection
        plain = await median([], "llava:7b")
        with_image = await median([image], "llava:7b")
        sent_before = len(server.chat_requests())
        refused = await median([image], "qwen2.5-coder:7b")
        leaked = len(server.chat_requests()) - sent_before
        await engine.aclose()
        return plain, with_image, refused, leaked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    print("| input | size | median ms |")
    print("| --- | ---: | ---: |")
    for pages in (1, 10, 100):
        data = pdf_bytes(*(f"Page {n} says something about the parser" for n in range(pages)))
        item = attachments.from_bytes("doc.pdf", data)
        ms = timed(item.text, args.repeat)
        print(f"| PDF text, {pages} page(s) | {len(data):,} B | {ms:.2f} |")
    for size in (100_000, 2_000_000):
        item = attachments.from_bytes("shot.png", png_bytes() + b"\0" * size)
        ms = timed(item.data_url, args.repeat)
        print(f"| image data URL | {size:,} B | {ms:.2f} |")

    plain, with_image, refused, leaked = asyncio.run(engine_times(args.requests))
    print()
    print("| Engine.ask to a scripted Ollama model | median ms |")
    print("| --- | ---: |")
    print(f"| no attachment (llava:7b) | {plain:.2f} |")
    print(f"| 64x64 PNG attached (llava:7b, vision from /api/show) | {with_image:.2f} |")
    print(f"| PNG for a text-only model: refused | {refused:.2f} |")
    print(f"\nrequests sent for the refused model: {leaked}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
