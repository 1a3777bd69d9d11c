"""Helpers for the print path tests: PDF text and fonts read back with pypdf, the output log read
by the superuser (employees only see their own entries), session_of closed after each test."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def _fonts(resources):
    resources = resources.get_object() if resources is not None else {}
    yield from (font.get_object() for font in resources.get("/Font", {}).values())
    for xobject in resources.get("/XObject", {}).values():
        yield from _fonts(xobject.get_object().get("/Resources"))


def assert_fonts_embedded(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    fonts = [font for page in reader.pages for font in _fonts(page["/Resources"])]
    assert fonts
    for font in fonts:
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]


@pytest.fixture
def print_log(sql):
    """(subject, doc_number) → [(copy_no, employee login, row_count)] in print order."""

    def read(subject: str, number: str):
        return sql(
            "SELECT o.copy_no, e.login, o.row_count FROM yiwei.output_log o"
            "  LEFT JOIN yiwei.employee e ON e.id = o.employee_id"
            " WHERE o.kind = 'print' AND o.subject = %s AND o.doc_number = %s ORDER BY o.id", (subject, number))

    return read


@pytest.fixture
def employees(sql):
    """Active and disabled employees of a store (or every employee with store=None), as dicts."""

    def read(store: str | None = None):
        rows = sql(
            "SELECT e.login, e.full_name, e.phone, s.code FROM yiwei.employee e"
            "  LEFT JOIN yiwei.store s ON s.id = e.store_id"
            " WHERE %s::text IS NULL OR s.code = %s ORDER BY e.login", (store, store))
        return [dict(login=r[0], full_name=r[1], phone=r[2], store=r[3]) for r in rows]

    return read
