"""The import dialog driven as a user would: choose a file, read the error list, export it, fix
the file, import."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import load_workbook
from PySide6.QtCore import Qt

from client.imports import open_product_import

from .catalogue_data import make_price_list, prices_in_db, product_rows, products_in_db, write_products

ADMIN = "admin"


def shown(dialog) -> list[tuple]:
    model = dialog.table.model()
    return [tuple(model.index(r, c).data() for c in range(3)) for r in range(model.rowCount())]


def test_a_file_with_wrong_rows_shows_the_error_list_and_cannot_be_imported(catalogue, make_ctx, wait_idle, qtbot, tmp_path,
                                                                          sql):
    ctx = make_ctx(ADMIN)
    dialog = open_product_import(ctx)
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled() and not dialog.export_button.isEnabled()

    rows = product_rows("DLGBAD", 12)
    rows[3][9] = 99.999           # row 5 of the sheet: a cost with three decimals
    rows[10][0] = None            # row 12: no code
    path = write_products(tmp_path / "坏产品.xlsx", rows)
    dialog.ask_open_path = lambda: str(path)
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)

    assert shown(dialog) == [(5, "成本价", "金额最多两位小数：99.999"), (12, "产品编码", "必填，不能为空")]
    assert "发现 2 个问题，未导入任何数据" in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    assert dialog.export_button.isEnabled()

    # Sorting by the row column descending puts row 12 first (numbers, not text: "12" < "5").
    dialog.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert [r[0] for r in shown(dialog)] == [12, 5]

    target = tmp_path / "错误清单.xlsx"
    dialog.ask_save_path = lambda title, name: str(target)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)
    assert "已导出错误清单" in dialog.status.text()
    sheet = load_workbook(target).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[3] == ("行号", "列", "问题")
    # The file lists the problems in the order the table shows them.
    assert values[4:6] == [(12, "产品编码", "必填，不能为空"), (5, "成本价", "金额最多两位小数：99.999")]
    assert "坏产品.xlsx" in values[1][0]

    assert products_in_db(sql, "DLGBAD") == []


def test_the_template_button_writes_the_template(make_ctx, wait_idle, qtbot, tmp_path):
    ctx = make_ctx(ADMIN)
    dialog = open_product_import(ctx)
    qtbot.addWidget(dialog)
    target = tmp_path / "模板.xlsx"
    asked = []
    dialog.ask_save_path = lambda title, name: asked.append((title, name)) or str(target)
    qtbot.mouseClick(dialog.template_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)
    assert asked == [("下载导入模板", "产品信息导入模板.xlsx")]
    header = next(load_workbook(target).active.iter_rows(values_only=True))
    assert header[:3] == ("产品编码", "产品名称", "产品系列")
    assert "已保存导入模板" in dialog.status.text()


def test_a_good_file_is_checked_then_imported_once(catalogue, make_ctx, wait_idle, qtbot, tmp_path, sql):
    ctx = make_ctx(ADMIN)
    imported = []
    dialog = open_product_import(ctx, on_imported=imported.append)
    qtbot.addWidget(dialog)
    path = write_products(tmp_path / "产品.xlsx", product_rows("DLGOK", 30))
    dialog.load(path)
    wait_idle(ctx)
    assert shown(dialog) == []
    assert "检查通过：30 行可以导入" in dialog.status.text()
    assert dialog.import_button.isEnabled()
    assert products_in_db(sql, "DLGOK") == []      # checking wrote nothing

    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)
    assert dialog.status.text() == "已导入 30 条"
    assert imported == [30]
    assert len(products_in_db(sql, "DLGOK")) == 30
    assert not dialog.import_button.isEnabled()    # a second click would import the file twice


def test_a_problem_only_the_database_finds_is_listed_with_its_row_and_column(catalogue, make_ctx, wait_idle, qtbot,
                                                                             tmp_path, sql):
    ctx = make_ctx(ADMIN)
    dialog = open_product_import(ctx)
    qtbot.addWidget(dialog)
    rows = product_rows("DLGDB", 5)
    rows[2][2] = "没有这个系列"                        # row 4: a product line the catalogue lacks
    dialog.load(write_products(tmp_path / "系列.xlsx", rows))
    wait_idle(ctx)
    problems = shown(dialog)
    assert [(row, column) for row, column, _reason in problems] == [(4, "产品系列")]
    assert "没有这个系列" in problems[0][2] or "系列" in problems[0][2]
    assert not dialog.import_button.isEnabled()
    assert products_in_db(sql, "DLGDB") == []



def test_a_price_list_import_goes_to_the_price_list_it_was_opened_for(catalogue, make_ctx, wait_idle, qtbot,
                                                                      tmp_path, sql):
    from openpyxl import Workbook

    from client.imports import open_price_list_import

    price_list_id = make_price_list(catalogue, "DLGPL", "对话框测试价格")
    ctx = make_ctx(ADMIN)
    products = open_product_import(ctx)                 # the products the prices are for
    qtbot.addWidget(products)
    products_file = write_products(tmp_path / "产品.xlsx", product_rows("DLGPLP", 2))
    products.load(products_file)
    wait_idle(ctx)
    qtbot.mouseClick(products.import_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)
    assert products.status.text() == "已导入 2 条"

    prices = open_price_list_import(ctx, price_list_id, "对话框测试价格")
    qtbot.addWidget(prices)
    assert prices.windowTitle() == "从 Excel 导入价格体系：对话框测试价格"
    prices.load(products_file)                          # the wrong file: no price column
    wait_idle(ctx)
    assert shown(prices) == [(1, "零售价", "缺少必填列“零售价”（也可写作：价格、单价）")]
    assert not prices.import_button.isEnabled()

    workbook = Workbook()
    workbook.active.append(["编码", "价格"])
    workbook.active.append(["dlgplp-0001", "１，２８０"])
    workbook.active.append(["DLGPLP-0002", 99.9])
    workbook.save(tmp_path / "价格.xlsx")
    prices.load(tmp_path / "价格.xlsx")
    wait_idle(ctx)
    assert prices.import_button.isEnabled(), prices.status.text()
    qtbot.mouseClick(prices.import_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)
    assert prices.status.text() == "已导入 2 条"
    assert prices_in_db(sql, price_list_id) == [
        ("DLGPLP-0001", Decimal("1280.00")), ("DLGPLP-0002", Decimal("99.90"))]


def test_data_changed_after_the_check_is_caught_when_importing(catalogue, make_ctx, wait_idle, qtbot, tmp_path,
                                                               sql):
    admin = catalogue.admin()
    with admin.cursor() as cur:
        cur.execute("INSERT INTO yiwei.product_line (code, name) VALUES ('IMPSTOP', '导入测试将停用') RETURNING id")
        (line_id,) = cur.fetchone()
    admin.commit()
    ctx = make_ctx(ADMIN)
    dialog = open_product_import(ctx)
    qtbot.addWidget(dialog)
    rows = product_rows("DLGRACE", 3)
    rows[1][2] = "导入测试将停用"
    dialog.load(write_products(tmp_path / "产品.xlsx", rows))
    wait_idle(ctx)
    assert dialog.import_button.isEnabled()

    with admin.cursor() as cur:  # someone stops the product line while the user looks at the dialog
        cur.execute("UPDATE yiwei.product_line SET active = false WHERE id = %s", (line_id,))
    admin.commit()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(ctx)
    assert shown(dialog) == [(3, "产品系列", "产品系列已停用（导入测试将停用）")]
    assert "未导入任何数据" in dialog.status.text()
    assert not dialog.import_button.isEnabled()
    assert products_in_db(sql, "DLGRACE") == []


def test_an_import_the_database_refuses_lists_the_problems_it_names(make_ctx, qtbot):
    from client.db.errors import UserFacingError
    from client.imports.reader import ReadResult

    ctx = make_ctx(ADMIN)
    dialog = open_product_import(ctx)
    qtbot.addWidget(dialog)
    dialog.read = ReadResult(rows=[], problems=[], headers={"code": "编码"})
    refused = UserFacingError("导入数据有 1 处问题，没有导入任何行。", kind="validation",
                              detail={"problems": [{"row": 9, "field": "code", "reason": "产品编码不能为空"}]})
    dialog._import_failed(dialog._generation, refused)
    assert shown(dialog) == [(9, "编码", "产品编码不能为空")]
    assert dialog.status.text() == "未导入任何数据：导入数据有 1 处问题，没有导入任何行。"
    assert not dialog.import_button.isEnabled()
