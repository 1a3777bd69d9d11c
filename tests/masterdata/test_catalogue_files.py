"""The catalogue lists export what they show, and 产品信息 and a price list's prices import from
Excel through the import dialog (its template downloaded from the toolbar), all or nothing."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from client.masterdata import catalogue_import

from .helpers import shown_rows


def wait_list(qtbot, window):
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=15000)


def export(qtbot, window, path):
    with qtbot.waitSignal(window.export_finished, timeout=20000) as finished:
        window.export_to(path)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[4]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=5, max_row=4 + finished.args[0].row_count,
                                                                values_only=True)]
    return sheet, header, rows


@pytest.fixture
def catalogue(admin_call, tag):
    """A line with two products (one with a cost) and a price list pricing one of them."""
    line_id = admin_call("save_product_line", {"code": f"E{tag}", "name": f"导出系列{tag}", "sort_order": 950})
    first = admin_call("save_product", {"code": f"E{tag}-1", "name": f"导出衣柜{tag}", "line_id": line_id,
                                        "unit": "平方米", "cost": "456.70"})
    second = admin_call("save_product", {"code": f"E{tag}-2", "name": f"导出门板{tag}", "line_id": line_id,
                                         "unit": "樘", "active": False})
    list_id = admin_call("save_price_list", {"code": f"E{tag}", "name": f"导出价格{tag}", "valid_from": "2026-01-01"})
    admin_call("save_price_list_item", {"price_list_id": list_id, "product_id": first, "price": "1999.90"})
    return {"line": line_id, "products": (first, second), "price_list": list_id}


def test_products_filtered_by_line_export_with_their_cost(qtbot, open_screen, tmp_path, catalogue, tag):
    ctx, screen = open_screen("masterdata.product")
    screen.list.set_filter("line", catalogue["line"])
    wait_list(qtbot, screen.list)
    assert [r["code"] for r in shown_rows(screen.list)] == [f"E{tag.upper()}-1", f"E{tag.upper()}-2"]
    sheet, header, rows = export(qtbot, screen.list, tmp_path / "products.xlsx")
    assert sheet["A1"].value == "产品信息" and sheet["A2"].value == f"筛选：产品系列=导出系列{tag}"
    assert header[:3] == ["产品编码", "产品名称", "产品系列"] and "成本价" in header
    assert [(r["产品编码"], r["单位"], r["成本价"], r["状态"]) for r in rows] == [
        (f"E{tag.upper()}-1", "平方米", 456.7, "启用"), (f"E{tag.upper()}-2", "樘", None, "停用")]


def test_guide_exports_products_without_the_cost_column(qtbot, open_screen, tmp_path, catalogue, tag):
    ctx, screen = open_screen("masterdata.product", "hz01.guide1")
    screen.list.set_search(f"E{tag}-")
    wait_list(qtbot, screen.list)
    sheet, header, rows = export(qtbot, screen.list, tmp_path / "guide.xlsx")
    assert "成本价" not in header and len(rows) == 2


def test_price_list_prices_export_named_by_their_price_list(qtbot, open_screen, tmp_path, catalogue, tag):
    ctx, screen = open_screen("masterdata.price_list")
    screen.list.set_search(f"导出价格{tag}")
    wait_list(qtbot, screen.list)
    qtbot.waitUntil(lambda: screen.detail.master_key == catalogue["price_list"], timeout=10000)
    wait_list(qtbot, screen.detail.list)
    sheet, header, rows = export(qtbot, screen.detail.list, tmp_path / "prices.xlsx")
    assert sheet["A1"].value == "价格体系明细" and sheet["A2"].value == f"筛选：价格体系=导出价格{tag}"
    assert [(r["产品编码"], r["零售价"]) for r in rows] == [(f"E{tag.upper()}-1", 1999.9)]
    assert sheet.cell(row=5, column=header.index("零售价") + 1).number_format.endswith("0.00")


def _sheet(path, header, *rows):
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_product_import_shows_every_problem_and_imports_nothing_then_all(
        qtbot, open_screen, sql, tmp_path, catalogue, tag, monkeypatch):
    ctx, screen = open_screen("masterdata.product")
    monkeypatch.setattr(catalogue_import, "ask_save_path", lambda *_: str(tmp_path / "模板.xlsx"))
    screen.actions_by_name["template"].trigger()
    qtbot.waitUntil(lambda: screen.status.text() == "已保存导入模板：模板.xlsx", timeout=10000)
    assert [c.value for c in openpyxl.load_workbook(tmp_path / "模板.xlsx").active[1]][:3] == [
        "产品编码", "产品名称", "产品系列"]

    screen.actions_by_name["import"].trigger()
    dialog = screen.import_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    header = ["产品编码", "产品名称", "产品系列", "产品品级", "单位", "成本价"]
    bad = _sheet(tmp_path / "bad.xlsx", header, [f"I{tag}-1", "导入柜", f"导出系列{tag}", "没有的品级", "米", 12.5],
                 [f"I{tag}-2", "导入柜二", "没有的系列", None, "米", 10])
    dialog.load(bad)
    qtbot.waitUntil(lambda: not dialog.busy and bool(dialog.problems), timeout=15000)
    assert sorted((p.row, p.column) for p in dialog.problems) == [(2, "产品品级"), (3, "产品系列")]
    assert not dialog.import_button.isEnabled()
    assert sql("SELECT count(*) FROM yiwei.product WHERE code LIKE %s", (f"I{tag.upper()}-%",)) == [(0,)]

    good = _sheet(tmp_path / "good.xlsx", header, [f"I{tag}-1", "导入柜", f"导出系列{tag}", None, "米", 12.34],
                  [f"I{tag}-2", "导入柜二", f"E{tag}", None, "套", None])
    dialog.load(good)
    qtbot.waitUntil(lambda: dialog.ready, timeout=15000)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: screen.status.text() == "已导入 2 行", timeout=15000)
    assert sql("SELECT p.code, p.unit, c.cost FROM yiwei.product p LEFT JOIN yiwei.product_cost c"
               " ON c.product_id = p.id WHERE p.code LIKE %s ORDER BY p.code", (f"I{tag.upper()}-%",)) == [
        (f"I{tag.upper()}-1", "米", Decimal("12.34")), (f"I{tag.upper()}-2", "套", None)]
    dialog.done(0)


def test_prices_import_into_the_selected_price_list(qtbot, open_screen, sql, tmp_path, catalogue, tag):
    ctx, screen = open_screen("masterdata.price_list")
    screen.list.set_search(f"导出价格{tag}")
    wait_list(qtbot, screen.list)
    detail = screen.detail
    qtbot.waitUntil(lambda: detail.master_key == catalogue["price_list"], timeout=10000)
    detail.actions_by_name["import"].trigger()
    dialog = detail.import_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.windowTitle() == f"从 Excel 导入价格体系：导出价格{tag}"
    path = _sheet(tmp_path / "prices.xlsx", ["产品编码", "零售价"], [f"E{tag}-1", "2100"], [f"E{tag}-2", 880.5])
    dialog.load(path)
    qtbot.waitUntil(lambda: dialog.ready, timeout=15000)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: detail.status.text() == "已导入 2 行", timeout=15000)
    assert sql("SELECT product_id, price FROM yiwei.price_list_item WHERE price_list_id = %s ORDER BY product_id",
               (catalogue["price_list"],)) == [(catalogue["products"][0], Decimal("2100.00")),
                                               (catalogue["products"][1], Decimal("880.50"))]
    wait_list(qtbot, detail.list)
    assert len(shown_rows(detail.list)) == 2
    dialog.done(0)
