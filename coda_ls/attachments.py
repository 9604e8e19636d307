"""Files attached to a question: images, PDFs and text, from any front.

Every front (CLI `--image`/`--attach`, `@file` mentions, the shell's `/image`, the LSP's
`coda.ask` arguments, ACP content blocks, the web page's uploads) makes an `Attachment`
and hands it to the engine, which turns it into what the model sees:

- an image becomes a data URL on the question's message (`Message.images`), sent only to
  a model that reads images (`coda_ls.vision` checks that before anything is sent);
- a PDF becomes its text layer, page by page with `--- page N ---` markers (pypdf); a PDF
  without any text (a scan) is refused with a hint rather than sent empty;
- anything else must be UTF-8 text and is attached as is.

The kind is sniffed from the bytes (magic numbers), not trusted from the name: a PNG named
`error.txt` is still an image, and a `.png` that is really text is text.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from coda_ls.errors import AttachmentError

Kind = Literal["image", "pdf", "text"]

# Caps: what providers take (OpenAI and Ollama refuse requests of tens of MB; base64 adds a
# third) and what a context window can hold as text.
MAX_IMAGE_BYTES = 5_000_000
MAX_PDF_BYTES = 20_000_000
MAX_TEXT_BYTES = 1_000_000
MAX_IMAGES = 8

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes) -> tuple[Kind, str]:
    """(kind, media type) of `data` from its first bytes; undecidable bytes are "text"
    (the caller finds out whether they decode)."""
    for magic, media in _MAGIC:
        if data.startswith(magic):
            return "image", media
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "image/webp"
    # PDF readers accept the header anywhere in the first KB (Acrobat's rule).
    if b"%PDF-" in data[:1024]:
        return "pdf", "application/pdf"
    return "text", "text/plain"


@dataclass(frozen=True)
class Attachment:
    """One attached file: its name as the user gave it, and its bytes."""

    name: str
    data: bytes
    kind: Kind
    media_type: str

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    def data_url(self) -> str:
        """The image as a data URL, what `Message.images` carries."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"

    def text(self) -> str:
        """The text the model sees (a PDF's text layer); not for images."""
        if self.kind == "pdf":
            return pdf_text(self.name, self.data)
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            raise AttachmentError(
                f"{self.name} is not text (UTF-8), a PDF, or an image Coda can send "
                "(PNG, JPEG, GIF, WebP)",
                "convert it, or attach the relevant part as text",
            ) from None

    @property
    def label(self) -> str:
        return f"{self.name} (text of the PDF)" if self.kind == "pdf" else self.name


def from_bytes(name: str, data: bytes, *, expect: Kind | None = None) -> Attachment:
    """An attachment of `data`, checked against the size caps (and `expect`, when the user
    said what it is, e.g. `--image`)."""
    kind, media = sniff(data)
    if expect == "image" and kind != "image":
        raise AttachmentError(
            f"{name} is not an image Coda can send (PNG, JPEG, GIF or WebP)",
            "use --attach for PDFs and text files",
        )
    cap = {"image": MAX_IMAGE_BYTES, "pdf": MAX_PDF_BYTES, "text": MAX_TEXT_BYTES}[kind]
    if len(data) > cap:
        raise AttachmentError(
            f"{name} is {len(data):,} bytes, over the {cap:,}-byte limit ({kind} files)",
            "attach a smaller file (crop or downscale an image, split a PDF)",
        )
    return Attachment(name, data, kind, media)


def from_path(path: Path, *, expect: Kind | None = None, name: str | None = None) -> Attachment:
    """An attachment read from a file."""
    try:
        size = path.stat().st_size
        if size > MAX_PDF_BYTES:  # the largest cap: do not read a huge file only to refuse it
            raise AttachmentError(
                f"{path} is {size:,} bytes, too large to attach", "attach a smaller file"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise AttachmentError(f"{path}: no such file", "check the path") from None
    except IsADirectoryError:
        raise AttachmentError(f"{path} is a directory", "attach a file") from None
    except OSError as exc:
        raise AttachmentError(f"cannot read {path}: {exc.strerror}") from None
    return from_bytes(name or path.name, data, expect=expect)


def from_data_url(name: str, url: str) -> Attachment:
    """An attachment from a `data:<type>;base64,<data>` URL (editors and ACP send these)."""
    head, sep, payload = url.partition(",")
    if not sep or not head.startswith("data:") or not head.endswith(";base64"):
        raise AttachmentError(f"{name}: not a base64 data URL", "send data:<type>;base64,<data>")
    return from_bytes(name, decode_base64(name, payload))


def decode_base64(name: str, payload: str) -> bytes:
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise AttachmentError(f"{name}: the attached data is not valid base64") from None


def is_attachable_file(path: Path) -> bool:
    """Whether a mentioned file is an image or PDF (sent as such, not read as code)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return False
    return sniff(head)[0] != "text"


def pdf_text(name: str, data: bytes) -> str:
    """The PDF's text, each page after a `--- page N ---` marker. A PDF with no text at all
    (a scan, or only images) is refused: sending empty pages would only confuse the model."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise AttachmentError(
            f"cannot read {name}: PDF support (pypdf) is not installed",
            "pip install pypdf (it comes with coda-assistant)",
        ) from None
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise AttachmentError(f"{name} is not a readable PDF: {exc}") from None
    if not any(pages):
        raise AttachmentError(
            f"{name}: no text found (scanned PDF?) in its {len(pages)} page(s)",
            "run OCR on it first (e.g. ocrmypdf), or attach the pages as images "
            "with --image for a vision model",
        )
    return "\n\n".join(
        f"--- page {number} ---\n{text or '(no text found on this page)'}"
        for number, text in enumerate(pages, 1)
    )


@dataclass(frozen=True)
class Prepared:
    """Attachments as the engine sends them: text blocks and image data URLs."""

    texts: list[tuple[str, str]]
    images: list[str]
    image_names: list[str]


def prepare(attachments: list[Attachment]) -> Prepared:
    """Split attachments into text blocks (PDF text extracted) and image data URLs."""
    texts: list[tuple[str, str]] = []
    images: list[str] = []
    names: list[str] = []
    for item in attachments:
        if item.is_image:
            images.append(item.data_url())
            names.append(item.name)
        else:
            texts.append((item.label, item.text()))
    if len(images) > MAX_IMAGES:
        raise AttachmentError(
            f"{len(images)} images attached; at most {MAX_IMAGES} go with one question",
            "ask about fewer images at a time",
        )
    return Prepared(texts, images, names)
