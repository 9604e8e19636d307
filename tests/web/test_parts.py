"""The pieces under the pages: usage sums in SQL, Markdown with highlighted code, uploads."""

from __future__ import annotations

import pytest

from coda_ls.errors import CodaError
from coda_ls.sessions import SessionStore
from coda_ls.sessions.usage import usage_report
from coda_ls.web.charts import bar_chart
from coda_ls.web.render import markdown_html
from coda_ls.web.uploads import Upload, accepts_images, attachment
from tests.support.files import pdf_bytes
from tests.web.conftest import seed_sessions


def test_usage_report_sums_per_day_model_provider_and_mode() -> None:
    seed_sessions()
    report = usage_report(SessionStore().path)
    assert len(report.days) == 3
    models = {row.key: row for row in report.models}
    assert models["llama3.2:latest"].input_tokens == 1000 + 3000
    assert models["llama3.2:latest"].replies == 2
    assert models["qwen2.5-coder:7b"].errors == 1
    assert models["qwen2.5-coder:7b"].error_rate == 0.5
    assert models["llama3.2:latest"].ttft_ms == pytest.approx((120 + 122) / 2)
    assert [row.key for row in report.providers] == ["ollama"]
    assert round(sum(row.cost for row in report.days), 4) == 0.03


def test_markdown_escapes_html_and_highlights_code() -> None:
    html = markdown_html("<script>x</script>\n\n```python\ndef f():\n    return 1\n```\n")
    assert "<script>" not in html
    assert '<span class="k">def</span>' in html
    assert 'class="language-python"' in html


def test_bar_chart_has_a_bar_per_value() -> None:
    svg = bar_chart("t", ["a", "b"], [("in", [1, 2]), ("out", [3, 0])])
    assert svg.count('<rect class="bar"') == 4


def test_pdf_text_is_extracted() -> None:
    label, text = attachment(
        Upload("notes.pdf", "application/pdf", pdf_bytes("Quarterly flux report"))
    )
    assert "Quarterly flux report" in text and "notes.pdf" in label


def test_unreadable_uploads_are_refused_clearly() -> None:
    with pytest.raises(CodaError, match="not text"):
        attachment(Upload("blob.bin", "application/octet-stream", b"\xff\xfe\x00\x81"))
    with pytest.raises(CodaError, match="not a readable PDF"):
        attachment(Upload("bad.pdf", "application/pdf", b"%PDF-1.4 nothing"))


def test_vision_is_read_from_capabilities() -> None:
    assert accepts_images({"capabilities": ["completion", "vision"]})
    assert not accepts_images({"capabilities": ["completion", "tools"]})
    assert not accepts_images({})
