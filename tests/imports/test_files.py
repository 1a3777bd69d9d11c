"""The files the import writes: the template (headers + one example row) and the error list."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from client.imports.catalogue import PRICE_LIST_IMPORT, PRODUCT_IMPORT
from client.imports.problems import Problem, export_problems
from client.imports.reader import read_import_file
from client.imports.template import write_template


def test_the_product_template_has_the_headers_and_an_example_row_the_reader_accepts(tmp_path):
    path = write_template(tmp_path / "产品信息导入模板.xlsx", PRODUCT_IMPORT)
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in PRODUCT_IMPORT.columns]
    assert len(rows) == 2
    code, cost = sheet["A2"], sheet.cell(row=2, column=10)
    assert code.value == "CG-1001" and code.number_format == "@"
    assert cost.value == 1280 and cost.number_format == "#,##0.00"
    assert "必填" in sheet["A1"].comment.text and "可不填" in sheet["E1"].comment.text
    assert "金额，可为 0，最多两位小数" in sheet.cell(row=1, column=10).comment.text
    assert sheet.freeze_panes == "A2"

    result = read_import_file(path, PRODUCT_IMPORT)
    assert result.clean, result.problems
    assert result.rows[0]["code"] == "CG-1001" and str(result.rows[0]["cost"]) == "1280.00"
    assert result.rows[0]["active"] is True


def test_the_price_list_template_reads_back_clean(tmp_path):
    path = write_template(tmp_path / "价格.xlsx", PRICE_LIST_IMPORT)
    result = read_import_file(path, PRICE_LIST_IMPORT)
    assert result.clean
    assert [(r["code"], str(r["price"])) for r in result.rows] == [("CG-1001", "2680.00")]


def test_the_error_list_is_an_xlsx_with_row_numbers_as_numbers(tmp_path):
    problems = [Problem(1, "产品编码", "缺少必填列“产品编码”"), Problem(12, "价格", "金额最多两位小数：1.005")]
    at = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    result = export_problems(tmp_path / "errors.xlsx", problems, import_title="产品信息", file_name="产品.xlsx",
                             user="管理员", exported_at=at)
    assert result.row_count == 2
    sheet = load_workbook(result.path).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "产品信息导入错误清单"
    assert "文件=产品.xlsx" in values[1][0]
    assert values[3] == ("行号", "列", "问题")
    assert values[4] == (1, "产品编码", "缺少必填列“产品编码”")
    assert values[5] == (12, "价格", "金额最多两位小数：1.005")
