"""设计文件 of a contract: upload a drawing (CAD, PDF, image) as the new current version, see every
version with who uploaded it when, and open or save any version.

The file is read and sent in a background task (a drawing may be tens of MB); the database decides
what may be uploaded (state, scope, file type, the size limit ``orders.design_file_max_mb``, empty
files) and its message is shown here as it is.
"""

from __future__ import annotations

import mimetypes
import tempfile
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.customers.lead_data import format_moment
from client.db.errors import UserFacingError
from client.ui.forms import ERROR_STYLE, INFO_STYLE, alive

from .contract_data import DesignFileRow, load_design_files, upload_design_file
from .review_data import load_design_file_data
from .review_widgets import file_size_text

FILE_FILTER = "设计文件 (*.dwg *.dxf *.skp *.pdf *.png *.jpg *.jpeg *.gif *.bmp *.tif *.tiff *.webp *.3ds *.max *.zip *.rar *.7z)"


class DesignFilesPanel(QWidget):
    """The versions of one contract's design files. ``changed`` fires after an upload (the contract
    list shows the current drawing)."""

    changed = Signal()
    HEADERS = ("版本", "文件名", "大小", "上传人", "上传时间", "当前")

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.contract_id: int | None = None
        self.files: list[DesignFileRow] = []
        self.busy = False
        # Where an upload comes from and where a saved copy goes; tests replace these.
        self.ask_upload_path = self._ask_upload_path
        self.ask_save_path = self._ask_save_path
        self.open_url = QDesktopServices.openUrl

        self.table = QTableWidget(0, len(self.HEADERS), self)
        self.table.setObjectName("design_files")
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in self.HEADERS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemActivated.connect(lambda *_: self.open_selected())
        self.current_label = QLabel(self)
        self.current_label.setObjectName("current_design")
        self.current_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(self)
        self.message.setObjectName("design_message")
        self.message.setWordWrap(True)
        self.upload_button = QPushButton(self.tr("上传新版本…"), self)
        self.upload_button.setObjectName("upload")
        self.upload_button.clicked.connect(self.upload)
        self.open_button = QPushButton(self.tr("打开"), self)
        self.open_button.setObjectName("open_file")
        self.open_button.clicked.connect(self.open_selected)
        self.save_button = QPushButton(self.tr("另存为…"), self)
        self.save_button.setObjectName("save_file")
        self.save_button.clicked.connect(self.save_selected)
        buttons = QHBoxLayout()
        for button in (self.upload_button, self.open_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current_label)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.set_files(None, [], can_upload=False)

    # showing -----------------------------------------------------------------------------------
    def set_files(self, contract_id: int | None, files: list[DesignFileRow], *, can_upload: bool) -> None:
        self.contract_id = contract_id
        self.files = files
        self.table.setRowCount(0)
        for row, f in enumerate(files):
            self.table.insertRow(row)
            for column, value in enumerate((str(f.version), f.file_name, file_size_text(f.size_bytes), f.uploaded_by,
                                            format_moment(f.uploaded_at), self.tr("当前") if f.current else "")):
                self.table.setItem(row, column, QTableWidgetItem(value))
        current = next((f for f in files if f.current), None)
        if contract_id is None:
            self.current_label.setText(self.tr("合同保存后即可上传设计文件"))
        elif current is None:
            self.current_label.setText(self.tr("还没有设计文件（提交审核前须上传，图审依据当前版本）"))
        else:
            self.current_label.setText(self.tr("当前版本：第 %d 版 %s（%s，%s 于 %s 上传）") % (
                current.version, current.file_name, file_size_text(current.size_bytes), current.uploaded_by or "—",
                format_moment(current.uploaded_at)))
        if files:
            self.table.selectRow(0)
        self.upload_button.setEnabled(can_upload and contract_id is not None)
        self.open_button.setEnabled(bool(files))
        self.save_button.setEnabled(bool(files))

    def show_message(self, message: str, error: bool = True) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.message.setText(message)

    def message_text(self) -> str:
        return self.message.text()

    def selected(self) -> DesignFileRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.files[rows[0].row()] if rows else None

    # uploading ---------------------------------------------------------------------------------
    def _ask_upload_path(self) -> str | None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("选择设计文件"), start, self.tr(FILE_FILTER))
        return path or None

    def upload(self) -> None:
        if self.busy or self.contract_id is None or not self.upload_button.isEnabled():
            return
        path = self.ask_upload_path()
        if not path:
            return
        contract_id = self.contract_id
        name = Path(path).name
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"

        def job(conn, token, report):
            upload_design_file(conn, contract_id, name, content_type, Path(path).read_bytes())
            return load_design_files(conn, contract_id)

        self._run(job, self.tr("正在上传 %s…") % name, self._uploaded)

    def _uploaded(self, files: list[DesignFileRow]) -> None:
        self.set_files(self.contract_id, files, can_upload=True)
        self.show_message(self.tr("已上传：%s（第 %d 版，现为当前版本）") % (files[0].file_name, files[0].version), error=False)
        self.changed.emit()

    # opening and saving ------------------------------------------------------------------------
    def _ask_save_path(self, file_name: str) -> str | None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("设计文件另存为"), str(Path(start) / file_name))
        return path or None

    def save_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        path = self.ask_save_path(chosen.file_name)
        if path:
            self._fetch(chosen, Path(path), lambda target: self.show_message(
                self.tr("已保存到 %s") % target, error=False))

    def open_selected(self) -> None:
        """A copy in a folder of its own under the temp directory, opened with the program the PC
        uses for that kind of file (the CAD program for a .dwg)."""
        chosen = self.selected()
        if chosen is None:
            return
        target = Path(tempfile.mkdtemp(prefix="yiwei-design-")) / f"v{chosen.version}-{chosen.file_name}"
        self._fetch(chosen, target, lambda path: self.open_url(QUrl.fromLocalFile(str(path))))

    def _fetch(self, chosen: DesignFileRow, target: Path, then) -> None:
        def job(conn, token, report):
            _name, data = load_design_file_data(conn, chosen.id)
            target.write_bytes(data)
            return target

        self._run(job, self.tr("正在读取 %s…") % chosen.file_name, then)

    # background --------------------------------------------------------------------------------
    def _run(self, job, saying: str, on_done) -> None:
        self.busy = True
        self.show_message(saying, error=False)

        def done(result):
            if alive(self):
                self.busy = False
                self.show_message("", error=False)
                on_done(result)

        def failed(error: UserFacingError):
            if alive(self):
                self.busy = False
                self.show_message(error.message)

        self.ctx.run(job, on_done=done, on_error=failed, label=saying)
