"""What the 合同下单 screen tests share: the screen opened through its registered function as a real
login, a contract opened from the list with Enter, and typing into the editor as a user does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.orders.contract_editor import ContractEditor
from client.ui.forms import alive

from .change_order_helpers import screen_opener


@pytest.fixture
def open_contracts(qtbot, make_ctx, wait_idle):
    """``open_contracts(login)`` → (ctx, screen): 合同下单 as the menu builds it, shown and loaded."""
    opener = screen_opener(qtbot, make_ctx, wait_idle)
    open_ = next(opener)
    screens = []

    def open_contracts_(login_name: str):
        screen = open_("orders.contracts", login_name)
        screens.append(screen)
        return screen.ctx, screen

    yield open_contracts_
    # an editor left with changes would ask "discard?" when the screen closes
    for screen in screens:
        for editor in screen.editors.values():
            if alive(editor):
                editor.dirty = False
                editor.close()
    next(opener, None)


def find_rows(qtbot, screen, search: str) -> list[dict]:
    """The rows the list shows for a quick search, as {column key: value}."""
    window = screen.list
    window.set_search(search)
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=15000)
    keys = [c.key for c in window.spec.columns]
    return [dict(zip(keys, window.model.row_values(row))) for row in range(window.model.rowCount())]


def open_editor(qtbot, ctx, wait_idle, screen, number: str) -> ContractEditor:
    """Find the contract by its number and open it with Enter."""
    assert len(find_rows(qtbot, screen, number)) == 1
    before = screen.editor
    screen.list.view.setFocus()
    screen.list.view.selectRow(0)
    qtbot.keyClick(screen.list.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.editor is not before and screen.editor.isVisible(), timeout=15000)
    wait_idle(ctx)
    return screen.editor


def type_cell(qtbot, editor: ContractEditor, row: int, column: int, typed: str) -> None:
    """Type into a cell of the lines table: start editing, type, Enter — the keys a user presses."""
    table = editor.table
    table.setFocus()
    table.setCurrentCell(row, column)
    index = table.model().index(row, column)
    if table.indexWidget(index) is None:
        table.edit(index)
    field = table.indexWidget(index)
    assert field is not None, "the cell did not open for editing"
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, typed)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    # the delegate commits on Enter through a queued call
    qtbot.waitUntil(lambda: table.indexWidget(index) is None, timeout=5000)


def save(qtbot, ctx, wait_idle, editor: ContractEditor, keys: bool = False) -> None:
    """保存 (the toolbar button, or Ctrl+S with ``keys``), then wait for the database's answer."""
    if keys:
        editor.table.setFocus()
        qtbot.keyClick(editor.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    else:
        editor.actions_by_name["save"].trigger()
    qtbot.waitUntil(lambda: not editor.busy, timeout=15000)
    wait_idle(ctx)


def saved(qtbot, ctx, wait_idle, editor: ContractEditor) -> int:
    """Ctrl+S that must succeed; the contract's id."""
    editor.last_error = None
    save(qtbot, ctx, wait_idle, editor)
    assert editor.last_error is None, editor.last_error.message
    assert not editor.dirty
    return editor.data.id
