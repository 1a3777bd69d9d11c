"""What the 合同改补单 and 责任人判定 screen tests share: a screen opened through its registered function
as a real login, a row found by the list's quick search and made current, a change order written
through the screen (新建 → 选择合同 → 明细 → 保存) and the database's rows read back as the superuser."""

from __future__ import annotations

from PySide6.QtCore import Qt

from client.orders.change_orders import ContractPicker
from client.ui.forms import RecordForm, alive
from client.ui.registry import load_functions
from tests.db.helpers import scalar


def screen_opener(qtbot, make_ctx, wait_idle):
    """The body of the test modules' ``open_function`` fixture: ``open_function(function_id, login)``
    → the screen as the menu builds it, shown and loaded. Dialogs left open are closed without
    asking afterwards."""
    screens = []

    def open_(function_id: str, login_name: str, password: str | None = None):
        ctx = make_ctx(login_name) if password is None else make_ctx(login_name, password)
        screen = load_functions()[function_id].factory(ctx, None)
        qtbot.addWidget(screen)
        screen.resize(1200, 600)
        screen.show()
        qtbot.waitExposed(screen)
        qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
        wait_idle(ctx)
        screens.append(screen)
        return screen

    yield open_
    for screen in screens:
        dialog = getattr(screen, "dialog", None)
        if alive(dialog) and isinstance(dialog, RecordForm):
            dialog.read_only = True        # closing must not ask "放弃修改？"
        if alive(dialog):
            dialog.close()


def show_row(qtbot, wait_idle, window, key, search: str) -> dict:
    """Find the row by the quick search, make it current and selected; its values by column key."""
    window.set_search(search)
    qtbot.waitUntil(lambda: not window.is_busy() and window.model.row_of_key(key) >= 0, timeout=15000)
    row = window.model.row_of_key(key)
    window.view.setFocus()
    window.view.selectRow(row)
    window.view.setCurrentIndex(window.model.index(row, 0))
    return row_values(window, key)


def row_values(window, key) -> dict:
    model = window.model
    return dict(zip((c.key for c in window.spec.columns), model.row_values(model.row_of_key(key))))


def wait_reloaded(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=15000)


def pick_contract(qtbot, wait_idle, screen, contract_id: int, number: str) -> RecordForm:
    """新建 (Ctrl+N) → the contract found in 选择合同 and picked with Enter → the new change order's form,
    its product choices loaded."""
    screen.setFocus()
    screen.actions_by_name["new"].trigger()
    picker = screen.dialog
    assert isinstance(picker, ContractPicker) and picker.isVisible()
    wait_reloaded(qtbot, picker.list)
    show_row(qtbot, wait_idle, picker.list, contract_id, number)
    qtbot.keyClick(picker.list.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(screen.dialog, RecordForm) and screen.dialog.isVisible(), timeout=15000)
    form = screen.dialog
    wait_idle(screen.ctx)
    assert form.lines.choices, "the contract's products did not arrive"
    return form


def fill(form: RecordForm, reason: str, lines: list[tuple], kind: str | None = None) -> None:
    """Type the reason, choose the kind, and fill the lines table with (product_id, quantity[, price])."""
    if kind is not None:
        combo = form.widget("kind")
        combo.setCurrentIndex(combo.findData(kind))
    form.widget("reason").setPlainText(reason)
    editor = form.lines
    while editor.table.rowCount() < len(lines):
        editor.add_line()
    for row, spec in enumerate(lines):
        product_id, quantity, *price = spec
        editor.set_row(row, product_id, quantity, price[0] if price else "")


def type_product(qtbot, editor, row: int, typed: str, pick: bool = True) -> None:
    """Type part of a product's code or name into the line's product box and, with ``pick``, take the
    first product the completer offers (Down, Enter) — the keys a clerk presses; else Tab away."""
    combo = editor._combo(row)
    combo.setFocus()
    combo.lineEdit().selectAll()
    qtbot.keyClicks(combo.lineEdit(), typed)
    popup = combo.completer().popup()
    if pick:
        qtbot.waitUntil(popup.isVisible, timeout=5000)
        qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    else:
        popup.hide()
        qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Tab)


def save(qtbot, wait_idle, form: RecordForm) -> None:
    """保存, then wait for the database's answer (the form closes when it accepted)."""
    form.save_button.click()
    qtbot.waitUntil(lambda: not alive(form) or not form.busy, timeout=15000)
    wait_idle(form.ctx)


def rows(admin, sql: str, params=()) -> list[tuple]:
    with admin.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def change_orders_of(admin, contract_id: int) -> list[tuple]:
    """(id, kind, reason, status, amount_delta) of the contract's change orders, oldest first."""
    return rows(admin, "SELECT id, kind, reason, status, amount_delta FROM yiwei.change_order"
                       " WHERE contract_id = %s ORDER BY id", (contract_id,))


def lines_of(admin, change_order_id: int) -> list[tuple]:
    """(product_id, quantity, price, amount) of the change order's lines, in order."""
    return rows(admin, "SELECT product_id, quantity, price, amount FROM yiwei.change_order_line"
                       " WHERE change_order_id = %s ORDER BY line_no", (change_order_id,))


def number_of(admin, change_order_id: int) -> str:
    return scalar(admin, "SELECT number FROM yiwei.change_order WHERE id = %s", (change_order_id,))
