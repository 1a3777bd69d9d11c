"""Reading an import file: every row checked, every problem with its spreadsheet row and column,
numbers exact whatever Excel or the user did to them."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from client.db.errors import UserFacingError
from client.imports.catalogue import PRICE_LIST_IMPORT, PRODUCT_IMPORT
from client.imports.reader import read_import_file
from client.imports.spec import normalize_header

from .helpers import EVERY_KIND, write_xlsx

HEADER = ["产品编码", "名称", "价格", "数量", "序号", "生效日期", "启用"]


def problems_of(result):
    return [(p.row, p.column, p.reason) for p in result.problems]


def test_a_good_file_becomes_records_with_their_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "good.xlsx", [
        HEADER,
        ["A1", "柜子", 1280, 2, 1, datetime(2026, 11, 1), "是"],
        [None, None, None, None, None, None, None],           # empty row: skipped, numbering goes on
        ["A2", None, "1,280.50", "0.125", "３", "2026/11/2", "否"],
    ])
    result = read_import_file(path, EVERY_KIND)
    assert result.clean, problems_of(result)
    assert result.rows == [
        {"row": 2, "code": "A1", "name": "柜子", "price": Decimal("1280.00"), "quantity": Decimal("2"),
         "sort_order": 1, "valid_from": date(2026, 11, 1), "active": True},
        {"row": 4, "code": "A2", "name": None, "price": Decimal("1280.50"), "quantity": Decimal("0.125"),
         "sort_order": 3, "valid_from": date(2026, 11, 2), "active": False},
    ]
    assert str(result.rows[0]["price"]) == "1280.00"


def test_float_cells_become_the_decimal_excel_shows(tmp_path):
    noisy = 0.1 + 0.2  # 0.30000000000000004, what a formula's cached value can hold
    path = write_xlsx(tmp_path / "floats.xlsx", [
        HEADER,
        ["F1", None, 12.3, 12.3, None, None, None],
        ["F2", None, noisy, 1.005, None, None, None],
        ["F3", None, 12.300000000000001, 2.0, None, None, None],
        ["F4", None, 1234567.89, 0.001, None, None, None],
    ])
    result = read_import_file(path, EVERY_KIND)
    assert result.clean, problems_of(result)
    prices = [str(r["price"]) for r in result.rows]
    quantities = [str(r["quantity"]) for r in result.rows]
    assert prices == ["12.30", "0.30", "12.30", "1234567.89"]
    assert quantities == ["12.3", "1.005", "2", "0.001"]
    assert all(isinstance(r["price"], Decimal) for r in result.rows)


@pytest.mark.parametrize("typed, expected", [
    ("1,280.00", "1280.00"),
    ("１２８０", "1280.00"),
    ("１，２８０．５", "1280.50"),
    ("￥1,280", "1280.00"),
    ("¥ 99.9", "99.90"),
    ("1280元", "1280.00"),
    (" 12.300 ", "12.30"),   # trailing zeros are not decimals that carry a value
])
def test_money_typed_as_text_is_read_exactly(tmp_path, typed, expected):
    path = write_xlsx(tmp_path / "text.xlsx", [HEADER, ["T1", None, typed]])
    result = read_import_file(path, EVERY_KIND)
    assert result.clean, problems_of(result)
    assert str(result.rows[0]["price"]) == expected


def test_every_wrong_cell_is_reported_with_row_and_column(tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", [
        HEADER,
        ["OK1", "好", 10, 1, 1, "2026-11-01", "是"],
        ["B1", "名称太长了呀", 12.345, -1, 1.5, "2026-13-01", "也许"],
        [None, None, 0, "1,2", "x", 46000, None],
        ["B3", None, "abc", 0.0001, None, datetime(2026, 11, 1, 9, 30), None],
    ])
    result = read_import_file(path, EVERY_KIND)
    assert result.rows[0]["code"] == "OK1"
    found = problems_of(result)
    assert found == [
        (3, "名称", "太长：最多 5 个字，实际 6 个字"),
        (3, "价格", "金额最多两位小数：12.345"),
        (3, "数量", "数量必须大于 0"),
        (3, "序号", "应为整数：1.5"),
        (3, "生效日期", "不是有效日期：2026-13-01（应写成 2026-11-01）"),
        (3, "启用", "应填“是”或“否”：也许"),
        (4, "产品编码", "必填，不能为空"),
        (4, "价格", "金额必须大于 0"),
        (4, "数量", "应为数字：1,2"),
        (4, "序号", "应为数字：x"),
        (4, "生效日期", "不是有效日期（请把单元格设为日期格式，或写成 2026-11-01）"),
        (5, "价格", "应为数字：abc"),
        (5, "数量", "数量最多三位小数：0.0001"),
        (5, "生效日期", "应为日期，不带时间：2026-11-01 09:30:00"),
    ]


def test_a_code_typed_as_a_number_is_the_text_of_that_number(tmp_path):
    path = write_xlsx(tmp_path / "codes.xlsx", [HEADER, [1001], [1002.0], ["  A-3  "]])
    result = read_import_file(path, EVERY_KIND)
    assert result.clean
    assert [r["code"] for r in result.rows] == ["1001", "1002", "A-3"]


def test_a_key_repeated_within_the_file_names_the_first_row(tmp_path):
    path = write_xlsx(tmp_path / "dup.xlsx", [HEADER, ["A1"], ["A2"], [None], ["A1"], [1001], ["1001"]])
    result = read_import_file(path, EVERY_KIND)
    assert problems_of(result) == [(5, "产品编码", "与第 2 行重复：A1"), (7, "产品编码", "与第 6 行重复：1001")]


def test_a_missing_required_header_is_reported_on_row_one(tmp_path):
    path = write_xlsx(tmp_path / "noheader.xlsx", [["名称", "价格"], ["柜子", 100]])
    result = read_import_file(path, EVERY_KIND)
    assert problems_of(result) == [(1, "产品编码", "缺少必填列“产品编码”（也可写作：编码）")]


def test_headers_may_use_another_accepted_name_spacing_marks_and_any_order(tmp_path):
    path = write_xlsx(tmp_path / "alias.xlsx", [["备注", " 价 格 ", "编码*", "ＸＸ"], ["随便", 5, "Z9", "y"]])
    result = read_import_file(path, EVERY_KIND)
    assert result.clean
    assert result.rows == [{"row": 2, "price": Decimal("5.00"), "code": "Z9"}]
    assert result.headers == {"price": "价 格", "code": "编码*"}
    assert normalize_header("产品编码（必填）") == normalize_header("产品编码")


def test_the_same_column_twice_is_a_header_problem(tmp_path):
    path = write_xlsx(tmp_path / "twice.xlsx", [["产品编码", "编码"], ["A", "B"]])
    result = read_import_file(path, EVERY_KIND)
    assert problems_of(result) == [(1, "编码", "与列“产品编码”重复，只能有一列")]
    assert result.rows == [{"row": 2, "code": "A"}]


def test_a_sheet_without_any_known_header_says_what_row_one_should_hold(tmp_path):
    path = write_xlsx(tmp_path / "wrong.xlsx", [["标题：产品清单"], ["产品编码"], ["A"]])
    result = read_import_file(path, EVERY_KIND)
    assert len(result.problems) == 1
    assert result.problems[0].row == 1
    assert result.problems[0].reason.startswith("第一行应为列标题（产品编码、名称、价格")
    assert result.rows == []


def test_excel_error_values_are_reported(tmp_path):
    path = write_xlsx(tmp_path / "err.xlsx", [HEADER, ["E1", None, "#DIV/0!"]])
    result = read_import_file(path, EVERY_KIND)
    assert problems_of(result) == [(2, "价格", "单元格是错误值 #DIV/0!")]


def test_a_file_that_is_not_an_xlsx_is_refused_with_a_message(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("名称,价格\n柜子,1\n", encoding="utf-8")
    with pytest.raises(UserFacingError, match="不是有效的 Excel"):
        read_import_file(fake, EVERY_KIND)
    with pytest.raises(UserFacingError, match="另存为 .xlsx"):
        read_import_file(tmp_path / "old.xls", EVERY_KIND)
    with pytest.raises(UserFacingError, match="找不到文件"):
        read_import_file(tmp_path / "missing.xlsx", EVERY_KIND)


def test_cancelling_stops_the_reading(tmp_path):
    from client.ui.tasks import CancelToken, TaskCancelled

    path = tmp_path / "many.xlsx"
    write_xlsx(path, [HEADER] + [[f"C{i}"] for i in range(2000)])
    token = CancelToken()
    token.cancel()
    with pytest.raises(TaskCancelled):
        read_import_file(path, EVERY_KIND, token=token)


def test_ten_thousand_rows_are_read_in_little_memory(tmp_path):
    path = tmp_path / "big.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("产品")
    sheet.append([c.header for c in PRODUCT_IMPORT.columns])
    for i in range(10_000):
        sheet.append([f"P{i:05d}", f"产品名称{i}", "橱柜", "A级", "欧式", "白色", "800×600", "米", None,
                      1280.5 + i, "是"])
    workbook.save(path)

    seen = []
    gc.collect()
    tracemalloc.start()
    try:
        result = read_import_file(path, PRODUCT_IMPORT, report=lambda done, total, text: seen.append(done))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.clean
    assert len(result.rows) == 10_000
    assert result.rows[-1]["row"] == 10_001
    assert result.rows[-1]["cost"] == Decimal("11279.50")
    assert seen[-1] == 10_000 and len(seen) > 10  # progress was told along the way
    # The records themselves take ~10 MB; loading the sheet fully (cell objects, styles) would add
    # several times that. Read-only streaming keeps the peak near the records' own size.
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_the_catalogue_specs_accept_their_own_headers():
    assert PRODUCT_IMPORT.column_for_header("编码").key == "code"
    assert PRICE_LIST_IMPORT.column_for_header("零售价").key == "price"
    assert PRICE_LIST_IMPORT.needs_target


def test_codes_differing_only_in_case_or_width_are_the_same_code(tmp_path):
    path = write_xlsx(tmp_path / "case.xlsx", [HEADER, ["cg-001"], ["CG-001"], ["ＣＧ-001"]])
    result = read_import_file(path, EVERY_KIND)
    assert problems_of(result) == [(3, "产品编码", "与第 2 行重复：CG-001"), (4, "产品编码", "与第 2 行重复：ＣＧ-001")]


def test_a_cost_may_be_zero_but_not_negative_while_a_price_must_be_positive(tmp_path):
    header = [c.header for c in PRODUCT_IMPORT.columns]
    base = ["Z-1", "名称", "橱柜", None, None, None, None, "米", None]
    path = write_xlsx(tmp_path / "zero.xlsx", [header, base + [0], ["Z-2"] + base[1:] + [-1]])
    result = read_import_file(path, PRODUCT_IMPORT)
    assert result.rows[0]["cost"] == Decimal("0.00")
    assert problems_of(result) == [(3, "成本价", "金额不能为负数")]
    path = write_xlsx(tmp_path / "zero_price.xlsx", [["产品编码", "零售价"], ["Z-1", 0]])
    assert problems_of(read_import_file(path, PRICE_LIST_IMPORT)) == [(2, "零售价", "金额必须大于 0")]
