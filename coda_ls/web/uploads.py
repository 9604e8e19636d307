"""Files attached in the page, as core attachments (`coda_ls.attachments`): the engine
extracts a PDF's text and sends an image only to a model that reads it."""

from __future__ import annotations

from dataclasses import dataclass

from coda_ls import attachments


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    data: bytes

    def as_attachment(self) -> attachments.Attachment:
        """The upload as a core attachment; its kind comes from its bytes, not its type."""
        return attachments.from_bytes(self.name, self.data)

    @property
    def is_image(self) -> bool:
        return attachments.sniff(self.data)[0] == "image"


def attachment(upload: Upload) -> tuple[str, str]:
    """(label, text) of a text or PDF upload; raises CodaError for what cannot be read."""
    item = upload.as_attachment()
    return item.label, item.text()


def data_url(upload: Upload) -> str:
    """The image as a data URL (what the wire's `Message.images` carries)."""
    return upload.as_attachment().data_url()


def accepts_images(details: dict[str, object]) -> bool:
    """Whether a model's details say it reads images (Ollama lists `vision`)."""
    capabilities = details.get("capabilities")
    return isinstance(capabilities, list) and "vision" in capabilities
