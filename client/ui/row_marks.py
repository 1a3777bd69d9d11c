"""Rows of a list that need attention (an overdue task, a customer not called for weeks) drawn in
a warning colour, decided by a yes/no column of the list's own rows."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QStyledItemDelegate

WARNING_TEXT = QColor("#b71c1c")
WARNING_BACKGROUND = QColor("#fdecea")


class RowMarkDelegate(QStyledItemDelegate):
    """Paints the rows of a ListWindow whose ``column_key`` value is true in the warning colours."""

    def __init__(self, list_window, column_key: str):
        super().__init__(list_window.view)
        self.model = list_window.model
        self.column = self.model.column_of(column_key)

    def is_marked(self, row: int) -> bool:
        if not 0 <= row < self.model.rowCount():
            return False
        return bool(self.model.row_values(row)[self.column])

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if self.is_marked(index.row()):
            option.palette.setColor(QPalette.ColorRole.Text, WARNING_TEXT)
            option.backgroundBrush = QBrush(WARNING_BACKGROUND)


def mark_rows(list_window, column_key: str) -> RowMarkDelegate:
    """Mark the rows of ``list_window`` flagged by ``column_key`` (the column may be hidden)."""
    delegate = RowMarkDelegate(list_window, column_key)
    list_window.view.setItemDelegate(delegate)
    return delegate
