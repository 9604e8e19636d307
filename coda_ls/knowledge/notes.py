"""Writing a note: an answer worth keeping becomes `.coda/knowledge/<slug>.md`.

The file is plain Markdown a person would write (a `# Title` then the text), so the team
reviews and edits it like any other checked-in document; where it came from is recorded
in an HTML comment, which renderers hide and the index leaves out.
"""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

from coda_ls.errors import KnowledgeError

_MAX_SLUG = 60


def slugify(title: str) -> str:
    """A file name from a title: lower-case ASCII words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:_MAX_SLUG].rstrip("-") or "note"


def title_from(text: str) -> str:
    """A title for a note without one: its first heading, else its first line."""
    for line in text.splitlines():
        stripped = line.strip().lstrip("#").strip()
        if stripped:
            return stripped[:80]
    return "Note"


def render_note(title: str, body: str, origin: str | None = None) -> str:
    body = body.strip()
    # An answer that starts with its own heading keeps it instead of getting a second one.
    first = body.splitlines()[0].strip() if body else ""
    head = "" if first.startswith("# ") else f"# {title}\n\n"
    note = f"{head}{body}\n"
    if origin:
        stamp = time.strftime("%Y-%m-%d", time.gmtime())
        note = f"<!-- coda: {origin}, {stamp} -->\n{note}"
    return note


def write_note(directory: Path, title: str, body: str, origin: str | None = None) -> Path:
    """Write a new note (never overwriting one: `slug-2.md`, …); returns its path."""
    if not body.strip():
        raise KnowledgeError("the note is empty", "give the note some text (or pipe it in)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        slug = slugify(title)
        for attempt in range(1, 1000):
            path = directory / (f"{slug}.md" if attempt == 1 else f"{slug}-{attempt}.md")
            try:
                with path.open("x", encoding="utf-8") as handle:
                    handle.write(render_note(title, body, origin))
                return path
            except FileExistsError:
                continue
    except OSError as exc:
        raise KnowledgeError(
            f"cannot write a note in {directory}: {exc.strerror}",
            "check the directory is writable",
        ) from None
    raise KnowledgeError(f"too many notes named {slug!r} in {directory}", "give another title")
