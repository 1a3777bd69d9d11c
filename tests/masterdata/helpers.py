"""Driving a master-data screen as a user does: open a form, fill it, save, find a row."""

from __future__ import annotations

from PySide6.QtCore import Qt

from client.ui.forms import RecordForm
from tests.system.helpers import type_text


def opened_form(qtbot, screen) -> RecordForm:
    """The form the screen opened last, once its choices have loaded."""
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible() and not screen.dialog.busy,
                    timeout=10000)
    return screen.dialog


def new_form(qtbot, screen) -> RecordForm:
    """新增 with Ctrl+N, the way a clerk does it."""
    before = screen.dialog
    screen.list.view.setFocus()
    qtbot.keyClick(screen.list.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.dialog is not before, timeout=10000)
    return opened_form(qtbot, screen)


def edit_form(qtbot, screen, search: str) -> RecordForm:
    """Find the one row the quick search gives and open it with Enter."""
    before = screen.dialog
    screen.list.set_search(search)
    qtbot.waitUntil(lambda: not screen.list.is_busy() and screen.list.model.rowCount() == 1, timeout=15000)
    screen.list.view.setFocus()
    screen.list.view.selectRow(0)
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.dialog is not before, timeout=10000)
    return opened_form(qtbot, screen)


def fill(qtbot, form: RecordForm, **values) -> None:
    """Type text fields, pick choices by value, tick check boxes."""
    for key, value in values.items():
        widget = form.widget(key)
        if key.endswith("_id") or key == "kind":
            index = widget.findData(value)
            assert index >= 0, f"{value!r} is not offered in {key}"
            widget.setCurrentIndex(index)
            widget.activated.emit(index)
        elif isinstance(value, bool):
            widget.setChecked(value)
        elif hasattr(widget, "setPlainText"):
            widget.setPlainText(value)
        else:
            type_text(qtbot, widget, value)


def save(qtbot, form: RecordForm):
    """Enter saves; returns the id the checked function gave back."""
    with qtbot.waitSignal(form.saved, timeout=10000) as saved:
        qtbot.keyClick(form.widget("name"), Qt.Key.Key_Return)
    return saved.args[0]


def shown_rows(window) -> list[dict]:
    """The rows the list shows, as {column key: value}."""
    keys = [c.key for c in window.spec.columns]
    return [dict(zip(keys, window.model.row_values(row))) for row in range(window.model.rowCount())]
