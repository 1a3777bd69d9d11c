"""合同模块管理 driven as real logins: the administrator writes a template for a product line with
placeholders inserted by their buttons, saves it, edits it again and gets version 2 with version 1
kept (版本历史 shows both); an unknown placeholder and empty clause text are refused with a clear
message beside the text and nothing saved; saving over a version someone else replaced asks to
reload; a login without orders.template only reads."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from psycopg2.extras import Json

from client.orders.templates import TemplatesScreen
from client.ui.registry import load_functions
from tests.db.contract_data import call
from tests.db.customer_data import FORBIDDEN, refusal, token
from tests.db.helpers import rows, scalar
from tests.masterdata import conftest as masterdata_fixtures
from tests.masterdata.helpers import edit_form, fill, new_form, opened_form, save, shown_rows

open_screen = masterdata_fixtures.open_screen     # the fixture: a screen opened as the menu builds it


def versions(admin, name: str) -> list[tuple]:
    """What the database holds for the template: (version, line_id, body, active) of every version."""
    return rows(admin, "SELECT version, line_id, body, active FROM yiwei.contract_template"
                       " WHERE family_id IN (SELECT family_id FROM yiwei.contract_template WHERE name = %s)"
                       " ORDER BY version", (name,))


def with_placeholders(qtbot, form) -> None:
    qtbot.waitUntil(lambda: bool(getattr(form, "placeholder_buttons", None)), timeout=15000)


def write(qtbot, form, *parts: str) -> None:
    """Clause text as a clerk writes it: plain text typed, ``{名}`` parts by clicking their button."""
    body = form.widget("body")
    body.setPlainText("")
    body.setFocus()
    for part in parts:
        body.moveCursor(QTextCursor.MoveOperation.End)
        if part.startswith("{") and part.endswith("}"):
            qtbot.mouseClick(form.placeholder_buttons[part[1:-1]], Qt.MouseButton.LeftButton)
        else:
            body.insertPlainText(part)


def click_save(qtbot, wait_idle, form) -> None:
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.busy, timeout=15000)
    wait_idle(form.ctx)


def test_a_template_is_written_refused_when_wrong_and_versioned_when_edited(
        qtbot, db, admin, cat, open_screen, wait_idle, monkeypatch):
    name = f"橱柜合同{token()}"
    _ctx, screen = open_screen("orders.template", "admin")
    form = new_form(qtbot, screen)
    with_placeholders(qtbot, form)
    assert set(form.placeholder_buttons) == set(scalar(admin, "SELECT yiwei.contract_placeholders()"))
    fill(qtbot, form, name=name, line_id=cat.line_a)

    # a placeholder the print does not know: the database names it beside the clause text
    write(qtbot, form, "甲方：", "{客户姓名}", "，乙方：{公司全称}")
    assert form.widget("body").toPlainText() == "甲方：{客户姓名}，乙方：{公司全称}"
    click_save(qtbot, wait_idle, form)
    assert form.isVisible()
    assert form.error_text("body").startswith("未知的占位符：{公司全称}；可用：{合同编号}")
    assert versions(admin, name) == []
    # empty clause text (blanks only is empty too)
    for blank in ("", "  \n\t "):
        form.widget("body").setPlainText(blank)
        click_save(qtbot, wait_idle, form)
        assert form.isVisible() and form.error_text("body") == "请填写合同条款"
    assert versions(admin, name) == []

    write(qtbot, form, "合同编号：", "{合同编号}", "\n甲方：", "{客户姓名}", "\n金额：", "{合同金额大写}")
    first = "合同编号：{合同编号}\n甲方：{客户姓名}\n金额：{合同金额大写}"
    v1 = save(qtbot, form)
    assert not form.isVisible()
    assert versions(admin, name) == [(1, cat.line_a, first, True)]
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    assert screen.list.selected_keys() == [v1]                      # the saved row, selected

    # edited again: version 2 is added, version 1 stays as it was
    form = edit_form(qtbot, screen, name)
    with_placeholders(qtbot, form)
    assert form.widget("body").toPlainText() == first
    form.widget("body").moveCursor(QTextCursor.MoveOperation.End)
    form.widget("body").insertPlainText("\n交货：")
    qtbot.mouseClick(form.placeholder_buttons["交货日期"], Qt.MouseButton.LeftButton)
    second = first + "\n交货：{交货日期}"
    v2 = save(qtbot, form)
    assert v2 != v1
    assert versions(admin, name) == [(1, cat.line_a, first, True), (2, cat.line_a, second, True)]
    qtbot.waitUntil(lambda: not screen.list.is_busy() and screen.list.model.rowCount() == 1, timeout=15000)
    [row] = shown_rows(screen.list)                                 # the list: the current version
    assert (row["name"], row["version"], row["line_name"]) == (
        name, 2, scalar(admin, "SELECT name FROM yiwei.product_line WHERE id = %s", (cat.line_a,)))

    # 版本历史: both versions, newest first, each text readable
    screen.list.view.selectRow(0)
    screen.actions_by_name["history"].trigger()
    qtbot.waitUntil(lambda: screen.dialog is not form and screen.dialog.objectName() == "template_history", timeout=15000)
    history = screen.dialog
    qtbot.waitUntil(lambda: not history.list.is_busy() and history.list.model.rowCount() == 2, timeout=15000)
    assert [r["version"] for r in shown_rows(history.list)] == [2, 1]
    qtbot.waitUntil(lambda: history.body.toPlainText() == second, timeout=5000)
    history.list.view.setCurrentIndex(history.list.model.index(1, 0))
    assert history.body.toPlainText() == first
    history.close()

    # someone else saves version 3 meanwhile: saving over version 2 asks to reload, saves nothing
    form = edit_form(qtbot, screen, name)
    with_placeholders(qtbot, form)
    call(db.connect_as("admin"), "SELECT yiwei.save_contract_template(%s, 2, %s)",
         (v2, Json({"name": name, "line_id": cat.line_a, "body": "别人改的：{客户姓名}"})))
    form.widget("body").setPlainText("我改的：{客户姓名}")
    click_save(qtbot, wait_idle, form)
    assert form.isVisible() and "保存为第 3 版" in form.banner_text()
    assert form.conflict_box is not None and form.conflict_box.isVisible()
    assert [v[2] for v in versions(admin, name)] == [first, second, "别人改的：{客户姓名}"]
    form.conflict_box.buttons()[0].click()                           # 重新加载
    qtbot.waitUntil(lambda: not form.busy, timeout=15000)
    assert form.widget("body").toPlainText() == "别人改的：{客户姓名}"
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: True)
    form.reject()


def test_a_login_without_the_permission_only_reads(qtbot, db, admin, make_ctx, wait_idle, monkeypatch):
    name = f"木门合同{token()}"
    call(db.connect_as("admin"), "SELECT yiwei.save_contract_template(NULL, NULL, %s)",
         (Json({"name": name, "body": "甲方：{客户姓名}"}),))
    ctx = make_ctx("hq.boss")
    assert not ctx.session.can("orders.template")
    assert not load_functions()["orders.template"].allowed(ctx.session.permissions)   # not in the menu
    screen = TemplatesScreen(ctx)                                   # and opened anyway, read-only
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    assert "new" not in screen.actions_by_name and "edit" not in screen.actions_by_name
    assert "view" in screen.actions_by_name

    screen.list.set_search(name)
    qtbot.waitUntil(lambda: not screen.list.is_busy() and screen.list.model.rowCount() == 1, timeout=15000)
    screen.list.view.selectRow(0)
    screen.actions_by_name["view"].trigger()
    form = opened_form(qtbot, screen)
    assert form.read_only and form.save_button.isHidden()
    assert form.widget("body").isReadOnly() and form.widget("body").toPlainText() == "甲方：{客户姓名}"
    qtbot.waitUntil(lambda: bool(getattr(form, "placeholder_buttons", None)), timeout=15000)
    for button in form.placeholder_buttons.values():                # no inserting into a text one may not save
        assert not button.isEnabled()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert form.widget("body").toPlainText() == "甲方：{客户姓名}"
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: True)
    form.reject()
    with refusal(FORBIDDEN):
        call(db.connect_as("hq.boss"), "SELECT yiwei.save_contract_template(NULL, NULL, %s)",
             (Json({"name": name, "body": "x"}),))
    assert len(versions(admin, name)) == 1
