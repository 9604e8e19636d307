"""Attachments: kinds sniffed from bytes, PDF text with page markers, scans and caps refused,
and the vision decision (settings > provider metadata > known names)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from coda_ls import attachments
from coda_ls.errors import AttachmentError, ImagesNotSupported
from coda_ls.vision import check_images, image_instructions, supports_images
from coda_ls.wire import ModelInfo
from tests.support.files import pdf_bytes, png_bytes, scanned_pdf_bytes


def test_kinds_come_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    (tmp_path / "error.txt").write_bytes(png_bytes())
    (tmp_path / "notes.png").write_text("just text\n")
    (tmp_path / "report").write_bytes(pdf_bytes("Flux"))
    image = attachments.from_path(tmp_path / "error.txt")
    assert (image.kind, image.media_type) == ("image", "image/png")
    assert attachments.from_path(tmp_path / "notes.png").kind == "text"
    assert attachments.from_path(tmp_path / "report").kind == "pdf"
    assert attachments.sniff(b"\xff\xd8\xff\xe0rest")[1] == "image/jpeg"
    assert attachments.sniff(b"RIFF\0\0\0\0WEBPVP8 ")[1] == "image/webp"
    url = image.data_url()
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.partition(",")[2]) == png_bytes()
    assert attachments.from_data_url("x.png", url).data == png_bytes()


def test_pdf_text_has_a_marker_per_page() -> None:
    text = attachments.from_bytes("doc.pdf", pdf_bytes("First page words", "Second page")).text()
    assert text.index("--- page 1 ---") < text.index("First page words")
    assert text.index("--- page 2 ---") < text.index("Second page")


def test_a_scanned_pdf_says_no_text_was_found() -> None:
    item = attachments.from_bytes("scan.pdf", scanned_pdf_bytes(3))
    assert item.kind == "pdf"
    with pytest.raises(AttachmentError, match=r"no text found \(scanned PDF\?\)") as caught:
        item.text()
    assert "3 page" in caught.value.message and "ocr" in (caught.value.hint or "").lower()


def test_what_cannot_be_sent_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(AttachmentError, match="not an image"):
        attachments.from_bytes("doc.pdf", pdf_bytes(), expect="image")
    with pytest.raises(AttachmentError, match="over the 5,000,000-byte limit"):
        attachments.from_bytes("big.png", png_bytes() + b"\0" * attachments.MAX_IMAGE_BYTES)
    with pytest.raises(AttachmentError, match="not text"):
        attachments.from_bytes("blob.bin", b"\xff\xfe\x00\x81").text()
    with pytest.raises(AttachmentError, match="not a readable PDF"):
        attachments.from_bytes("bad.pdf", b"%PDF-1.4 nothing").text()
    with pytest.raises(AttachmentError, match="no such file"):
        attachments.from_path(tmp_path / "missing.png")
    with pytest.raises(AttachmentError, match="not valid base64"):
        attachments.from_data_url("x.png", "data:image/png;base64,@@@")
    many = [attachments.from_bytes(f"{n}.png", png_bytes()) for n in range(9)]
    with pytest.raises(AttachmentError, match="at most 8"):
        attachments.prepare(many)


def test_prepare_splits_text_and_images() -> None:
    prepared = attachments.prepare(
        [
            attachments.from_bytes("shot.png", png_bytes()),
            attachments.from_bytes("doc.pdf", pdf_bytes("Alpha")),
            attachments.from_bytes("notes.md", b"# notes"),
        ]
    )
    assert prepared.image_names == ["shot.png"]
    assert [label for label, _ in prepared.texts] == ["doc.pdf (text of the PDF)", "notes.md"]


@pytest.mark.parametrize(
    ("model", "info_vision", "overrides", "expected"),
    [
        ("llava:7b", None, {}, True),  # the table
        ("openai/gpt-4o-mini", None, {}, True),  # a prefix is ignored
        ("qwen2.5-coder:7b", None, {}, False),  # unknown: refused
        ("qwen2.5-coder:7b", True, {}, True),  # the provider says so
        ("llava:7b", False, {}, False),  # the provider's word beats the table
        ("llava:7b", False, {"llava*": True}, True),  # the user's beats both
        ("my-vl", None, {"my-*": True}, True),
    ],
)
def test_who_decides_whether_a_model_reads_images(
    model: str, info_vision: bool | None, overrides: dict[str, bool], expected: bool
) -> None:
    info = ModelInfo(name=model, provider="ollama", supports_vision=info_vision)
    assert supports_images(model, info, overrides)[0] is expected


def test_the_refusal_names_the_model_and_what_to_do() -> None:
    with pytest.raises(ImagesNotSupported) as caught:
        check_images("ollama", "qwen2.5-coder:7b", None, ["shot.png"])
    message, hint = caught.value.message, caught.value.hint or ""
    assert "ollama/qwen2.5-coder:7b does not accept images" in message and "shot.png" in message
    assert "llava" in hint and "llama3.2-vision" in hint and "[vision]" in hint
    check_images("ollama", "qwen2.5-coder:7b", None, [])  # no images: nothing to check


def test_debug_and_explain_read_screenshots() -> None:
    assert "error message" in image_instructions("debug")
    assert "transcribe" in image_instructions("explain")
    assert image_instructions("chat")
