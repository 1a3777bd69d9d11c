"""Which printer each document type goes to on this PC, on what paper, and whether without a dialog.

Dispatch sheets go to the warehouse's dot-matrix printer on continuous form, receipts to the
cashier's laser printer: the choice belongs to the PC, not to the login, so it lives in
``machine_settings()`` under ``printers/<doctype>/``.

The document's PDF keeps its own page layout (the document bodies size their tables from their
doctype's ``PageSetup``); ``print_pdf`` scales each page into the printable area of the paper chosen
here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import QCoreApplication, QMarginsF, QSettings, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .settings import machine_settings


def tr(text: str) -> str:
    return QCoreApplication.translate("Printers", text)


def _continuous_form() -> QPageSize:
    # 241 × 280 mm (9.5 × 11 in) continuous form, the usual paper of dot-matrix printers
    # (针式打印机) for multi-part dispatch sheets; not a QPageSize id, so a custom size.
    return QPageSize(QSizeF(241, 280), QPageSize.Unit.Millimeter, "241×280", QPageSize.SizeMatchPolicy.ExactMatch)


# Stored key → (label, size), both made when needed so the label is translated in the UI's
# language. ISO B5 (176 × 250 mm), as in GB/T 148.
PAPERS = {
    "A4": (lambda: tr("A4（210×297 毫米）"), lambda: QPageSize(QPageSize.PageSizeId.A4)),
    "A5": (lambda: tr("A5（148×210 毫米）"), lambda: QPageSize(QPageSize.PageSizeId.A5)),
    "B5": (lambda: tr("B5（176×250 毫米）"), lambda: QPageSize(QPageSize.PageSizeId.B5)),
    "241x280": (lambda: tr("241×280 毫米连续纸（针式打印机）"), _continuous_form),
}

_MARGIN_SIDES = ("left", "top", "right", "bottom")


def _bool(value) -> bool:
    # An INI file gives back the string "true"; QSettings not yet written to disk gives a bool.
    return value if isinstance(value, bool) else str(value).lower() in ("true", "1")


@dataclass(frozen=True)
class PrinterSettings:
    """How one document type prints on this PC."""

    printer: str = ""                                          # "" = the system's default printer
    direct: bool = False                                       # print without preview and dialog
    paper: str = "A4"                                          # a key of PAPERS
    landscape: bool = False
    margins_mm: tuple[float, float, float, float] = (5, 5, 5, 5)  # left, top, right, bottom
    copies: int = 1

    @classmethod
    def load(cls, doctype: str, store: QSettings | None = None) -> PrinterSettings:
        store = store or machine_settings()
        key = f"printers/{doctype}/"
        default = cls()
        try:
            saved = cls(
                printer=str(store.value(key + "printer", default.printer)),
                direct=_bool(store.value(key + "direct", default.direct)),
                paper=str(store.value(key + "paper", default.paper)),
                landscape=_bool(store.value(key + "landscape", default.landscape)),
                margins_mm=tuple(float(store.value(f"{key}margin_{side}", value))
                                 for side, value in zip(_MARGIN_SIDES, default.margins_mm)),
                copies=max(1, int(store.value(key + "copies", default.copies))),
            )
        except (TypeError, ValueError):
            return default  # a hand-edited INI must not stop printing
        return saved if saved.paper in PAPERS else default

    def save(self, doctype: str, store: QSettings | None = None) -> None:
        store = store or machine_settings()
        key = f"printers/{doctype}/"
        store.setValue(key + "printer", self.printer)
        store.setValue(key + "direct", self.direct)
        store.setValue(key + "paper", self.paper)
        store.setValue(key + "landscape", self.landscape)
        for side, value in zip(_MARGIN_SIDES, self.margins_mm):
            store.setValue(f"{key}margin_{side}", value)
        store.setValue(key + "copies", self.copies)
        store.sync()


class PrinterChoice(NamedTuple):
    printer: QPrinter
    note: str | None   # why the printer is not set up as saved (printer gone, paper refused), or None


def configure(printer: QPrinter, settings: PrinterSettings) -> str | None:
    """Apply paper, orientation, margins and copies to ``printer``; return a note for what the
    printer refused (it then keeps A4 / its own margins), or None."""
    notes = []
    if not printer.setPageSize(PAPERS[settings.paper][1]()):
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        notes.append(tr("打印机不支持所选纸张，已改用 A4"))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if settings.landscape
                               else QPageLayout.Orientation.Portrait)
    if not printer.setPageMargins(QMarginsF(*settings.margins_mm), QPageLayout.Unit.Millimeter):
        notes.append(tr("页边距小于打印机允许的最小值，已使用打印机默认边距"))
    printer.setCopyCount(settings.copies)
    return "；".join(notes) or None


def printer_for(doctype: str, store: QSettings | None = None) -> PrinterChoice:
    """A QPrinter set up as saved for ``doctype`` on this PC. A saved printer that is no longer
    installed falls back to the system default, with a note the caller shows (or refuses on)."""
    settings = PrinterSettings.load(doctype, store)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    notes = []
    if settings.printer:
        if settings.printer in QPrinterInfo.availablePrinterNames():
            printer.setPrinterName(settings.printer)
        else:
            notes.append(tr("未找到打印机“%1”，已改用系统默认打印机").replace("%1", settings.printer))
    paper_note = configure(printer, settings)
    if paper_note:
        notes.append(paper_note)
    return PrinterChoice(printer, "；".join(notes) or None)


class PrinterSettingsDialog(QDialog):
    """Printer, paper, margins, copies and "print directly" for one document type on this PC.
    Enter saves, Esc cancels."""

    def __init__(self, doctype: str, parent: QWidget | None = None, *, title: str | None = None,
                 store: QSettings | None = None):
        super().__init__(parent)
        self._doctype = doctype
        self._store = store
        self.setWindowTitle(tr("打印设置 — %1").replace("%1", title or doctype))
        self.setObjectName("PrinterSettingsDialog")
        saved = PrinterSettings.load(doctype, store)

        self.printer_box = QComboBox()
        self.printer_box.addItem(tr("系统默认打印机"), "")
        for name in QPrinterInfo.availablePrinterNames():
            self.printer_box.addItem(name, name)
        if saved.printer and self.printer_box.findData(saved.printer) < 0:
            # Kept selectable: a printer switched off today must not be forgotten by saving.
            self.printer_box.addItem(tr("%1（未找到）").replace("%1", saved.printer), saved.printer)
        self.printer_box.setCurrentIndex(max(0, self.printer_box.findData(saved.printer)))

        self.direct_box = QCheckBox(tr("直接打印（不预览，不显示打印对话框）"))
        self.direct_box.setChecked(saved.direct)
        self.paper_box = QComboBox()
        for key, (label, _size) in PAPERS.items():
            self.paper_box.addItem(label(), key)
        self.paper_box.setCurrentIndex(self.paper_box.findData(saved.paper))
        self.orientation_box = QComboBox()
        self.orientation_box.addItem(tr("纵向"), False)
        self.orientation_box.addItem(tr("横向"), True)
        self.orientation_box.setCurrentIndex(1 if saved.landscape else 0)

        self.margin_boxes = []
        margins = QGridLayout()
        for index, (label, value) in enumerate(zip((tr("左"), tr("上"), tr("右"), tr("下")), saved.margins_mm)):
            box = QDoubleSpinBox()
            box.setRange(0, 50)
            box.setDecimals(1)
            box.setSingleStep(0.5)
            box.setSuffix(tr(" 毫米"))
            box.setValue(value)
            self.margin_boxes.append(box)
            margins.addWidget(QLabel(label), index // 2, index % 2 * 2)
            margins.addWidget(box, index // 2, index % 2 * 2 + 1)
        self.copies_box = QSpinBox()
        self.copies_box.setRange(1, 99)
        self.copies_box.setValue(saved.copies)

        form = QFormLayout()
        form.addRow(tr("打印机："), self.printer_box)
        form.addRow("", self.direct_box)
        form.addRow(tr("纸张："), self.paper_box)
        form.addRow(tr("方向："), self.orientation_box)
        form.addRow(tr("页边距："), margins)
        form.addRow(tr("份数："), self.copies_box)
        note = QLabel(tr("设置只保存在本机，按单据类型分别保存。"))
        note.setStyleSheet("color: #606060;")

        buttons = QDialogButtonBox()
        save = buttons.addButton(tr("保存"), QDialogButtonBox.ButtonRole.AcceptRole)
        save.setDefault(True)  # Enter saves from any field
        buttons.addButton(tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def settings(self) -> PrinterSettings:
        """What the dialog shows now."""
        return PrinterSettings(
            printer=self.printer_box.currentData(),
            direct=self.direct_box.isChecked(),
            paper=self.paper_box.currentData(),
            landscape=self.orientation_box.currentData(),
            margins_mm=tuple(box.value() for box in self.margin_boxes),
            copies=self.copies_box.value(),
        )

    def accept(self) -> None:
        self.settings().save(self._doctype, self._store)
        super().accept()
