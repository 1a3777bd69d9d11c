"""The import dialog: choose a file, watch it being read and checked, fix from the error list.

Reading and checking run in the background (the file may hold ten thousand rows); the error list
is a sortable table (行号 / 列 / 问题) that can be written to Excel, and "导入" is enabled only
when the file was read, the database found nothing wrong either, and nothing was imported yet.
Nothing is ever imported from a file with a single problem.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QTableView, QVBoxLayout)
from shiboken6 import isValid

from client.db.errors import UserFacingError
from client.lists.query import company_zone
from client.ui.forms import ERROR_STYLE, INFO_STYLE

from .database import ImportOutcome, check_rows, import_rows, problems_from_database
from .problems import Problem, export_problems, problem_columns
from .reader import ReadResult, read_import_file
from .spec import ImportSpec
from .template import write_template
from .values import tr

_SETTINGS_DIR = "imports/dir"


def import_folder(ctx) -> str:
    """The folder the last import file or template was in (remembered per user), else Documents."""
    return ctx.settings.value(_SETTINGS_DIR) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)


def ask_xlsx_save_path(parent, ctx, title: str, name: str) -> str | None:
    """Where to save an .xlsx (an error list, a template): asked in the remembered folder."""
    path, _filter = QFileDialog.getSaveFileName(parent, title, str(Path(import_folder(ctx) or ".", name)),
                                                tr("Excel 工作簿 (*.xlsx)"))
    if not path:
        return None
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    ctx.settings.set_value(_SETTINGS_DIR, str(Path(path).parent))
    return path


class ProblemModel(QAbstractTableModel):
    """The error list; the row number is an int so that sorting puts row 10 after row 9."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.problems: list[Problem] = []
        self._titles = [column.title for column in problem_columns()]

    def set_problems(self, problems: list[Problem]) -> None:
        self.beginResetModel()
        self.problems = list(problems)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        problem = self.problems[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (problem.row, problem.column, problem.reason)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._titles[section]
        return None


class ImportDialog(QDialog):
    imported = Signal(int)   # rows imported; the screen that opened the dialog refreshes its list

    def __init__(self, ctx, spec: ImportSpec, parent=None, *, target_id: int | None = None,
                 target_name: str | None = None):
        super().__init__(parent)
        if spec.needs_target and target_id is None:
            raise ValueError(f"import {spec.name!r} needs a target")
        self.ctx = ctx
        self.spec = spec
        self.target_id = target_id
        self.path: Path | None = None
        self.read: ReadResult | None = None
        self.problems: list[Problem] = []
        self.ready = False           # read, checked by the database, nothing wrong, not yet imported
        self.imported_count: int | None = None
        self._task = None            # the background task running now
        self._generation = 0         # results of a file the user has since replaced are dropped
        # Tests replace these two instead of driving native file dialogs.
        self.ask_open_path: Callable[[], str | None] = self._ask_open_path
        self.ask_save_path: Callable[[str, str], str | None] = self._ask_save_path

        self.setObjectName(f"import_{spec.name}")
        title = tr("从 Excel 导入%s") % tr(spec.title)
        if target_name:
            title += f"：{target_name}"
        self.setWindowTitle(title)
        self.resize(760, 520)

        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("file")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(tr("请选择要导入的 Excel 文件（.xlsx）"))
        self.choose_button = self._button(tr("选择文件…"), "choose", self.choose_file)
        self.template_button = self._button(tr("下载导入模板"), "template", self.download_template)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        file_row.addWidget(self.template_button)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("progress")
        self.progress.setVisible(False)
        self.status = QLabel(tr("第一行为列标题：%s") % "、".join(c.header for c in spec.columns), self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.problem_model = ProblemModel(self)
        self.sorted_problems = QSortFilterProxyModel(self)
        self.sorted_problems.setSourceModel(self.problem_model)
        self.table = QTableView(self)
        self.table.setObjectName("problems")
        self.table.setModel(self.sorted_problems)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.export_button = self._button(tr("导出错误清单"), "export_problems", self.export_problems)
        self.import_button = self._button(tr("导入"), "import", self.start_import)
        self.close_button = self._button(tr("关闭"), "close", self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def _button(self, text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # --- state ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _update_buttons(self) -> None:
        self.import_button.setEnabled(self.ready and not self.busy)
        self.export_button.setEnabled(bool(self.problems) and not self.busy)
        self.choose_button.setEnabled(not self.busy or self.read is None)

    def _say(self, text: str, *, error: bool = False, success: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else INFO_STYLE if success else "")

    def _show_problems(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        self.problem_model.set_problems(self.problems)
        self.table.resizeColumnToContents(0)

    def _start(self, handle) -> None:
        self._task = handle
        self._update_buttons()

    def _finish(self, generation: int) -> bool:
        """Whether a result still belongs to what the dialog shows (and the dialog still exists)."""
        if not isValid(self) or generation != self._generation:
            return False
        self._task = None
        self.progress.setVisible(False)
        return True

    def _failed(self, generation: int, error: UserFacingError) -> None:
        if self._finish(generation):
            self._say(error.message, error=True)
            self._update_buttons()

    # --- reading and checking ----------------------------------------------------------------

    def choose_file(self) -> None:
        path = self.ask_open_path()
        if path:
            self.load(path)

    def load(self, path) -> None:
        """Read and check `path` in the background; the error list or "可以导入" follows."""
        if self._task is not None:
            self._task.cancel()
        self._generation += 1
        generation = self._generation
        self.path = Path(path)
        self.read = None
        self.ready = False
        self.imported_count = None
        self.file_edit.setText(str(self.path))
        self._show_problems([])
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._say(tr("正在读取 %s…") % self.path.name)
        spec, file_path = self.spec, self.path
        handle = self.ctx.tasks.submit(
            lambda token, report: read_import_file(file_path, spec, token=token, report=report),
            on_done=lambda result: self._read_done(generation, result),
            on_error=lambda error: self._failed(generation, error),
            on_progress=lambda done, total, _text: self._read_progress(generation, done, total),
            on_cancel=lambda: self._finish(generation),
            label=tr("读取导入文件"))
        self._start(handle)

    def _read_progress(self, generation: int, done: int, total: int) -> None:
        if not isValid(self) or generation != self._generation:
            return
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        self._say(tr("正在读取 %s：已读 %s 行") % (self.path.name, f"{done:,}"))

    def _read_done(self, generation: int, read: ReadResult) -> None:
        if not self._finish(generation):
            return
        self.read = read
        if read.problems:
            self._show_problems(read.problems)
            self._say(tr("共 %s 行，发现 %s 个问题，未导入任何数据。请修改文件后重新选择。")
                      % (f"{len(read.rows):,}", f"{len(read.problems):,}"), error=True)
            self._update_buttons()
            return
        if not read.rows:
            self._say(tr("文件中没有可导入的数据行"), error=True)
            self._update_buttons()
            return
        self._check_in_database(generation, read)

    def _check_in_database(self, generation: int, read: ReadResult) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._say(tr("已读取 %s 行，正在与系统数据核对…") % f"{len(read.rows):,}")
        spec, target = self.spec, self.target_id
        handle = self.ctx.run(
            lambda conn, token, report: check_rows(conn, spec, read.rows, headers=read.headers, target_id=target),
            on_done=lambda problems: self._checked(generation, problems),
            on_error=lambda error: self._failed(generation, error),
            label=tr("核对导入数据"), retry_on_disconnect=True)
        self._start(handle)

    def _checked(self, generation: int, problems: list[Problem]) -> None:
        if not self._finish(generation):
            return
        self._show_problems(problems)
        rows = len(self.read.rows)
        if problems:
            self._say(tr("共 %s 行，发现 %s 个问题，未导入任何数据。请修改文件后重新选择。")
                      % (f"{rows:,}", f"{len(problems):,}"), error=True)
        else:
            self.ready = True
            self._say(tr("检查通过：%s 行可以导入。") % f"{rows:,}", success=True)
        self._update_buttons()

    # --- importing ---------------------------------------------------------------------------

    def start_import(self) -> None:
        """导入: all rows in one transaction, or none."""
        if not self.ready or self.busy:
            return
        generation = self._generation
        read, spec, target = self.read, self.spec, self.target_id
        self.ready = False  # one click imports once
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._say(tr("正在导入 %s 行…") % f"{len(read.rows):,}")
        handle = self.ctx.run(
            lambda conn, token, report: import_rows(conn, spec, read.rows, headers=read.headers, target_id=target),
            on_done=lambda outcome: self._import_done(generation, outcome),
            on_error=lambda error: self._import_failed(generation, error),
            label=tr("导入%s") % tr(spec.title))
        self._start(handle)

    def _import_done(self, generation: int, outcome: ImportOutcome) -> None:
        if not self._finish(generation):
            return
        if outcome.problems:
            # Someone changed the data between the check and the import.
            self._show_problems(outcome.problems)
            self._say(tr("导入前再次核对发现 %s 个问题，未导入任何数据。") % f"{len(outcome.problems):,}",
                      error=True)
        else:
            self.imported_count = outcome.imported
            self._say(tr("已导入 %s 条") % f"{outcome.imported:,}", success=True)
            self.imported.emit(outcome.imported)
        self._update_buttons()

    def _import_failed(self, generation: int, error: UserFacingError) -> None:
        # The transaction rolled back: nothing was imported, so the same file may be tried again.
        if self._finish(generation):
            # The import function refuses a batch with problems listing all of them in its detail.
            found = [(p.get("row"), p.get("field"), p.get("reason"))
                     for p in error.detail.get("problems", []) if isinstance(p, dict)]
            if found:
                self._show_problems(problems_from_database(self.spec, found, self.read.headers))
            self.ready = error.kind == "connection"
            self._say(tr("未导入任何数据：%s") % error.message, error=True)
            self._update_buttons()

    # --- files -------------------------------------------------------------------------------

    def export_problems(self) -> None:
        """导出错误清单: the problems as shown, to an .xlsx the user fixes the file from."""
        if not self.problems:
            return
        stem = self.path.stem if self.path else tr(self.spec.title)
        path = self.ask_save_path(tr("导出错误清单"), tr("%s_错误清单.xlsx") % stem)
        if path:
            self.export_problems_to(path)

    def export_problems_to(self, path) -> None:
        problems = self._problems_in_shown_order()
        title = tr(self.spec.title)
        file_name = self.path.name if self.path else ""
        user = self.ctx.session.full_name
        path = Path(path)
        self._say(tr("正在导出错误清单…"))
        self.ctx.run(
            lambda conn, token, report: export_problems(path, problems, import_title=title, file_name=file_name,
                                                        user=user, exported_at=datetime.now(company_zone(conn))),
            on_done=lambda result: self._file_written(tr("已导出错误清单：%s") % result.path.name),
            on_error=self._file_failed, label=tr("导出错误清单"))

    def _problems_in_shown_order(self) -> list[Problem]:
        proxy = self.sorted_problems
        return [self.problem_model.problems[proxy.mapToSource(proxy.index(i, 0)).row()]
                for i in range(proxy.rowCount())]

    def download_template(self) -> None:
        """下载导入模板: the headers and one example row."""
        path = self.ask_save_path(tr("下载导入模板"), tr("%s导入模板.xlsx") % tr(self.spec.title))
        if path:
            self.save_template_to(path)

    def save_template_to(self, path) -> None:
        spec, path = self.spec, Path(path)
        self.ctx.tasks.submit(lambda token, report: write_template(path, spec),
                              on_done=lambda written: self._file_written(tr("已保存导入模板：%s") % written.name),
                              on_error=self._file_failed, label=tr("下载导入模板"))

    def _file_written(self, text: str) -> None:
        if isValid(self):
            self._say(text, success=True)

    def _file_failed(self, error: UserFacingError) -> None:
        if isValid(self):
            self._say(error.message, error=True)

    def _ask_open_path(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(self, tr("选择导入文件"), import_folder(self.ctx),
                                                    tr("Excel 工作簿 (*.xlsx)"))
        if path:
            self.ctx.settings.set_value(_SETTINGS_DIR, str(Path(path).parent))
        return path or None

    def _ask_save_path(self, title: str, name: str) -> str | None:
        return ask_xlsx_save_path(self, self.ctx, title, name)

    def reject(self) -> None:
        # Closing stops a read still running; an import already sent finishes (or rolls back) on
        # its own, and its result is simply not shown.
        if self._task is not None and self.read is None:
            self._task.cancel()
        super().reject()


def open_import_dialog(ctx, spec: ImportSpec, parent=None, *, target_id: int | None = None,
                       target_name: str | None = None,
                       on_imported: Callable[[int], None] | None = None) -> ImportDialog:
    """Open the import dialog (window-modal, deleted when closed) and return it."""
    dialog = ImportDialog(ctx, spec, parent, target_id=target_id, target_name=target_name)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if on_imported is not None:
        dialog.imported.connect(on_imported)
    dialog.open()
    return dialog
