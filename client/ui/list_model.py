"""A table model over a list that loads lazily, one keyset page at a time, in the background.

The model never holds the whole table: it starts with the first page and asks for the next one
when the view scrolls near the end (``canFetchMore``/``fetchMore``). Pages are read on the task
runner's thread pool, so the GUI never waits for the database; a page arrives through a signal
and is appended with ``beginInsertRows``. Sorting, filtering and quick search are a new query in
SQL, never a sort of the rows held here.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from shiboken6 import isValid

from client.db.errors import UserFacingError
from client.exports.columns import ColumnKind
from client.lists.query import DEFAULT_PAGE_SIZE, ListQuery, PageCursor, company_zone, fetch_page
from client.lists.spec import ListSpec

_NUMERIC = (ColumnKind.INTEGER, ColumnKind.DECIMAL, ColumnKind.MONEY)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
_THOUSANDTH = Decimal("0.001")
_TOOLTIP_FROM = 16  # characters; longer text also shows whole in a tooltip


def display_text(kind: ColumnKind, value, zone: tzinfo | None = None) -> str:
    """A value as the list shows it; the same conventions as the Excel formats of the export."""
    if value is None:
        return ""
    if kind is ColumnKind.MONEY:
        return format(Decimal(value), ",.2f")
    if kind is ColumnKind.INTEGER:
        return str(value)
    if kind is ColumnKind.DECIMAL:
        text = format(Decimal(value).quantize(_THOUSANDTH, rounding=ROUND_HALF_UP), ",f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if kind is ColumnKind.DATETIME:
        if isinstance(value, datetime):
            moment = value.astimezone(zone) if zone is not None and value.utcoffset() is not None else value
            return moment.strftime("%Y-%m-%d %H:%M")
        return str(value)
    if kind is ColumnKind.DATE:
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind is ColumnKind.BOOL:
        return QCoreApplication.translate("ListModel", "是") if value else QCoreApplication.translate("ListModel", "否")
    return str(value)


def total_text(kind: ColumnKind, value) -> str:
    """A sum for the totals line: money with two decimals, counts with thousands separators."""
    if kind is ColumnKind.INTEGER:
        return format(int(value), ",")
    return display_text(kind, value)


class ListModel(QAbstractTableModel):
    """Rows of a ListSpec for a ListQuery; every spec column is a model column (the view hides
    the ones the user did not choose)."""

    loading_changed = Signal(bool)
    page_loaded = Signal(int)         # number of rows now held
    query_changed = Signal(object)    # the new ListQuery, as soon as it is set
    failed = Signal(object)           # UserFacingError

    def __init__(self, ctx, spec: ListSpec, parent=None, *, page_size: int = DEFAULT_PAGE_SIZE,
                 query: ListQuery | None = None, autoload: bool = True):
        super().__init__(parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self._ctx = ctx
        self.spec = spec
        self.page_size = page_size
        self._query = query or ListQuery(spec)
        self._keys: list = []
        self._rows: list[tuple] = []
        self._after: PageCursor | None = None
        self._more = False
        self._loading = False
        self._generation = 0
        self._handle = None
        self._zone: tzinfo | None = None
        self._kinds = [c.column.kind for c in spec.columns]
        if autoload:
            self._start()

    # --- state ------------------------------------------------------------------------------

    @property
    def query(self) -> ListQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def zone(self) -> tzinfo | None:
        """The company time zone date-times are shown in (known after the first page)."""
        return self._zone

    def has_more(self) -> bool:
        return self._more

    def set_query(self, query: ListQuery) -> None:
        """Show the rows of another query (filters, search or sort changed): start over."""
        if query.spec is not self.spec:
            raise ValueError("the query is for another list")
        self._query = query
        self._start()

    def refresh(self) -> None:
        """Read the current query again from the first page."""
        self._start()

    def key_at(self, row: int):
        """The key (e.g. id) of the row shown at `row`."""
        return self._keys[row]

    def row_values(self, row: int) -> tuple:
        """Raw values of every spec column of `row`, in spec order."""
        return self._rows[row]

    def column_of(self, key: str) -> int:
        for index, column in enumerate(self.spec.columns):
            if column.key == key:
                return index
        raise KeyError(key)

    def row_of_key(self, key) -> int:
        """The row holding `key` among the rows loaded, or -1."""
        try:
            return self._keys.index(key)
        except ValueError:
            return -1

    # --- Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.spec.columns)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._kinds):
            return None
        kind = self._kinds[index.column()]
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(kind, value, self._zone)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            if kind is ColumnKind.TEXT and isinstance(value, str) and len(value) > _TOOLTIP_FROM:
                return value
            return None
        if role == Qt.ItemDataRole.UserRole:
            return value
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.spec.columns):
                return None
            column = self.spec.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return QCoreApplication.translate("lists", column.title)
            if role == Qt.ItemDataRole.ToolTipRole:
                if not column.sortable:
                    return QCoreApplication.translate("ListModel", "此列不能排序")
                return None
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return self._alignment(column.column.kind)
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    @staticmethod
    def _alignment(kind: ColumnKind):
        if kind in _NUMERIC:
            return _RIGHT
        if kind is ColumnKind.BOOL:
            return _CENTER
        return _LEFT

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        # Views call this from paint and scroll events, often many times for one page: while a
        # page is on its way the call does nothing.
        if parent.isValid() or not self._more or self._loading:
            return
        self._load(first=False)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.spec.columns):
            return
        spec_column = self.spec.columns[column]
        if not spec_column.sortable:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        query = self._query.with_changes(sort=spec_column.key, descending=descending)
        if query == self._query:
            return
        self.set_query(query)

    def sort_section(self) -> tuple[int, Qt.SortOrder]:
        """The column and order the current query sorts by (-1 for the key)."""
        column = self._query.sort_column
        order = Qt.SortOrder.DescendingOrder if self._query.descending else Qt.SortOrder.AscendingOrder
        return (self.column_of(column.key) if column else -1), order

    # --- loading ----------------------------------------------------------------------------

    def _start(self) -> None:
        self._generation += 1
        if self._handle is not None and isValid(self._handle) and not self._handle.done:
            self._handle.cancel()  # its page belongs to the old query; it will be ignored
        self.beginResetModel()
        self._keys = []
        self._rows = []
        self._after = None
        self._more = False
        self.endResetModel()
        self.query_changed.emit(self._query)
        self._load(first=True)

    def _load(self, first: bool) -> None:
        generation = self._generation
        query = self._query
        after = None if first else self._after
        limit = self.page_size
        need_zone = self._zone is None

        def read_page(conn, token, report):
            zone = company_zone(conn) if need_zone else None
            return zone, fetch_page(conn, query, after, limit)

        self._set_loading(True)
        self._handle = self._ctx.run(
            read_page,
            on_done=lambda result, g=generation: self._page_arrived(g, result),
            on_error=lambda error, g=generation: self._page_failed(g, error),
            on_cancel=lambda g=generation: self._page_cancelled(g),
            label=QCoreApplication.translate("ListModel", "读取列表"),
            retry_on_disconnect=True,
        )

    def _page_arrived(self, generation: int, result) -> None:
        if not isValid(self) or generation != self._generation:
            return
        zone, page = result
        if zone is not None and self._zone is None:
            self._zone = zone
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1))
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._keys.extend(page.keys)
            self._rows.extend(page.rows)
            self._after = page.after
            self._more = page.more
            self.endInsertRows()
        else:
            self._more = False
        self._set_loading(False)
        self.page_loaded.emit(len(self._rows))

    def _page_failed(self, generation: int, error: UserFacingError) -> None:
        if not isValid(self) or generation != self._generation:
            return
        # No automatic retry loop from the view: the user refreshes once the cause is fixed.
        self._more = False
        self._set_loading(False)
        self.failed.emit(error)

    def _page_cancelled(self, generation: int) -> None:
        if not isValid(self) or generation != self._generation:
            return
        self._set_loading(False)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)
