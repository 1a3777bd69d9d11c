"""Printing a batch of documents one job each, in the background, past printer errors.

A clerk printing forty dispatch sheets must not lose the other thirty-nine because the printer ran
out of paper on one, nor believe that one printed. Each document is rendered as a logged print and
printed inside its own transaction (``print_logged``), so a document whose printing fails rolls
back its copy number; the queue goes on with the next and reports at the end which documents did
not print and why.

Documents go one after another, not in parallel: the sheets come out in the order asked for.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from client.db.errors import UserFacingError
from client.documents.printing import RenderedDocuments

from .context import AppContext
from .print_preview import print_logged
from .printers import PrinterChoice, printer_for
from .tasks import TaskHandle


def tr(text: str) -> str:
    return QCoreApplication.translate("PrintQueue", text)


@dataclass(frozen=True)
class QueuedDocument:
    doctype: str
    number: str     # as asked for (a failed document may have no printed number)


@dataclass(frozen=True)
class PrintFailure:
    document: QueuedDocument
    reason: str


@dataclass
class QueueResult:
    printed: list[QueuedDocument] = field(default_factory=list)
    failed: list[PrintFailure] = field(default_factory=list)

    def summary(self) -> str:
        """For the message box: how many printed, and each document that did not, with why."""
        lines = [tr("已打印 %1 份").replace("%1", str(len(self.printed)))]
        if self.failed:
            lines.append(tr("以下 %1 份未打印，也未计入打印次数：").replace("%1", str(len(self.failed))))
            lines += [f"{f.document.number}：{f.reason}" for f in self.failed]
        return "\n".join(lines)


class PrintQueue(QObject):
    """Prints ``(doctype, number)`` documents one job each on the printer saved for their type.

    ``choose`` gives the printer for a document type (tests pass PDF files). A printer that is not
    as saved (gone, paper refused) fails the document instead of printing it somewhere else."""

    progress = Signal(int, int, str)   # documents done, total, what prints now
    finished = Signal(object)          # QueueResult

    def __init__(self, ctx: AppContext, parent: QObject | None = None, *,
                 choose: Callable[[str], PrinterChoice] = printer_for):
        super().__init__(parent)
        self._ctx = ctx
        self._choose = choose
        self._pending: deque[QueuedDocument] = deque()
        self._total = 0
        self._result = QueueResult()
        self._handle: TaskHandle | None = None
        self._cancelled = False

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self, documents: Iterable[tuple[str, str]]) -> None:
        if self.running:
            raise RuntimeError("print queue already running")
        self._pending = deque(QueuedDocument(doctype, number) for doctype, number in documents)
        self._total = len(self._pending)
        self._result = QueueResult()
        self._cancelled = False
        self._next()

    def cancel(self) -> None:
        """Skip the documents not started yet; they are reported as not printed. The document
        printing now finishes: a task cancelled after its transaction committed would report a
        counted copy as cancelled."""
        self._cancelled = True

    def _next(self) -> None:
        while self._pending:
            document = self._pending.popleft()
            if self._cancelled:
                self._failed(document, tr("已取消"))
                continue
            try:
                printer, note = self._choose(document.doctype)
            except UserFacingError as error:
                self._failed(document, error.message)
                continue
            if note is not None:
                self._failed(document, note)
                continue
            printer.setDocName(f"{document.doctype} {document.number}")
            done = len(self._result.printed) + len(self._result.failed)
            self.progress.emit(done, self._total, tr("正在打印 %1").replace("%1", document.number))

            def job(conn, token, report, document=document, printer=printer) -> RenderedDocuments:
                return print_logged(conn, document.doctype, (document.number,), printer, token=token)

            self._handle = self._ctx.run(
                job, label=tr("打印 %1").replace("%1", document.number),
                on_done=lambda _rendered, document=document: self._ended(document, None),
                on_error=lambda error, document=document: self._ended(document, error.message),
                on_cancel=lambda document=document: self._ended(document, tr("已取消")))
            return
        self._handle = None
        self.progress.emit(self._total, self._total, "")
        self.finished.emit(self._result)

    def _failed(self, document: QueuedDocument, reason: str) -> None:
        self._result.failed.append(PrintFailure(document, reason))

    def _ended(self, document: QueuedDocument, reason: str | None) -> None:
        if reason is None:
            self._result.printed.append(document)
        else:
            self._failed(document, reason)
        self._next()


def print_in_queue(ctx: AppContext, documents: Iterable[tuple[str, str]],
                   parent: QWidget | None = None) -> PrintQueue:
    """Print the documents one job each; at the end a message box says which did not print."""
    queue = PrintQueue(ctx, parent)

    def summarise(result: QueueResult) -> None:
        if result.failed:
            QMessageBox.warning(parent, tr("部分单据未打印"), result.summary())
        else:
            QMessageBox.information(parent, tr("打印完成"), result.summary())

    queue.finished.connect(summarise)
    queue.start(documents)
    return queue
