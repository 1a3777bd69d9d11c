"""Real printing: printer, paper and margins per document type on this PC, printing directly
without any dialog, and the print queue that goes on past a failed document. PDF files stand in
for physical printers."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from client.ui import print_preview, printers
from client.ui.print_preview import PrintPreviewDialog, print_documents, print_pdf
from client.ui.print_queue import PrintQueue, QueuedDocument, QueueResult, print_in_queue
from client.ui.printers import PrinterChoice, PrinterSettings, PrinterSettingsDialog, printer_for

MM = 72 / 25.4  # points per millimetre


@pytest.fixture
def store(tmp_path, monkeypatch):
    """This PC's settings in a file of the test; machine_settings() opens it too."""
    path = str(tmp_path / "yiwei.ini")
    monkeypatch.setattr(printers, "machine_settings", lambda: QSettings(path, QSettings.Format.IniFormat))
    return printers.machine_settings()


def to_pdf(choice: PrinterChoice, path) -> PrinterChoice:
    """The chosen printer, printing into a PDF file instead of on paper (150 dpi keeps it quick)."""
    choice.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    choice.printer.setOutputFileName(str(path))
    choice.printer.setResolution(150)
    return choice


def one_page_a4() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.drawString(100, 700, "dispatch sheet")
    canvas.save()
    return out.getvalue()


def copies_logged(print_log, subject: str, number: str) -> int:
    return len(print_log(subject, number))


def test_settings_are_kept_per_document_type_in_the_pc_settings(store, tmp_path):
    dispatch = PrinterSettings(printer="仓库 针式打印机", direct=True, paper="241x280", landscape=True,
                               margins_mm=(3.5, 4, 5, 6), copies=3)
    dispatch.save("roster", store)

    reread = QSettings(store.fileName(), QSettings.Format.IniFormat)  # as after a restart
    assert PrinterSettings.load("roster", reread) == dispatch
    assert PrinterSettings.load("positions", reread) == PrinterSettings()  # another type keeps defaults
    assert reread.value("printers/roster/printer") == "仓库 针式打印机"


def test_an_unreadable_entry_falls_back_to_the_defaults(store):
    store.setValue("printers/roster/copies", "many")
    store.setValue("printers/positions/paper", "A0")

    assert PrinterSettings.load("roster", store) == PrinterSettings()
    assert PrinterSettings.load("positions", store) == PrinterSettings()


def test_a_printer_no_longer_installed_falls_back_to_the_default_with_a_note(qapp, store):
    PrinterSettings(printer="已拆除的打印机", paper="A5").save("roster", store)

    printer, note = printer_for("roster", store)

    assert "已拆除的打印机" in note and "默认打印机" in note
    assert printer.printerName() != "已拆除的打印机"
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A5  # the paper still applies
    assert printer_for("positions", store).note is None  # nothing saved: default printer, no note


def test_paper_margins_orientation_and_copies_reach_the_printed_pdf(qapp, store, tmp_path):
    PrinterSettings(paper="241x280", margins_mm=(10, 12, 8, 6), copies=2).save("roster", store)
    out = tmp_path / "continuous.pdf"
    printer, note = to_pdf(printer_for("roster", store), out)

    assert note is None
    margins = printer.pageLayout().margins(QPageLayout.Unit.Millimeter)
    assert (margins.left(), margins.top(), margins.right(), margins.bottom()) == (10, 12, 8, 6)
    assert print_pdf(one_page_a4(), printer) == 1

    pages = PdfReader(str(out)).pages
    assert len(pages) == 2  # two copies: PDF output cannot print copies itself, so the pages repeat
    box = pages[0].mediabox
    assert (float(box.width) / MM, float(box.height) / MM) == (pytest.approx(241, abs=0.5), pytest.approx(280, abs=0.5))

    PrinterSettings(paper="A5", landscape=True).save("roster", store)
    landscape = tmp_path / "a5.pdf"
    print_pdf(one_page_a4(), to_pdf(printer_for("roster", store), landscape).printer)
    box = PdfReader(str(landscape)).pages[0].mediabox
    assert (float(box.width) / MM, float(box.height) / MM) == (pytest.approx(210, abs=0.5), pytest.approx(148, abs=0.5))


def test_settings_dialog_saves_on_enter_and_forgets_on_escape(qtbot, store):
    dialog = PrinterSettingsDialog("roster", title="员工花名册")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "打印设置 — 员工花名册"
    dialog.direct_box.setChecked(True)
    dialog.paper_box.setCurrentIndex(dialog.paper_box.findData("241x280"))
    dialog.copies_box.setValue(2)
    qtbot.keyClick(dialog.copies_box, Qt.Key.Key_Return)

    assert dialog.result() == PrinterSettingsDialog.DialogCode.Accepted
    saved = PrinterSettings.load("roster", store)
    assert (saved.direct, saved.paper, saved.copies, saved.printer) == (True, "241x280", 2, "")

    again = PrinterSettingsDialog("roster")
    qtbot.addWidget(again)
    again.show()
    assert again.settings() == saved  # opens with what was saved
    again.copies_box.setValue(9)
    qtbot.keyClick(again.copies_box, Qt.Key.Key_Escape)
    assert PrinterSettings.load("roster", store).copies == 2


def test_the_preview_offers_the_printer_settings_of_its_document_type(qtbot, make_ctx, store, monkeypatch):
    ctx = make_ctx("admin")
    parent = QWidget()
    qtbot.addWidget(parent)
    print_documents(ctx, "positions", ["designer"], parent)
    qtbot.waitUntil(lambda: parent.findChild(PrintPreviewDialog) is not None, timeout=10000)
    preview = parent.findChild(PrintPreviewDialog)
    opened = []
    monkeypatch.setattr(PrinterSettingsDialog, "exec", lambda self: opened.append(self.windowTitle()))

    assert preview.settings_button.isVisibleTo(preview) and preview.settings_button.text() == "打印设置…"
    qtbot.mouseClick(preview.settings_button, Qt.MouseButton.LeftButton)
    assert opened == ["打印设置 — 岗位权限表"]


@pytest.fixture
def no_dialogs(monkeypatch):
    """Fail the test if a print dialog or message box would ask the user anything."""
    def refuse(*args, **kwargs):
        raise AssertionError("a dialog was shown")

    monkeypatch.setattr(QPrintDialog, "exec", refuse)
    monkeypatch.setattr(QMessageBox, "warning", refuse)


def test_print_directly_prints_on_the_saved_printer_without_any_dialog(
        qtbot, make_ctx, store, tmp_path, monkeypatch, print_log, no_dialogs):
    ctx = make_ctx("admin")
    PrinterSettings(direct=True, paper="A5").save("positions", store)
    out = tmp_path / "direct.pdf"
    monkeypatch.setattr(print_preview, "printer_for", lambda doctype: to_pdf(printer_for(doctype), out))
    before = copies_logged(print_log, "positions", "POS-GUIDE")
    parent = QWidget()
    qtbot.addWidget(parent)

    handle = print_documents(ctx, "positions", ["guide"], parent)
    qtbot.waitUntil(lambda: handle.done, timeout=20000)

    assert parent.findChild(PrintPreviewDialog) is None
    pages = PdfReader(str(out)).pages
    assert len(pages) >= 1
    assert float(pages[0].mediabox.width) / MM == pytest.approx(148, abs=0.5)  # the saved A5
    assert copies_logged(print_log, "positions", "POS-GUIDE") == before + 1


def test_print_directly_to_a_missing_printer_opens_the_preview_instead(qtbot, make_ctx, store, print_log):
    ctx = make_ctx("admin")
    PrinterSettings(printer="二楼仓库打印机", direct=True).save("positions", store)
    before = copies_logged(print_log, "positions", "POS-DESIGNER")
    parent = QWidget()
    qtbot.addWidget(parent)

    print_documents(ctx, "positions", ["designer"], parent)
    qtbot.waitUntil(lambda: parent.findChild(PrintPreviewDialog) is not None, timeout=10000)

    assert "未找到打印机“二楼仓库打印机”" in parent.findChild(PrintPreviewDialog).status.text()
    assert copies_logged(print_log, "positions", "POS-DESIGNER") == before


@pytest.mark.parametrize("failure", ["printer", "permission"])
def test_the_queue_prints_the_others_when_one_document_fails(qtbot, make_ctx, tmp_path, print_log, failure):
    if failure == "printer":
        # The middle document's printer cannot start: its output folder does not exist.
        login = "admin"
        documents = [("positions", "store_manager"), ("positions", "customer_service"),
                     ("positions", "warehouse_clerk")]
        outputs = [tmp_path / "1.pdf", tmp_path / "missing" / "2.pdf", tmp_path / "3.pdf"]
    else:
        # The middle document is another store's roster, which row-level security hides from HZ01.
        login = "hz01.manager"
        documents = [("roster", "HZ01"), ("roster", "SH01"), ("positions", "store_manager")]
        outputs = [tmp_path / "1.pdf", tmp_path / "2.pdf", tmp_path / "3.pdf"]
    subjects = [(doctype, ("ROSTER-" if doctype == "roster" else "POS-") + number.upper())
                for doctype, number in documents]
    before = [copies_logged(print_log, *subject) for subject in subjects]
    ctx = make_ctx(login)
    files = iter(outputs)
    queue = PrintQueue(ctx, choose=lambda doctype: to_pdf(
        PrinterChoice(QPrinter(QPrinter.PrinterMode.HighResolution), None), next(files)))

    with qtbot.waitSignal(queue.finished, timeout=60000) as finished:
        queue.start(documents)
    result: QueueResult = finished.args[0]

    assert result.printed == [QueuedDocument(*documents[0]), QueuedDocument(*documents[2])]
    assert [f.document for f in result.failed] == [QueuedDocument(*documents[1])]
    reason = result.failed[0].reason
    assert ("打印机" in reason) if failure == "printer" else ("数据范围" in reason)
    assert outputs[0].exists() and outputs[2].exists() and not outputs[1].exists()
    after = [copies_logged(print_log, *subject) for subject in subjects]
    assert [a - b for a, b in zip(after, before)] == [1, 0, 1]  # the failed document is not counted
    assert documents[1][1] in result.summary() and reason in result.summary()


def test_print_in_queue_sums_up_in_a_message_box(qtbot, make_ctx, monkeypatch):
    ctx = make_ctx("admin")
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    parent = QWidget()
    qtbot.addWidget(parent)

    queue = print_in_queue(ctx, [("positions", "no_such_position")], parent)
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)

    assert not queue.running
    title, text = shown[0]
    assert title == "部分单据未打印"
    assert "已打印 0 份" in text and "no_such_position：" in text
