"""Helpers for the PDF layer tests: a header factory and a reader that returns each page's text."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from client.documents.layout import DocumentHeader

PRINTED_AT = datetime(2024, 5, 1, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def make_header():
    def make(**overrides) -> DocumentHeader:
        values = dict(
            company_name="北京易维家居建材有限公司",
            title="销售合同",
            number="HT-20240501-0123456789",
            printed_by="李四",
            printed_at=PRINTED_AT,
        )
        values.update(overrides)
        return DocumentHeader(**values)

    return make


@pytest.fixture
def read_pdf():
    """PDF bytes → (reader, [text of each page])."""

    def read(data: bytes) -> tuple[PdfReader, list[str]]:
        reader = PdfReader(io.BytesIO(data))
        return reader, [page.extract_text() for page in reader.pages]

    return read
