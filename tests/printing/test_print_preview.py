"""The print preview, offscreen: pages rendered with pdfium, navigation and zoom from the keyboard,
printing all pages as one job, and the copy counted only when the user prints."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from client.documents.printing import RenderedDocuments, render_documents
from client.ui.context import AppContext
from client.ui.print_preview import PrintPreviewDialog, PrintRequest, print_documents
from client.ui.tasks import TaskRunner

from .conftest import pdf_text


@pytest.fixture
def ctx(qtbot, session_of):
    runner = TaskRunner()
    context = AppContext(session=session_of("admin"), tasks=runner, settings=None)
    yield context
    runner.wait_all()


def pdf_printer(path) -> QPrinter:
    """A PDF file standing in for a physical printer; 150 dpi keeps the test quick."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(150)
    return printer


def page_count(path) -> int:
    return len(PdfReader(str(path)).pages)


def open_dialog(qtbot, ctx, pdf: bytes, **kwargs) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(ctx, pdf, "员工花名册", **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.page_image() is not None, timeout=10000)
    return dialog


def test_preview_renders_page_images_and_pages_with_the_keyboard(qtbot, ctx):
    pdf = render_documents(ctx.session, "roster", ["ALL"], preview_only=True)
    dialog = open_dialog(qtbot, ctx, pdf)

    assert dialog.page_count == len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert dialog.current_page == 1 and dialog.page_total.text() == f"/ {dialog.page_count}"
    image = dialog.page_image()
    assert not image.isNull()
    # Fit width: the page fills the viewport's width, and is A4-shaped.
    shown_width = image.width() / image.devicePixelRatio()
    assert dialog.scroll.viewport().width() * 0.8 < shown_width <= dialog.scroll.viewport().width()
    assert image.height() / image.width() == pytest.approx(297 / 210, rel=0.01)
    # Not a blank sheet: the page has dark pixels (text, rules).
    assert any(image.pixelColor(x, y).lightness() < 100
               for x in range(0, image.width(), 7) for y in range(0, image.height() // 3, 7))

    with qtbot.waitSignal(dialog.page_shown, timeout=10000):
        qtbot.keyClick(dialog.scroll, Qt.Key.Key_PageDown)
    assert dialog.current_page == 2 and dialog.page_box.value() == 2
    assert dialog.page_image() is not None
    qtbot.keyClick(dialog.scroll, Qt.Key.Key_PageUp)
    assert dialog.current_page == 1
    dialog.go_to_page(99)
    assert dialog.current_page == dialog.page_count and not dialog.next_button.isEnabled()

    fitted = dialog.zoom
    dialog.zoom_in()
    assert dialog.zoom > fitted and not dialog.fit_button.isChecked()
    qtbot.waitUntil(lambda: dialog.page_image() is not None, timeout=10000)
    assert dialog.page_image().width() > image.width()
    dialog.zoom_out()
    dialog.zoom_out()
    assert dialog.zoom < fitted
    dialog.fit_width()
    assert dialog.zoom == pytest.approx(fitted)

    qtbot.keyClick(dialog.scroll, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_print_to_a_pdf_printer_prints_every_page_as_one_job(qtbot, ctx, tmp_path):
    pdf = render_documents(ctx.session, "positions", ["ALL"], preview_only=True)
    dialog = open_dialog(qtbot, ctx, pdf)
    out = tmp_path / "printed.pdf"

    assert dialog.print_to(pdf_printer(out)) == dialog.page_count
    assert page_count(out) == dialog.page_count >= 3
    # Pages are rasterised: the printed file carries images, one per page, not the PDF's text.
    reader = PdfReader(str(out))
    assert all(page["/Resources"].get("/XObject") for page in reader.pages)


def test_preview_counts_nothing_and_printing_counts_each_copy(qtbot, ctx, tmp_path, print_log, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    print_documents(ctx, "positions", ["warehouse_clerk"], parent)
    qtbot.waitUntil(lambda: parent.findChild(PrintPreviewDialog) is not None, timeout=10000)
    dialog = parent.findChild(PrintPreviewDialog)
    qtbot.waitUntil(lambda: dialog.page_image() is not None, timeout=10000)
    assert "POS-WAREHOUSE_CLERK" in pdf_text(dialog.pdf_bytes)
    assert print_log("positions", "POS-WAREHOUSE_CLERK") == []  # previewing is not printing

    first = tmp_path / "first.pdf"
    with qtbot.waitSignal(dialog.printed, timeout=20000) as printed:
        dialog.start_print(pdf_printer(first))
    rendered: RenderedDocuments = printed.args[0]
    assert [d.copy_no for d in rendered.documents] == [1]
    assert page_count(first) == dialog.page_count
    assert "补打" not in pdf_text(dialog.pdf_bytes)
    assert dialog.status.text() == "已打印 POS-WAREHOUSE_CLERK"

    # Ctrl+P prints again (the printer choice is the only thing a test cannot click through).
    second = tmp_path / "second.pdf"
    monkeypatch.setattr(dialog, "_ask_printer", lambda: pdf_printer(second))
    with qtbot.waitSignal(dialog.printed, timeout=20000):
        qtbot.keyClick(dialog.scroll, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    # The dialog now shows the copy as printed: a reprint, marked and counted.
    assert "补打 第1次" in pdf_text(dialog.pdf_bytes)
    assert "补打 第1次" in dialog.status.text()
    assert page_count(second) == dialog.page_count
    assert [copy_no for copy_no, _, _ in print_log("positions", "POS-WAREHOUSE_CLERK")] == [1, 2]


def test_a_cancelled_print_is_not_counted(qtbot, ctx, tmp_path, print_log):
    pdf = render_documents(ctx.session, "positions", ["customer_service"], preview_only=True)
    dialog = open_dialog(qtbot, ctx, pdf, request=PrintRequest("positions", ("customer_service",)))

    handle = dialog.start_print(pdf_printer(tmp_path / "cancelled.pdf"))
    assert not dialog.print_button.isEnabled() and dialog.cancel_button.isVisibleTo(dialog)
    handle.cancel()  # before the worker reaches the printer: the job stops, the transaction rolls back
    qtbot.waitUntil(lambda: handle.done, timeout=20000)

    assert print_log("positions", "POS-CUSTOMER_SERVICE") == []
    assert dialog.status.text() == "已取消打印"
    assert dialog.print_button.isEnabled() and not dialog.cancel_button.isVisibleTo(dialog)
