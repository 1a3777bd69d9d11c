"""Print preview and printing of PDF documents inside the client.

PySide6-Essentials has no QtPdf, so pages are rasterised with pdfium (pypdfium2): for the screen at
the zoom shown, for the printer at the printer's resolution (capped, see ``MAX_PRINT_DPI``), each
page drawn into the printable area of the paper keeping its aspect ratio. All pages go to the
printer as one job.

Which printer, paper and margins a document type uses on this PC, and whether it prints without
preview and dialog, is :mod:`client.ui.printers`' business; batches go through
:mod:`client.ui.print_queue`.

Preview is free, printing counts: :func:`print_documents` renders the documents with
``preview_only=True`` (nothing logged), and only when the user prints does the dialog render them
again *with* logging, so the copy on paper carries the copy number the output log gave it (补打 on a
reprint). That second render and the printing run in one database transaction: if the printer
fails or the user cancels, the print is not counted. Afterwards the dialog shows the pages exactly
as printed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Sequence

import pypdfium2 as pdfium
from PySide6.QtCore import QCoreApplication, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPageLayout, QPageSize, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from client.db.errors import UserFacingError
from client.documents.printing import RenderedDocuments, render_on

from .context import AppContext
from .printers import PrinterSettings, PrinterSettingsDialog, printer_for
from .tasks import CancelToken, TaskCancelled, TaskHandle

# A page rasterised at 600 dpi is about 100 MB (A4, RGB); beyond that a laser printer shows no
# difference for documents of text and rules, while memory and spool size keep growing.
MAX_PRINT_DPI = 600
SCREEN_DPI = 96          # zoom 100% = the paper's real size on a standard screen
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 3.0, 4.0)
_PAGE_MARGIN = 12        # px around the page in the scroll area
_CACHE_SIZE = 6          # rendered page images kept for quick paging back and forth

# pdfium is not thread-safe: one call at a time across the whole process (preview and printing
# may run on different worker threads at once).
_PDFIUM_LOCK = threading.RLock()


def tr(text: str) -> str:
    return QCoreApplication.translate("PrintPreview", text)


class PdfPages:
    """A PDF opened with pdfium. Safe to use from any thread; calls are serialised."""

    def __init__(self, data: bytes):
        self._data = data  # pdfium reads from this buffer for as long as the document is open
        with _PDFIUM_LOCK:
            self._doc = pdfium.PdfDocument(data)
            self.sizes: list[tuple[float, float]] = [self._doc[i].get_size() for i in range(len(self._doc))]
        self.closed = False

    @property
    def page_count(self) -> int:
        return len(self.sizes)

    def render(self, index: int, pixels_per_point: float) -> QImage:
        """Page ``index`` (0-based) as an RGB image, ``pixels_per_point`` pixels per 1/72 inch."""
        with _PDFIUM_LOCK:
            if self.closed:
                raise TaskCancelled()
            page = self._doc[index]
            bitmap = None
            try:
                bitmap = page.render(scale=pixels_per_point, rev_byteorder=True)  # 3 bytes per pixel, RGB
                image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
                return image.copy()  # own the pixels: the bitmap's buffer goes away with it
            finally:
                # Free pdfium's objects here, under the lock: left to the garbage collector they
                # would be destroyed whenever the frame goes, outside the lock, possibly while another
                # thread is inside pdfium — which corrupts its heap.
                if bitmap is not None:
                    bitmap.close()
                page.close()

    def close(self) -> None:
        with _PDFIUM_LOCK:
            if not self.closed:
                self.closed = True
                self._doc.close()


def select_paper(printer: QPrinter, pages: PdfPages) -> None:
    """Preselect the paper the document was laid out for (its first page); the printer keeps its
    own margins, so nothing lands where the printer cannot print."""
    width, height = pages.sizes[0]
    printer.setPageSize(QPageSize(QSizeF(min(width, height), max(width, height)), QPageSize.Unit.Point, "",
                                  QPageSize.SizeMatchPolicy.FuzzyMatch))
    printer.setPageOrientation(
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait)


def print_pdf(pdf: bytes, printer: QPrinter, *, token: CancelToken | None = None,
              report: Callable[[int, int, str], None] | None = None) -> int:
    """Print every page of ``pdf`` on ``printer`` as one job, ``printer.copyCount()`` times; return
    the document's page count.

    Each page is rasterised at the printer's resolution (at most ``MAX_PRINT_DPI``) and scaled into
    the printable area keeping its aspect ratio. QPainter may paint on a QPrinter from a worker
    thread, so this runs in the background. Cancelling aborts the job and raises TaskCancelled.
    """
    pages = PdfPages(pdf)
    # Drivers that cannot print copies themselves (and PDF output) get the pages again, collated.
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    total = pages.page_count * copies
    painter = QPainter()
    try:
        if not painter.begin(printer):
            raise UserFacingError(tr("无法开始打印，请检查打印机是否可用"), kind="printer")
        try:
            area = printer.pageRect(QPrinter.Unit.DevicePixel)  # the painter's origin is its top-left
            for done in range(total):
                index = done % pages.page_count
                width_pt, height_pt = pages.sizes[index]
                if token is not None and token.cancelled:
                    printer.abort()
                    raise TaskCancelled()
                if done and not printer.newPage():
                    raise UserFacingError(tr("打印机无法换页，打印已中止"), kind="printer")
                fit = min(area.width() / width_pt, area.height() / height_pt)  # device px per point
                target = QRectF((area.width() - width_pt * fit) / 2, 0, width_pt * fit, height_pt * fit)
                image = pages.render(index, min(fit, MAX_PRINT_DPI / 72))
                painter.drawImage(target, image)
                if report is not None:
                    report(done + 1, total, tr("正在打印第 %1 页，共 %2 页").replace(
                        "%1", str(done + 1)).replace("%2", str(total)))
        finally:
            painter.end()
    finally:
        pages.close()
    # The job is handed to the spooler on end(); if the print system refused it, the caller's
    # transaction must not count the copy. (Paper running out after spooling is beyond our sight.)
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise UserFacingError(tr("打印机报告错误，打印未完成"), kind="printer")
    return pages.page_count


def print_logged(conn, doctype: str, numbers: Sequence[str], printer: QPrinter, *,
                 token: CancelToken | None = None,
                 report: Callable[[int, int, str], None] | None = None) -> RenderedDocuments:
    """Render the documents as a logged print on ``conn`` and print them on ``printer`` as one job.
    Call inside the transaction of ``ctx.run``: it commits (the copies count) only if the printer
    took the job, and rolls back when rendering or printing raises."""
    rendered = render_on(conn, doctype, numbers)
    if token is not None:
        token.raise_if_cancelled()
    print_pdf(rendered.pdf, printer, token=token, report=report)
    return rendered


class _Shown:
    """The PDF a dialog shows. Outlives the dialog's C++ object: a page rendered in the background
    may come back after the dialog was closed or destroyed with its parent, and must find out."""

    def __init__(self, pages: PdfPages):
        self.pages = pages
        self.closed = False

    def release(self) -> None:
        self.closed = True
        self.pages.close()


@dataclass(frozen=True)
class PrintRequest:
    """What to render again, with logging, when the user prints from the preview."""

    doctype: str
    numbers: tuple[str, ...]


class PrintPreviewDialog(QDialog):
    """Pages of a PDF, one at a time: fit width or zoom, page x/y, PageUp/PageDown, Ctrl+P prints,
    Esc closes.

    With a ``request`` the print button renders the documents again as a logged print (copy number,
    补打) and prints that; without one it prints the PDF as shown.
    """

    page_shown = Signal(int)        # 1-based page number whose image is now on screen
    printed = Signal(object)        # RenderedDocuments (or None for a PDF without a request) after printing

    def __init__(self, ctx: AppContext, pdf_bytes: bytes, title: str, parent: QWidget | None = None, *,
                 request: PrintRequest | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._title = title
        self._request = request
        self._pdf = pdf_bytes
        self._shown = _Shown(PdfPages(pdf_bytes))
        self.destroyed.connect(self._shown.release)
        self._page = 0
        self._zoom = 1.0
        self._fit_width = True
        self._cache: dict[tuple[int, int], QImage] = {}
        self._wanted: tuple[int, int] | None = None   # the image the screen is waiting for
        self._rendering: set[tuple[int, int]] = set()
        self._print_handle: TaskHandle | None = None
        self._printer: QPrinter | None = None         # kept alive while a job paints on it

        self.setWindowTitle(tr("打印预览 — %1").replace("%1", title))
        self.setObjectName("PrintPreviewDialog")
        self.resize(900, 1000)
        self._build_ui()
        self._resize_timer = QTimer(self, singleShot=True, interval=80)
        self._resize_timer.timeout.connect(self._show_page)
        if request is not None:
            self.status.setText(tr("预览不计打印次数；打印时登记，重复打印的单据标记“补打”"))
        self._update_controls()
        QTimer.singleShot(0, self._show_page)  # after the layout gave the viewport its width

    # --- widgets ---------------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.print_button = QPushButton(tr("打印…"))
        self.print_button.setToolTip(tr("打印全部页（Ctrl+P）"))
        self.print_button.clicked.connect(self.request_print)
        self.prev_button = QPushButton(tr("上一页"))
        self.prev_button.setToolTip("PageUp")
        self.prev_button.clicked.connect(self.previous_page)
        self.page_box = QSpinBox()
        self.page_box.setKeyboardTracking(False)
        self.page_box.valueChanged.connect(lambda value: self.go_to_page(value))
        self.page_total = QLabel()
        self.next_button = QPushButton(tr("下一页"))
        self.next_button.setToolTip("PageDown")
        self.next_button.clicked.connect(self.next_page)
        self.zoom_out_button = QPushButton(tr("缩小"))
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = QPushButton(tr("放大"))
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.fit_button = QPushButton(tr("适合宽度"))
        self.fit_button.setCheckable(True)
        self.fit_button.clicked.connect(self.fit_width)
        self.settings_button = QPushButton(tr("打印设置…"))
        self.settings_button.setToolTip(tr("本机打印此类单据用的打印机、纸张、页边距、份数"))
        self.settings_button.clicked.connect(self.edit_printer_settings)
        self.settings_button.setVisible(self._request is not None)  # settings belong to a document type
        close_button = QPushButton(tr("关闭"))
        close_button.clicked.connect(self.reject)
        for button in (self.print_button, self.settings_button, self.prev_button, self.next_button,
                       self.zoom_in_button, self.zoom_out_button, self.fit_button, close_button):
            button.setAutoDefault(False)  # Enter in the page box must not press a button

        bar = QHBoxLayout()
        bar.addWidget(self.print_button)
        bar.addWidget(self.settings_button)
        bar.addSpacing(16)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.page_box)
        bar.addWidget(self.page_total)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.fit_button)
        bar.addStretch(1)
        bar.addWidget(close_button)

        self.page_label = QLabel(tr("正在生成预览…"))
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setStyleSheet("background: white; color: #606060;")
        self.scroll = QScrollArea()
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll.setWidget(self.page_label)
        self.scroll.setStyleSheet("QScrollArea { background: #808080; }")
        self.scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.status = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.cancel_button = QPushButton(tr("取消打印"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_print)
        self.cancel_button.hide()
        status_bar = QHBoxLayout()
        status_bar.addWidget(self.status, 1)
        status_bar.addWidget(self.progress)
        status_bar.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(status_bar)

        # Window-wide shortcuts, so they work whichever control has the focus.
        for keys, slot in ((QKeySequence.StandardKey.Print, self.request_print),
                           (QKeySequence(Qt.Key.Key_PageUp), self.previous_page),
                           (QKeySequence(Qt.Key.Key_PageDown), self.next_page),
                           (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
                           (QKeySequence.StandardKey.ZoomOut, self.zoom_out)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self.scroll.setFocus()

    def _update_controls(self) -> None:
        count = self._pages.page_count
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, max(1, count))
        self.page_box.setValue(self._page + 1)
        self.page_box.blockSignals(False)
        self.page_total.setText(f"/ {count}")
        self.prev_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page + 1 < count)
        self.zoom_label.setText(f"{round(self._zoom * 100)}%")
        self.fit_button.setChecked(self._fit_width)
        printing = self._print_handle is not None
        self.print_button.setEnabled(not printing)
        self.progress.setVisible(printing)
        self.cancel_button.setVisible(printing)

    @property
    def _pages(self) -> PdfPages:
        return self._shown.pages

    @property
    def _closed(self) -> bool:
        return self._shown.closed

    # --- navigation and zoom ---------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return self._pages.page_count

    @property
    def current_page(self) -> int:
        """1-based number of the page shown."""
        return self._page + 1

    @property
    def zoom(self) -> float:
        return self._zoom

    @property
    def pdf_bytes(self) -> bytes:
        """The PDF shown (after printing: the copy that was printed)."""
        return self._pdf

    def go_to_page(self, number: int) -> None:
        """Show page ``number`` (1-based, clamped to the document)."""
        index = min(max(number, 1), self._pages.page_count) - 1
        if index != self._page:
            self._page = index
            self.scroll.verticalScrollBar().setValue(0)
        self._update_controls()
        self._show_page()

    def next_page(self) -> None:
        self.go_to_page(self.current_page + 1)

    def previous_page(self) -> None:
        self.go_to_page(self.current_page - 1)

    def _set_zoom(self, zoom: float) -> None:
        self._fit_width = False
        self._zoom = min(max(zoom, ZOOM_STEPS[0]), ZOOM_STEPS[-1])
        self._update_controls()
        self._show_page()

    def zoom_in(self) -> None:
        self._set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom + 0.001), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self._set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom - 0.001), ZOOM_STEPS[0]))

    def fit_width(self) -> None:
        self._fit_width = True
        self._show_page()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fit_width:
            self._resize_timer.start()

    def _fit_zoom(self) -> float:
        width_pt = self._pages.sizes[self._page][0]
        # Leave room for the vertical scroll bar, which a fitted page nearly always needs.
        # (2 px spare: pdfium rounds the bitmap's width up.)
        scroll_bar = 0 if self.scroll.verticalScrollBar().isVisible() else self.scroll.verticalScrollBar().sizeHint().width()
        available = self.scroll.viewport().width() - 2 * _PAGE_MARGIN - scroll_bar - 2
        return max(ZOOM_STEPS[0], available / (width_pt * SCREEN_DPI / 72))

    # --- rendering pages for the screen ----------------------------------------------------------

    def page_image(self) -> QImage | None:
        """The image of the current page at the current zoom, once rendered."""
        return self._cache.get(self._image_key())

    def _pixels_per_point(self) -> float:
        return self._zoom * SCREEN_DPI / 72 * self.devicePixelRatioF()

    def _image_key(self) -> tuple[int, int]:
        return self._page, round(self._pixels_per_point() * 1000)

    def _show_page(self) -> None:
        if self._closed:
            return
        if self._fit_width:
            self._zoom = self._fit_zoom()
            self._update_controls()
        key = self._image_key()
        self._wanted = key
        image = self._cache.get(key)
        if image is not None:
            self._display(image)
            return
        if key in self._rendering:
            return
        self._rendering.add(key)
        pages, index, scale = self._pages, self._page, self._pixels_per_point()
        self._ctx.tasks.submit(
            lambda token, report: pages.render(index, scale),
            on_done=lambda image, key=key, pages=pages: self._rendered(pages, key, image),
            on_error=lambda error, key=key: self._render_failed(key, error),
            on_cancel=lambda key=key: self._rendering.discard(key),
            label=tr("生成预览"))

    def _rendered(self, pages: PdfPages, key: tuple[int, int], image: QImage) -> None:
        self._rendering.discard(key)
        if self._closed or pages is not self._pages:
            return  # the dialog closed, or shows another PDF by now
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self._cache[key] = image
        while len(self._cache) > _CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        if key == self._wanted:
            self._display(image)

    def _render_failed(self, key: tuple[int, int], error: UserFacingError) -> None:
        self._rendering.discard(key)
        if not self._closed:
            self.page_label.setText(tr("无法显示此页：%1").replace("%1", error.message))

    def _display(self, image: QImage) -> None:
        self.page_label.setPixmap(QPixmap.fromImage(image))
        self.page_label.setFixedSize(image.width() / image.devicePixelRatio() + 2 * _PAGE_MARGIN,
                                     image.height() / image.devicePixelRatio() + 2 * _PAGE_MARGIN)
        self.page_label.setStyleSheet("background: #808080;")
        self.page_shown.emit(self.current_page)

    def set_pdf(self, pdf_bytes: bytes) -> None:
        """Show another PDF (the printed copy) in place of the current one, on the same page."""
        old = self._pages
        self._pdf = pdf_bytes
        self._shown.pages = PdfPages(pdf_bytes)
        old.close()
        self._cache.clear()
        self._rendering.clear()
        self._page = min(self._page, self._pages.page_count - 1)
        self._update_controls()
        self._show_page()

    # --- printing --------------------------------------------------------------------------------

    def print_to(self, printer: QPrinter) -> int:
        """Print the PDF as shown on ``printer`` (all pages, one job), here and now; return the page
        count. The print button goes through :meth:`start_print` instead, which counts the copy."""
        return print_pdf(self._pdf, printer)

    def edit_printer_settings(self) -> None:
        """The 打印设置… button: this PC's printer, paper and margins for the document type."""
        PrinterSettingsDialog(self._request.doctype, self, title=self._title).exec()

    def _ask_printer(self) -> QPrinter | None:
        if self._request is None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            select_paper(printer, self._pages)
        else:
            # The dialog starts from this PC's choice for the document type.
            printer, note = printer_for(self._request.doctype)
            if note:
                self.status.setText(note)
        printer.setDocName(self._title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(tr("打印 — %1").replace("%1", self._title))
        # Always the whole document: a half-printed contract must not pass for a printed one.
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, False)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintSelection, False)
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def request_print(self) -> None:
        """The print button and Ctrl+P: choose a printer, then print in the background."""
        if self._print_handle is not None:
            return
        printer = self._ask_printer()
        if printer is not None:
            self.start_print(printer)

    def start_print(self, printer: QPrinter) -> TaskHandle:
        """Print on ``printer`` in the background. With a request the documents are rendered again
        as a logged print, in the same transaction as the printing, and then shown as printed."""
        self._printer = printer
        request = self._request
        callbacks = dict(on_done=self._print_done, on_error=self._print_failed,
                         on_progress=self._print_progress, on_cancel=self._print_cancelled, label=tr("打印"))
        if request is None:
            pdf = self._pdf

            def print_as_shown(token, report) -> None:
                print_pdf(pdf, printer, token=token, report=report)

            handle = self._ctx.tasks.submit(print_as_shown, **callbacks)
        else:
            def job(conn, token, report) -> RenderedDocuments:
                return print_logged(conn, request.doctype, request.numbers, printer, token=token, report=report)
            handle = self._ctx.run(job, **callbacks)
        self._print_handle = handle
        self.progress.setRange(0, 0)
        self.status.setText(tr("正在打印…"))
        self._update_controls()
        return handle

    def cancel_print(self) -> None:
        if self._print_handle is not None:
            self._print_handle.cancel()

    def _print_progress(self, done: int, total: int, message: str) -> None:
        if self._closed:
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(message)

    def _print_finished(self) -> None:
        self._print_handle = None
        self._printer = None
        if not self._closed:
            self._update_controls()

    def _print_done(self, rendered: RenderedDocuments | None) -> None:
        self._print_finished()
        if self._closed:
            return
        if rendered is not None:
            self.set_pdf(rendered.pdf)
            self.status.setText(rendered.summary())
        else:
            self.status.setText(tr("已打印"))
        self.printed.emit(rendered)

    def _print_failed(self, error: UserFacingError) -> None:
        self._print_finished()
        if self._closed:
            return
        self.status.setText(tr("打印失败，未计入打印次数"))
        QMessageBox.warning(self, tr("打印失败"), error.message)

    def _print_cancelled(self) -> None:
        self._print_finished()
        if not self._closed:
            self.status.setText(tr("已取消打印"))

    # --- closing ---------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        if self._print_handle is not None:
            # Closing mid-job would leave the printer half-fed; the user cancels first.
            self.status.setText(tr("正在打印，请等待完成或先取消打印"))
            return
        self._shown.release()
        super().done(result)


def print_documents(ctx: AppContext, doctype: str, numbers: Sequence[str],
                    parent: QWidget | None = None) -> TaskHandle:
    """Render the documents for preview in the background, then open the print preview. Nothing is
    logged until the user prints from the preview.

    When this PC prints the document type directly, it goes straight to the saved printer instead —
    unless that printer is gone or refuses the paper: then the preview opens and says why, rather
    than the sheet coming out of another printer unnoticed."""
    note = None
    if PrinterSettings.load(doctype).direct:
        printer, note = printer_for(doctype)
        if note is None:
            return print_directly(ctx, doctype, numbers, printer, parent)
    request = PrintRequest(doctype, tuple(numbers))

    def job(conn, token, report) -> RenderedDocuments:
        return render_on(conn, request.doctype, request.numbers, preview_only=True)

    def opened(rendered: RenderedDocuments) -> None:
        title = rendered.title if len(rendered.documents) == 1 else tr("%1（%2 份）").replace(
            "%1", rendered.title).replace("%2", str(len(rendered.documents)))
        dialog = PrintPreviewDialog(ctx, rendered.pdf, title, parent, request=request)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if note:
            dialog.status.setText(note)
        dialog.open()

    def failed(error: UserFacingError) -> None:
        QMessageBox.warning(parent, tr("无法打印"), error.message)

    return ctx.run(job, on_done=opened, on_error=failed, label=tr("生成打印预览"))


def print_directly(ctx: AppContext, doctype: str, numbers: Sequence[str], printer: QPrinter,
                   parent: QWidget | None = None) -> TaskHandle:
    """Print the documents on ``printer`` as one logged job in the background, without preview or
    print dialog; the outcome goes to the window's status bar, a failure to a message box."""

    def job(conn, token, report) -> RenderedDocuments:
        return print_logged(conn, doctype, numbers, printer, token=token, report=report)

    def done(rendered: RenderedDocuments) -> None:
        window = parent.window() if parent is not None else None
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(rendered.summary(), 8000)

    def failed(error: UserFacingError) -> None:
        QMessageBox.warning(parent, tr("打印失败"), tr("%1\n未计入打印次数。").replace("%1", error.message))

    return ctx.run(job, on_done=done, on_error=failed, label=tr("打印"))
