"""A read-only table model over a short list of rows (positions, parameters): these lists have tens
of rows, so they are read whole in the background and shown through this model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor


@dataclass(frozen=True)
class RowColumn:
    title: str
    value: Callable[[Any], Any]
    numeric: bool = False


class RowsModel(QAbstractTableModel):
    def __init__(self, columns: list[RowColumn], parent=None, *, inactive: Callable[[Any], bool] | None = None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list = []
        self._inactive = inactive

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):
        """The row object at ``row``, or None (also for an invalid index's row -1)."""
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def find(self, attribute: str, value) -> int:
        """The number of the first row whose ``attribute`` equals ``value``, or -1."""
        return next((i for i, row in enumerate(self.rows) if getattr(row, attribute) == value), -1)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)) or not (0 <= index.column() < len(self.columns)):
            return None
        column = self.columns[index.column()]
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self._inactive and self._inactive(row):
            return QBrush(QColor("#8a8a8a"))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None
