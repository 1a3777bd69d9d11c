"""Small helpers shared by the system screen tests."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton


def find_button(box, text: str) -> QAbstractButton:
    for button in box.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text:
            return button
    raise AssertionError(f"no button {text!r} in {box.windowTitle()!r}: "
                         f"{[b.text() for b in box.findChildren(QAbstractButton)]}")


def one(conn, sql, params=()):
    """The single value (or row) of a query on a psycopg2 connection."""
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
        return row[0] if row and len(row) == 1 else row


def loaded(ctx, fn):
    """Run ``fn(conn)`` on the context's engine, for setting up a dialog the way a screen would."""
    with ctx.session.engine.begin() as conn:
        return fn(conn)


def type_text(qtbot, widget, text: str, *, replace: bool = True) -> None:
    """Type into a line edit as the user does: ASCII through key clicks, Chinese the way an input
    method delivers it (a committed string), which QTest's key clicks cannot simulate."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    if replace:
        widget.selectAll()
        if not text:
            qtbot.keyClick(widget, Qt.Key.Key_Delete)
    chunk = ""
    for ch in text + "\0":
        if ch != "\0" and ord(ch) >= 128:
            if chunk:
                qtbot.keyClicks(widget, chunk)
                chunk = ""
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
        elif ch != "\0":
            chunk += ch
    if chunk:
        qtbot.keyClicks(widget, chunk)
