"""The generic list window every module uses: filter bar, quick search, a lazily loaded table
sorted in SQL, a column chooser remembered per user, totals, and Excel export of exactly what
is shown.

Everything that touches the database — pages, the row count and totals, the filter choices, the
export — runs as a background task; results come back by signal, so the window never freezes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from unicodedata import east_asian_width

from PySide6.QtCore import QCoreApplication, QEvent, QStandardPaths, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QMenu, QMessageBox, QProgressDialog,
                               QPushButton, QTableView, QVBoxLayout, QWidget)
from shiboken6 import isValid

from client.db.errors import UserFacingError
from client.exports.columns import ColumnKind
from client.exports.xlsx import ExportCancelled
from client.lists.export import export_list
from client.lists.query import ListQuery, RowCount, count_rows, load_choices, totals
from client.lists.spec import ListSpec

from .list_filters import FilterWidget, FlowLayout, make_filter_widget
from .list_model import ListModel, total_text
from .tasks import CancelToken, TaskCancelled

SEARCH_DELAY_MS = 300
_DEFAULT_CHARS = {ColumnKind.TEXT: 14, ColumnKind.INTEGER: 8, ColumnKind.DECIMAL: 10, ColumnKind.MONEY: 14,
                  ColumnKind.DATE: 11, ColumnKind.DATETIME: 16, ColumnKind.BOOL: 5}
_HEADER_ROOM = 3  # characters for the sort indicator next to a header title


class ColumnChooser(QDialog):
    """Which columns show, and in which order (drag to reorder)."""

    def __init__(self, spec: ListSpec, order: list[tuple[str, bool]], parent=None):
        super().__init__(parent)
        self.spec = spec
        self.setWindowTitle(self.tr("显示列"))
        self.setObjectName("column_chooser")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("勾选要显示的列，拖动调整顺序："), self))
        self.list = QListWidget(self)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setText(self.tr("恢复默认"))
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)
        self.list.itemChanged.connect(self._check_any_visible)
        self._fill(order)

    def _fill(self, order: list[tuple[str, bool]]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for key, visible in order:
            item = QListWidgetItem(QCoreApplication.translate("lists", self.spec.column(key).title))
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
            item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._check_any_visible()

    def restore_defaults(self) -> None:
        self._fill([(c.key, c.visible) for c in self.spec.columns])

    def _check_any_visible(self, *_args) -> None:
        # A list without columns would show nothing and export nothing.
        self._ok.setEnabled(any(visible for _key, visible in self.order()))

    def order(self) -> list[tuple[str, bool]]:
        result = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            result.append((item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked))
        return result


class ListWindow(QWidget):
    """A list over a ListSpec. ``activated(key)`` asks to open the record of a row."""

    activated = Signal(object)
    export_finished = Signal(object)    # client.exports.xlsx.ExportResult
    export_failed = Signal(object)      # UserFacingError
    export_cancelled = Signal()
    summary_changed = Signal()          # row count and totals arrived
    choices_loaded = Signal()
    message_shown = Signal(str)         # an error shown to the user

    def __init__(self, ctx, spec: ListSpec, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.spec = spec
        self.setObjectName(f"list_{spec.name}")
        self.setWindowTitle(QCoreApplication.translate("lists", spec.title))
        self.row_count: RowCount | None = None
        self.totals: dict = {}
        self.summary_loading = False
        self.choices_ready = False
        self._summary_generation = 0
        self._export = None
        self._error_box = None
        self._select_after_load = None
        self._restoring_columns = False
        # Asks where to save an export; tests and callers may replace it.
        self.ask_export_path = self._ask_export_path

        self.model = ListModel(ctx, spec, self, autoload=False)
        self._query_timer = QTimer(self)
        self._query_timer.setSingleShot(True)
        self._query_timer.timeout.connect(self.apply_filters)
        self._save_widths_timer = QTimer(self)
        self._save_widths_timer.setSingleShot(True)
        self._save_widths_timer.setInterval(500)
        self._save_widths_timer.timeout.connect(self._save_widths)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(self._build_toolbar())
        filter_bar = self._build_filter_bar()
        if filter_bar is not None:
            layout.addWidget(filter_bar)
        layout.addWidget(self._build_table(), 1)
        layout.addLayout(self._build_footer())
        self._build_shortcuts()

        self.model.query_changed.connect(self._load_summary)
        self.model.failed.connect(self._show_error)
        self.model.loading_changed.connect(self._loading_changed)
        self._restore_columns()
        self._load_choices()
        self.model.set_query(self._query_from_widgets() or ListQuery(spec))

    # --- building ---------------------------------------------------------------------------

    def _build_toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.search = QLineEdit(self)
        self.search.setObjectName("quick_search")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(100)
        searched = "、".join(self._search_titles())
        self.search.setPlaceholderText(self.tr("快速搜索：{}（Ctrl+F）").format(searched) if searched
                                       else self.tr("快速搜索（Ctrl+F）"))
        self.search.setEnabled(bool(self.spec.search))
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 36)
        self.search.textChanged.connect(lambda _text: self._schedule_query(SEARCH_DELAY_MS))
        self.search.installEventFilter(self)
        bar.addWidget(self.search)
        bar.addStretch(1)
        self.clear_button = QPushButton(self.tr("清空筛选"), self)
        self.clear_button.clicked.connect(self.clear_filters)
        bar.addWidget(self.clear_button)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.refresh_button.setToolTip(self.tr("重新读取（F5）"))
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        self.export_button = QPushButton(self.tr("导出 Excel"), self)
        self.export_button.setObjectName("export_excel")
        self.export_button.setToolTip(self.tr("把当前筛选出的行和显示的列导出为 Excel（Ctrl+E）"))
        self.export_button.clicked.connect(self.export_excel)
        bar.addWidget(self.export_button)
        return bar

    def _search_titles(self) -> list[str]:
        titles = []
        for expr in self.spec.search:
            title = next((c.title for c in self.spec.columns if c.expr == expr), None)
            if title and title not in titles:
                titles.append(QCoreApplication.translate("lists", title))
        return titles

    def _build_filter_bar(self) -> QWidget | None:
        self.filters: dict[str, FilterWidget] = {}
        if not self.spec.filters:
            return None
        bar = QWidget(self)
        bar.setObjectName("filter_bar")
        flow = FlowLayout(bar)
        for spec_filter in self.spec.filters:
            widget = make_filter_widget(spec_filter, bar)
            widget.changed.connect(lambda w=widget: self._schedule_query(0 if w.immediate else SEARCH_DELAY_MS))
            flow.addWidget(widget)
            self.filters[spec_filter.key] = widget
        return bar

    def _build_table(self) -> QTableView:
        view = QTableView(self)
        view.setObjectName("list_table")
        self.view = view
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = view.verticalHeader()
        rows.setVisible(False)
        # Fixed row heights: the view never measures a row, which keeps scrolling smooth.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
        header = view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        for index, column in enumerate(self.spec.columns):
            header.resizeSection(index, self._default_width(column))
        section, order = self.model.sort_section()
        header.setSortIndicator(section, order)
        view.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        header.sectionMoved.connect(lambda *_args: self._save_columns())
        header.sectionResized.connect(lambda *_args: self._widths_changed())
        view.doubleClicked.connect(lambda index: self._activate(index.row()))
        view.installEventFilter(self)
        return view

    def _default_width(self, column) -> int:
        chars = column.column.width or _DEFAULT_CHARS[column.column.kind]
        title = sum(2 if east_asian_width(ch) in "WF" else 1 for ch in column.title) + _HEADER_ROOM
        return max(chars, title) * self.view.fontMetrics().horizontalAdvance("0") + 12

    def _build_footer(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("row_count")
        self.totals_label = QLabel(self)
        self.totals_label.setObjectName("totals")
        self.totals_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.setOpenExternalLinks(True)
        bar.addWidget(self.count_label)
        bar.addSpacing(24)
        bar.addWidget(self.totals_label)
        bar.addStretch(1)
        bar.addWidget(self.status_label)
        return bar

    def _build_shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in ((QKeySequence(QKeySequence.StandardKey.Find), self.focus_search),
                           (QKeySequence("Ctrl+E"), self.export_excel),
                           (QKeySequence("F5"), self.refresh)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # --- filters and query ------------------------------------------------------------------

    def filter_widget(self, key: str) -> FilterWidget:
        return self.filters[key]

    def set_filter(self, key: str, value) -> None:
        """Set a filter as the user would (typed value, None for any); applies at once."""
        self.filters[key].set_value(value)
        self.apply_filters()

    def set_search(self, text: str) -> None:
        self.search.setText(text)
        self.apply_filters()

    def clear_filters(self) -> None:
        for widget in self.filters.values():
            widget.blockSignals(True)
            widget.clear()
            widget.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.apply_filters()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _schedule_query(self, delay_ms: int) -> None:
        self._query_timer.start(delay_ms)

    def _query_from_widgets(self) -> ListQuery | None:
        current = self.model.query
        try:
            return ListQuery(self.spec, filters={key: w.value() for key, w in self.filters.items()},
                             search=self.search.text(), sort=current.sort, descending=current.descending)
        except UserFacingError as error:
            self._show_error(error)
            return None

    def current_query(self) -> ListQuery:
        """What the table shows (pending typing included)."""
        if self._query_timer.isActive():
            self.apply_filters()
        return self.model.query

    def apply_filters(self) -> None:
        """Run the query the filter bar describes now (normally after a short typing pause)."""
        self._query_timer.stop()
        query = self._query_from_widgets()
        if query is not None and query != self.model.query:
            self.model.set_query(query)

    def refresh(self, select=None) -> None:
        """Read the list again (F5), and the filter choices with it (a new store, a new guide);
        ``select``: the key of a row to select once it is read (the record just saved)."""
        self._select_after_load = select
        self._query_timer.stop()
        self._load_choices()
        query = self._query_from_widgets()
        if query is not None and query != self.model.query:
            self.model.set_query(query)
        else:
            self.model.refresh()

    def _sort_indicator_changed(self, section: int, _order) -> None:
        # The header moves its arrow on any click; put it back where the rows are really sorted
        # when the column cannot be sorted.
        if 0 <= section < len(self.spec.columns) and not self.spec.columns[section].sortable:
            header = self.view.horizontalHeader()
            current, order = self.model.sort_section()
            header.blockSignals(True)
            header.setSortIndicator(current, order)
            header.blockSignals(False)

    # --- choices, count and totals ----------------------------------------------------------

    def _load_choices(self) -> None:
        wanted = [w.spec_filter for w in self.filters.values() if w.needs_choices]
        if not wanted:
            self.choices_ready = True
            return

        self.choices_ready = False

        def read_choices(conn, token, report):
            return {spec_filter.key: load_choices(conn, spec_filter) for spec_filter in wanted}

        self.ctx.run(read_choices, on_done=self._choices_arrived, on_error=self._choices_failed,
                     label=self.tr("读取筛选选项"), retry_on_disconnect=True)

    def _choices_arrived(self, choices: dict) -> None:
        if not isValid(self):
            return
        for key, values in choices.items():
            self.filters[key].set_choices(values)
        self.choices_ready = True
        self.choices_loaded.emit()

    def _choices_failed(self, error: UserFacingError) -> None:
        if isValid(self):
            self.choices_ready = True  # the combos keep what they had; the list still works
            self._show_error(error)

    def _load_summary(self, query: ListQuery) -> None:
        self._summary_generation += 1
        generation = self._summary_generation
        self.summary_loading = True
        self.count_label.setText(self.tr("正在统计…"))
        self.totals_label.clear()

        def read_summary(conn, token, report):
            return count_rows(conn, query), totals(conn, query)

        self.ctx.run(read_summary,
                     on_done=lambda result, g=generation: self._summary_arrived(g, result),
                     on_error=lambda error, g=generation: self._summary_failed(g, error),
                     label=self.tr("统计行数与合计"), retry_on_disconnect=True)

    def _summary_arrived(self, generation: int, result) -> None:
        if not isValid(self) or generation != self._summary_generation:
            return
        self.row_count, self.totals = result
        self.summary_loading = False
        if self.row_count.capped:
            self.count_label.setText(self.tr("超过 {} 行").format(f"{self.row_count.rows:,}"))
        else:
            self.count_label.setText(self.tr("共 {} 行").format(f"{self.row_count.rows:,}"))
        parts = []
        for column in self.spec.columns:
            if column.key in self.totals:
                title = QCoreApplication.translate("lists", column.title)
                parts.append(self.tr("{}合计：{}").format(title, total_text(column.column.kind, self.totals[column.key])))
        self.totals_label.setText("　　".join(parts))
        self.summary_changed.emit()

    def _summary_failed(self, generation: int, error: UserFacingError) -> None:
        if not isValid(self) or generation != self._summary_generation:
            return
        self.summary_loading = False
        self.count_label.setText(self.tr("无法统计"))
        self._show_error(error)

    def _loading_changed(self, loading: bool) -> None:
        if not loading and self._select_after_load is not None:
            row = self.model.row_of_key(self._select_after_load)
            self._select_after_load = None
            if row >= 0:
                self.view.selectRow(row)
        if loading and not self.model.rowCount():
            self.status_label.setText(self.tr("正在读取…"))
        elif not loading and self.status_label.text() == self.tr("正在读取…"):
            self.status_label.clear()

    def is_busy(self) -> bool:
        return self.model.loading or self.summary_loading or not self.choices_ready or self._export is not None

    # --- rows -------------------------------------------------------------------------------

    def selected_keys(self) -> list:
        """Keys of the selected rows, top to bottom (for batch actions)."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.model.key_at(row) for row in rows]

    def current_key(self):
        index = self.view.currentIndex()
        return self.model.key_at(index.row()) if index.isValid() else None

    def _activate(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.activated.emit(self.model.key_at(row))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            if watched is self.view and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.view.currentIndex()
                if index.isValid():
                    self._activate(index.row())
                    return True
            if watched is self.search:
                if event.key() == Qt.Key.Key_Escape and self.search.text():
                    self.search.clear()
                    return True
                if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self.apply_filters()
                    return True
                if event.key() == Qt.Key.Key_Down:
                    self.view.setFocus(Qt.FocusReason.OtherFocusReason)
                    if not self.view.currentIndex().isValid() and self.model.rowCount():
                        self.view.setCurrentIndex(self.model.index(0, self._first_visible_column()))
                    return True
        return super().eventFilter(watched, event)

    def _first_visible_column(self) -> int:
        header = self.view.horizontalHeader()
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if not header.isSectionHidden(logical):
                return logical
        return 0

    # --- columns ----------------------------------------------------------------------------

    @property
    def _columns_key(self) -> str:
        return f"lists/{self.spec.name}/columns"

    @property
    def _widths_key(self) -> str:
        return f"lists/{self.spec.name}/widths"

    def visible_columns(self) -> list[str]:
        """Keys of the shown columns in the order the user sees them."""
        return [key for key, visible in self.column_order() if visible]

    def column_order(self) -> list[tuple[str, bool]]:
        header = self.view.horizontalHeader()
        order = []
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            order.append((self.spec.columns[logical].key, not header.isSectionHidden(logical)))
        return order

    def set_visible_columns(self, keys: list[str]) -> None:
        """Show exactly `keys`, in that order (the rest hidden after them); remembered."""
        known = {c.key for c in self.spec.columns}
        unknown = [key for key in keys if key not in known]
        if unknown or not keys:
            raise ValueError(f"unknown or no columns: {unknown}")
        order = [(key, True) for key in keys] + [(c.key, False) for c in self.spec.columns if c.key not in keys]
        self._apply_column_order(order)
        self._save_columns()

    def choose_columns(self) -> None:
        dialog = ColumnChooser(self.spec, self.column_order(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._columns_chosen(dialog.order()))
        dialog.open()
        self._column_chooser = dialog

    def _columns_chosen(self, order: list[tuple[str, bool]]) -> None:
        self._apply_column_order(order)
        self._save_columns()

    def reset_columns(self) -> None:
        self._apply_column_order([(c.key, c.visible) for c in self.spec.columns])
        header = self.view.horizontalHeader()
        for index, column in enumerate(self.spec.columns):
            header.resizeSection(index, self._default_width(column))
        self._save_columns()
        self._save_widths()

    def _header_menu(self, position) -> None:
        menu = QMenu(self)
        menu.addAction(self.tr("显示列…"), self.choose_columns)
        menu.addAction(self.tr("恢复默认列"), self.reset_columns)
        menu.popup(self.view.horizontalHeader().mapToGlobal(position))

    def _apply_column_order(self, order: list[tuple[str, bool]]) -> None:
        header = self.view.horizontalHeader()
        self._restoring_columns = True
        try:
            for target, (key, visible) in enumerate(order):
                logical = self.model.column_of(key)
                header.moveSection(header.visualIndex(logical), target)
                header.setSectionHidden(logical, not visible)
        finally:
            self._restoring_columns = False

    def _save_columns(self) -> None:
        if self._restoring_columns:
            return
        value = [key if visible else f"-{key}" for key, visible in self.column_order()]
        self.ctx.settings.set_value(self._columns_key, value)

    def _restore_columns(self) -> None:
        saved = _as_list(self.ctx.settings.value(self._columns_key))
        known = {c.key: c for c in self.spec.columns}
        order: list[tuple[str, bool]] = []
        for item in saved:
            key = item[1:] if item.startswith("-") else item
            if key in known and all(key != k for k, _v in order):
                order.append((key, not item.startswith("-")))
        # Columns added to the list since the choice was saved appear as the list declares them.
        order += [(c.key, c.visible) for c in self.spec.columns if all(c.key != k for k, _v in order)]
        if not any(visible for _key, visible in order):
            order = [(c.key, c.visible) for c in self.spec.columns]
        self._apply_column_order(order)
        widths = {}
        for item in _as_list(self.ctx.settings.value(self._widths_key)):
            key, _sep, width = item.partition("=")
            if key in known and width.isdigit():
                widths[key] = int(width)
        header = self.view.horizontalHeader()
        self._restoring_columns = True
        try:
            for key, width in widths.items():
                header.resizeSection(self.model.column_of(key), max(24, width))
        finally:
            self._restoring_columns = False

    def _widths_changed(self) -> None:
        if not self._restoring_columns:
            self._save_widths_timer.start()

    def _save_widths(self) -> None:
        if not isValid(self):
            return
        header = self.view.horizontalHeader()
        value = [f"{c.key}={header.sectionSize(i)}" for i, c in enumerate(self.spec.columns)
                 if not header.isSectionHidden(i)]
        self.ctx.settings.set_value(self._widths_key, value)

    # --- export -----------------------------------------------------------------------------

    def export_excel(self) -> None:
        """导出 Excel (Ctrl+E): ask for a file, then export in the background."""
        if self._export is not None:
            self._set_status(self.tr("正在导出，请稍候…"))
            return
        path = self.ask_export_path()
        if path:
            self.export_to(path)

    def _ask_export_path(self) -> str | None:
        folder = self.ctx.settings.value("lists/export_dir") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"{self.spec.title}_{datetime.now():%Y%m%d_%H%M}.xlsx"
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("导出 Excel"), str(Path(folder or ".", name)),
                                                    self.tr("Excel 工作簿 (*.xlsx)"))
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.ctx.settings.set_value("lists/export_dir", str(Path(path).parent))
        return path

    def export_to(self, path) -> bool:
        """Export what the list shows to `path` in the background; False if one is running."""
        if self._export is not None:
            return False
        query = self.current_query()
        columns = self.visible_columns()
        user = self.ctx.session.full_name
        path = Path(path)
        # The export's own token: cancelling it stops the export before it is logged, and a
        # cancel that comes after the log entry changes nothing (the file then stands).
        token = CancelToken()
        self.destroyed.connect(token.cancel)

        def write(conn, _task_token, report):
            try:
                return export_list(conn, query, path, user=user, columns=columns, token=token, report=report)
            except ExportCancelled:
                raise TaskCancelled() from None

        dialog = QProgressDialog(self.tr("正在导出“{}”…").format(self.windowTitle()), self.tr("取消"), 0, 0, self)
        dialog.setObjectName("export_progress")
        dialog.setWindowTitle(self.tr("导出 Excel"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel_export)
        self._export = {"token": token, "dialog": dialog, "path": path}
        self.export_button.setEnabled(False)
        self._set_status(self.tr("正在导出…"))
        self.ctx.run(write, on_done=self._export_done, on_error=self._export_error, on_progress=self._export_progress,
                     on_cancel=self._export_cancelled, label=self.tr("导出 Excel"))
        return True

    def cancel_export(self) -> None:
        if self._export is not None:
            self._export["token"].cancel()
            self._export["dialog"].setLabelText(self.tr("正在取消…"))

    def _export_progress(self, done: int, total: int, _text: str) -> None:
        if not isValid(self) or self._export is None:
            return
        dialog = self._export["dialog"]
        if self._export["token"].cancelled:
            return
        if total:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
            dialog.setLabelText(self.tr("已导出 {} / {} 行").format(f"{done:,}", f"{total:,}"))
        else:
            dialog.setLabelText(self.tr("已导出 {} 行").format(f"{done:,}"))

    def _end_export(self) -> None:
        export, self._export = self._export, None
        if export is not None:
            dialog = export["dialog"]
            dialog.canceled.disconnect(self.cancel_export)  # closing the dialog must not cancel
            dialog.close()
            dialog.deleteLater()
        self.export_button.setEnabled(True)

    def _export_done(self, result) -> None:
        if not isValid(self):
            return
        self._end_export()
        url = QUrl.fromLocalFile(str(result.path)).toString()
        self._set_status(self.tr("已导出 {} 行：").format(f"{result.row_count:,}")
                         + f'<a href="{url}">{_escape(result.path.name)}</a>')
        self.export_finished.emit(result)

    def _export_error(self, error: UserFacingError) -> None:
        if not isValid(self):
            return
        self._end_export()
        self._set_status(self.tr("导出失败"))
        self._show_error(error)
        self.export_failed.emit(error)

    def _export_cancelled(self) -> None:
        if not isValid(self):
            return
        self._end_export()
        self._set_status(self.tr("已取消导出"))
        self.export_cancelled.emit()

    # --- messages ---------------------------------------------------------------------------

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _show_error(self, error) -> None:
        message = error.message if isinstance(error, UserFacingError) else str(error)
        # The page, the totals and the choices often fail together (server gone): one message.
        box = self._error_box
        if box is not None and isValid(box) and box.isVisible():
            if box.text() == message:
                return
            box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, self.windowTitle(), message, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._error_box = box
        self.message_shown.emit(message)


def _as_list(value) -> list[str]:
    # QSettings hands back a one-element list as a plain string, and nothing as None.
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
