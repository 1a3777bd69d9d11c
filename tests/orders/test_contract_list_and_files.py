"""The contract list and the design files of 合同下单: a guide sees only own contracts (the store
manager the store's), the list exports exactly what it shows, and the designer's second upload
becomes the current version while the first stays in the history, readable back to disk."""

from __future__ import annotations

from decimal import Decimal

import openpyxl

from tests.db.contract_data import call, line, new_contract, save_contract, version
from tests.db.customer_data import create_customer, token

from .contract_helpers import find_rows, open_editor
from .test_contract_entry import number_of


def test_a_guide_does_not_see_a_colleagues_contracts(qtbot, db, admin, cat, open_contracts, sql):
    mine = number_of(admin, new_contract(db, cat, "hz01.guide1", "HZ01"))
    theirs = number_of(admin, new_contract(db, cat, "hz01.guide2", "HZ01"))
    _ctx, screen = open_contracts("hz01.guide1")
    guide1 = sql("SELECT full_name FROM yiwei.employee WHERE login = 'hz01.guide1'")[0][0]
    assert [r["number"] for r in find_rows(qtbot, screen, mine)] == [mine]
    assert find_rows(qtbot, screen, theirs) == []
    shown = find_rows(qtbot, screen, "")
    assert shown and {r["guide_name"] for r in shown} == {guide1}

    _ctx, manager = open_contracts("hz01.manager")             # the store manager sees the store's
    assert [r["number"] for r in find_rows(qtbot, manager, theirs)] == [theirs]


def test_the_list_exports_what_it_shows(qtbot, db, admin, cat, open_contracts, sql, tmp_path):
    tag = token()
    ids = []
    for guide, name, lines in (("hz01.guide1", "甲", [line(cat, "a1")]), ("hz01.guide1", "乙", [line(cat, "a3", 3)]),
                               ("hz01.guide2", "丙", [line(cat, "b1", 2, rate="0.95")])):
        conn = db.connect_as(guide)
        customer, _phone = create_customer(conn, "HZ01", name=f"导出{tag}{name}")
        ids.append(save_contract(conn, {"customer_id": customer, "price_list_id": cat.price_list, "lines": lines,
                                        "note": f"备注{name}"}))
    call(db.connect_as("hz01.guide1"), "SELECT yiwei.cancel_contract(%s, %s, '客户放弃')", (ids[1], version(admin, ids[1])))

    _ctx, screen = open_contracts("hz01.manager")
    window = screen.list
    window.set_visible_columns(["number", "customer_name", "guide_name", "status_label", "total", "note"])
    assert len(find_rows(qtbot, screen, f"导出{tag}")) == 3
    window.set_filter("status", "draft")
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=15000)
    keys = [c.key for c in window.spec.columns]
    rows = [dict(zip(keys, window.model.row_values(r))) for r in range(window.model.rowCount())]
    numbers = [number_of(admin, i) for i in (ids[2], ids[0])]           # newest first
    assert [r["number"] for r in rows] == numbers
    assert window.totals["total"] == Decimal("2520.00")                 # 1000.00 + 2 × 760.00

    path = tmp_path / "contracts.xlsx"
    with qtbot.waitSignal(window.export_finished, timeout=20000) as finished:
        window.export_to(path)
    assert finished.args[0].row_count == 2
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "合同下单"
    assert "状态=草稿" in sheet["A2"].value and f"导出{tag}" in sheet["A2"].value
    header = [c.value for c in sheet[4]]
    assert header == ["合同编号", "客户", "导购", "状态", "合同金额", "备注"]
    exported = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=5, max_row=6, values_only=True)]
    assert [(r["合同编号"], r["客户"], r["状态"], Decimal(str(r["合同金额"])), r["备注"]) for r in exported] == [
        (numbers[0], f"导出{tag}丙", "草稿", Decimal("1520.00"), "备注丙"),
        (numbers[1], f"导出{tag}甲", "草稿", Decimal("1000.00"), "备注甲")]
    assert sheet.cell(7, 1).value == "合计（2 行）" and Decimal(str(sheet.cell(7, 5).value)) == Decimal("2520.00")


def test_the_designer_uploads_a_design_and_a_second_upload_becomes_current(
        qtbot, db, admin, cat, open_contracts, wait_idle, sql, tmp_path):
    contract_id = new_contract(db, cat, "hz01.guide1", "HZ01", designer_login="hz01.designer")
    ctx, screen = open_contracts("hz01.designer")              # the designer's own contracts
    editor = open_editor(qtbot, ctx, wait_idle, screen, number_of(admin, contract_id))
    panel = editor.design
    editor.tabs.setCurrentWidget(panel)
    assert "还没有设计文件" in panel.current_label.text()

    empty = tmp_path / "空白.pdf"
    empty.write_bytes(b"")
    first = tmp_path / "厨房平面图.dwg"
    first.write_bytes(b"AC1032 first drawing " * 50)
    second = tmp_path / "厨房平面图-修改.pdf"
    second.write_bytes(b"%PDF-1.4 second drawing " * 80)

    def upload(path):
        panel.ask_upload_path = lambda: str(path)
        panel.upload_button.click()
        qtbot.waitUntil(lambda: not panel.busy, timeout=15000)
        wait_idle(ctx)

    upload(empty)
    assert "是空的" in panel.message_text() and panel.table.rowCount() == 0
    upload(first)
    assert "第 1 版" in panel.message_text()
    upload(second)
    assert panel.table.rowCount() == 2
    assert [panel.table.item(r, 1).text() for r in range(2)] == [second.name, first.name]
    assert [panel.table.item(r, 5).text() for r in range(2)] == ["当前", ""]
    assert "第 2 版 厨房平面图-修改.pdf" in panel.current_label.text()
    designer = sql("SELECT full_name FROM yiwei.employee WHERE login = 'hz01.designer'")[0][0]
    assert panel.table.item(1, 3).text() == designer
    assert sql("SELECT version, file_name, current, size_bytes, uploaded_by = (SELECT id FROM yiwei.employee"
               " WHERE login = 'hz01.designer') FROM yiwei.design_file WHERE contract_id = %s ORDER BY version",
               (contract_id,)) == [(1, first.name, False, len(first.read_bytes()), True),
                                   (2, second.name, True, len(second.read_bytes()), True)]

    # the first version, from the history, saved to disk as it was uploaded
    target = tmp_path / "out" / "v1.dwg"
    target.parent.mkdir()
    panel.ask_save_path = lambda name: str(target)
    panel.table.selectRow(1)
    panel.save_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=15000)
    assert target.read_bytes() == first.read_bytes()
    opened = []
    panel.open_url = opened.append
    panel.table.selectRow(0)
    panel.open_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=15000)
    assert opened[0].toLocalFile().endswith(second.name)

    # the list shows the current drawing
    assert find_rows(qtbot, screen, number_of(admin, contract_id))[0]["design_file_name"] == second.name
