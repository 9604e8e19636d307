"""Files attached in the page: text is attached as is, a PDF as its extracted text
(pypdf, the optional `web` extra), an image only for a model that accepts images."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from coda_ls.errors import CodaError

MAX_BYTES = 5_000_000
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    data: bytes

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES or self.name.lower().endswith(
            (".png", ".jpg", ".jpeg", ".gif", ".webp")
        )

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf" or self.name.lower().endswith(".pdf")


def attachment(upload: Upload) -> tuple[str, str]:
    """(label, text) for the engine's attachments; raises CodaError for what cannot be
    read as text (images are handled by the caller, which knows the model)."""
    if len(upload.data) > MAX_BYTES:
        raise CodaError(
            f"{upload.name} is {len(upload.data):,} bytes, over the {MAX_BYTES:,} limit",
            "attach a smaller file or the relevant part",
        )
    if upload.is_pdf:
        return f"{upload.name} (text of the PDF)", pdf_text(upload)
    try:
        return upload.name, upload.data.decode("utf-8")
    except UnicodeDecodeError:
        raise CodaError(
            f"{upload.name} is not text (not UTF-8)", "attach text, a PDF or an image"
        ) from None


def pdf_text(upload: Upload) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise CodaError(
            f"cannot read {upload.name}: PDF support is not installed",
            "pip install 'coda-assistant[web]' (it brings pypdf)",
        ) from None
    try:
        reader = PdfReader(io.BytesIO(upload.data))
        text = "\n\n".join(page.extract_text() or "" for page in reader.pages).strip()
    except (PdfReadError, ValueError, KeyError) as exc:
        raise CodaError(f"{upload.name} is not a readable PDF: {exc}") from None
    if not text:
        raise CodaError(
            f"{upload.name} has no text layer (a scanned PDF?)", "attach its text instead"
        )
    return text


def data_url(upload: Upload) -> str:
    """The image as a data URL (what the wire's `Message.images` carries)."""
    if len(upload.data) > MAX_BYTES:
        raise CodaError(
            f"{upload.name} is over the {MAX_BYTES:,}-byte limit", "attach a smaller image"
        )
    kind = upload.content_type if upload.content_type in IMAGE_TYPES else "image/png"
    return f"data:{kind};base64,{base64.b64encode(upload.data).decode('ascii')}"


def accepts_images(details: dict[str, object]) -> bool:
    """Whether a model's details say it reads images (Ollama lists `vision`)."""
    capabilities = details.get("capabilities")
    return isinstance(capabilities, list) and "vision" in capabilities
