"""`/image` and `/attach`: files sent with the next question (images, PDFs, text).

They go with one question only (an image costs hundreds of tokens each time it is sent);
a question that is refused, e.g. because the model reads no images, keeps them for the
next try after `/model`."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from coda_cli.shell.slash import command, usage_error

if TYPE_CHECKING:
    from coda_cli.shell.state import ShellState


def _path(shell: ShellState, raw: str) -> Path:
    candidate = Path(raw).expanduser()
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return shell.workspace / candidate


async def _add(shell: ShellState, args: str, *, image: bool) -> None:
    from rich.markup import escape

    from coda_ls.workspace import attachment_from_path

    usage = "/image FILE…" if image else "/attach FILE…|clear"
    if not args:
        if image:
            raise usage_error(usage, "name an image file (PNG, JPEG, GIF, WebP)")
        pending = ", ".join(item.name for item in shell.attached) or "none"
        shell.console.print(f"attached for the next question: {escape(pending)}")
        return
    if not image and args.strip() == "clear":
        shell.attached.clear()
        shell.console.print("attachments cleared")
        return
    for raw in shlex.split(args):
        item = attachment_from_path(_path(shell, raw), expect="image" if image else None, name=raw)
        shell.attached.append(item)
        shell.console.print(
            f"attached {escape(item.name)} ({item.kind}, {len(item.data):,} bytes) "
            "[coda.dim]— sent with your next question[/]"
        )


@command(
    "image",
    "/image FILE…",
    "attach an image (e.g. a screenshot of an error) to the next question",
    details="Needs a model that reads images (llava, llama3.2-vision, qwen2.5vl, gpt-4o…).",
)
async def image(shell: ShellState, args: str) -> None:
    await _add(shell, args, image=True)


@command(
    "attach",
    "/attach FILE…|clear",
    "attach a PDF, text file or image to the next question (no argument: list them)",
    details="A PDF is sent as its text, page by page. `@file.pdf` in a question does the same.",
)
async def attach(shell: ShellState, args: str) -> None:
    await _add(shell, args, image=False)
