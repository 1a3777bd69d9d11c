import tempfile
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from client.exports.columns import Column, ColumnKind
from client.exports.xlsx import ExportCancelled, export_rows

FIRST_DATA_ROW = 5

CONTRACTS = [
    Column("number", "合同号", ColumnKind.TEXT),
    Column("amount", "合同金额", ColumnKind.MONEY),
    Column("signed_on", "签订日期", ColumnKind.DATE),
    Column("pieces", "件数", ColumnKind.INTEGER),
]
CONTRACT_ROWS = [
    ("HT-001", Decimal("1234567.89"), date(2026, 11, 1), 3),
    ("HT-002", Decimal("0.10"), date(2026, 11, 15), None),
    ("HT-003", None, None, 12),
    ("HT-004", Decimal("-250.00"), date(2026, 11, 30), 1),
]


def data_rows(sheet, count):
    return list(sheet.iter_rows(min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + count - 1))


def test_heading_names_the_list_the_filters_the_user_and_the_time(export):
    _, sheet = export(
        CONTRACTS,
        CONTRACT_ROWS,
        title="合同列表",
        filters=[("门店", "杭州一店"), ("日期", "2026-11-01 至 2026-11-30")],
    )

    assert sheet["A1"].value == "合同列表"
    assert sheet["A1"].font.b and sheet["A1"].font.sz > 11
    assert sheet["A2"].value == "筛选：门店=杭州一店；日期=2026-11-01 至 2026-11-30"
    assert sheet["A3"].value == "导出人：张三　导出时间：2026-11-28 10:00 (Asia/Shanghai)"


def test_filter_line_says_none_when_nothing_is_filtered(export):
    _, sheet = export(CONTRACTS, CONTRACT_ROWS, filters=[])

    assert sheet["A2"].value == "筛选：无"


def test_header_is_bold_frozen_and_carries_the_auto_filter(export):
    _, sheet = export(CONTRACTS, CONTRACT_ROWS)

    assert [c.value for c in sheet[4]] == ["合同号", "合同金额", "签订日期", "件数"]
    assert all(c.font.b and c.fill.fill_type == "solid" for c in sheet[4])
    assert sheet.freeze_panes == "A5"
    # Header plus data rows, not the totals row (sorting would move it).
    assert sheet.auto_filter.ref == "A4:D8"


def test_auto_filter_covers_the_header_of_an_empty_list(export):
    result, sheet = export(CONTRACTS, [])

    assert result.row_count == 0
    assert sheet.auto_filter.ref == "A4:D4"
    assert sheet["A5"].value == "合计（0 行）"


def test_money_cells_are_numbers_with_two_decimals_equal_to_the_inputs(export):
    _, sheet = export(CONTRACTS, CONTRACT_ROWS)

    for row, cells in zip(CONTRACT_ROWS, data_rows(sheet, len(CONTRACT_ROWS))):
        money = cells[1]
        if row[1] is None:
            assert money.value is None
            continue
        assert money.data_type == "n"
        assert money.number_format == "#,##0.00"
        assert Decimal(str(money.value)) == row[1]


def test_money_digits_reach_the_file_exactly_not_through_float(export):
    # float would write 1234567890123456.8 (and "%.16g" 1234567890123457).
    amount = Decimal("1234567890123456.78")

    result, _ = export([Column("amount", "金额", ColumnKind.MONEY)], [(amount,)])

    with zipfile.ZipFile(result.path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>1234567890123456.78</v>" in sheet_xml
    assert result.totals == {"amount": amount}


def test_money_as_float_is_refused(export, tmp_path):
    with pytest.raises(TypeError, match="amount"):
        export([Column("amount", "金额", ColumnKind.MONEY)], [(0.1,)])

    assert list(tmp_path.iterdir()) == []


def test_integers_and_quantities_get_number_formats(export):
    columns = [
        Column("pieces", "件数", ColumnKind.INTEGER),
        Column("quantity", "数量", ColumnKind.DECIMAL),
    ]
    rows = [(3, Decimal("12")), (4, Decimal("2.5")), (5, Decimal("1.0004"))]

    _, sheet = export(columns, rows)

    cells = data_rows(sheet, 3)
    assert [(c[0].value, c[0].number_format) for c in cells] == [(3, "0"), (4, "0"), (5, "0")]
    # A whole quantity would show as "12." under '#,##0.###'.
    assert [(c[1].value, c[1].number_format) for c in cells] == [
        (12, "#,##0"),
        (2.5, "#,##0.###"),
        (1.0004, "#,##0"),
    ]


def test_dates_are_date_cells(export):
    _, sheet = export(CONTRACTS, CONTRACT_ROWS)

    signed = [cells[2] for cells in data_rows(sheet, len(CONTRACT_ROWS))]
    assert [c.value.date() if c.value else None for c in signed] == [r[2] for r in CONTRACT_ROWS]
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in signed if c.value)


def test_datetimes_are_written_as_wall_clock_time_in_the_exporters_zone(export):
    columns = [Column("created_at", "录入时间", ColumnKind.DATETIME)]
    late_utc = datetime(2026, 11, 30, 17, 30, tzinfo=ZoneInfo("UTC"))

    _, sheet = export(columns, [(late_utc,)])

    cell = sheet.cell(FIRST_DATA_ROW, 1)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd hh:mm"
    assert cell.value == datetime(2026, 12, 1, 1, 30)  # Shanghai is UTC+8


def test_naive_datetimes_are_refused_as_ambiguous(export):
    with pytest.raises(TypeError, match="created_at"):
        export([Column("created_at", "录入时间", ColumnKind.DATETIME)], [(datetime(2026, 11, 1),)])


def test_totals_row_holds_the_row_count_and_exact_sums(export):
    columns = CONTRACTS + [Column("quantity", "数量", ColumnKind.DECIMAL, total=True)]
    rows = [row + (Decimal("0.333"),) for row in CONTRACT_ROWS]

    result, sheet = export(columns, rows)

    expected_amount = sum(r[1] for r in CONTRACT_ROWS if r[1] is not None)
    assert result.row_count == 4
    assert result.totals == {"amount": expected_amount, "quantity": Decimal("1.332")}
    totals = sheet[FIRST_DATA_ROW + 4]
    assert totals[0].value == "合计（4 行）"
    assert totals[0].font.b
    assert Decimal(str(totals[1].value)) == expected_amount
    assert totals[1].number_format == "#,##0.00" and totals[1].font.b
    assert Decimal(str(totals[4].value)) == Decimal("1.332")
    assert totals[3].value is None  # counts are not summed unless asked


def test_only_summable_columns_can_be_totalled():
    assert Column("amount", "金额", ColumnKind.MONEY).total is True
    assert Column("pieces", "件数", ColumnKind.INTEGER).total is False
    with pytest.raises(ValueError):
        Column("name", "客户", ColumnKind.TEXT, total=True)


def test_formula_injection_in_text_stays_text(export):
    attacks = ['=HYPERLINK("http://evil.example","点我")', "=cmd|' /C calc'!A0", "#N/A", "="]
    columns = [Column("note", "备注", ColumnKind.TEXT)]

    _, sheet = export(columns, [(text,) for text in attacks])

    cells = [cells[0] for cells in data_rows(sheet, len(attacks))]
    assert [c.value for c in cells] == attacks
    assert all(c.data_type == "s" for c in cells)
    # The quote prefix keeps Excel from turning it into a formula on editing.
    assert all(c.quotePrefix for c in cells)


def test_formula_looking_titles_and_headers_stay_text(export):
    _, sheet = export([Column("note", "=备注", ColumnKind.TEXT)], [], title="=列表")

    assert (sheet["A1"].data_type, sheet["A1"].value) == ("s", "=列表")
    assert (sheet["A4"].data_type, sheet["A4"].value) == ("s", "=备注")


def test_control_characters_are_dropped_instead_of_failing_the_export(export):
    _, sheet = export([Column("note", "备注", ColumnKind.TEXT)], [("李四\x0b备注\x00",)])

    assert sheet.cell(FIRST_DATA_ROW, 1).value == "李四备注"


def test_none_and_booleans(export):
    columns = [Column("audited", "已审核", ColumnKind.BOOL), Column("note", "备注", ColumnKind.TEXT)]

    _, sheet = export(columns, [(True, None), (False, ""), (None, "x")])

    assert [[c.value for c in cells] for cells in data_rows(sheet, 3)] == [
        ["是", None],
        ["否", None],
        [None, "x"],
    ]


def test_column_widths_come_from_the_column_or_fit_the_title(export):
    columns = [
        Column("customer", "客户", ColumnKind.TEXT, width=30),
        Column("long", "最近一次跟踪的设计师姓名", ColumnKind.TEXT),
        Column("audited", "是否审核", ColumnKind.BOOL),
    ]

    _, sheet = export(columns, [])

    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["B"].width >= 24  # 12 Chinese characters
    assert sheet.column_dimensions["C"].width >= 8


def test_sheet_title_is_made_acceptable_to_excel(export):
    _, sheet = export(CONTRACTS, [], sheet_title="收款/退款[2026]" + "明细" * 20)

    assert sheet.title.startswith("收款_退款_2026_")
    assert len(sheet.title) == 31


def test_progress_is_reported_every_n_rows_and_at_the_end(export):
    reported = []

    export(CONTRACTS, CONTRACT_ROWS * 6, progress=reported.append, progress_every=10)

    assert reported == [10, 20, 24]


def test_cancel_raises_and_leaves_no_file_behind(tmp_path, monkeypatch, exported_at):
    # openpyxl streams rows through a temporary file; it must go too.
    openpyxl_temp = tmp_path / "temp"
    openpyxl_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(openpyxl_temp))
    target = tmp_path / "out" / "export.xlsx"
    target.parent.mkdir()
    checks = []

    def cancelled():
        checks.append(1)
        return len(checks) == 2

    with pytest.raises(ExportCancelled):
        export_rows(
            target,
            sheet_title="合同",
            columns=CONTRACTS,
            rows=CONTRACT_ROWS * 100,
            title="合同列表",
            filters=[],
            user="张三",
            exported_at=exported_at,
            cancelled=cancelled,
            progress_every=50,
        )

    assert list(target.parent.iterdir()) == []
    assert list(openpyxl_temp.iterdir()) == []


def test_cancel_keeps_an_earlier_export_at_the_same_path(tmp_path, exported_at):
    target = tmp_path / "export.xlsx"
    target.write_bytes(b"earlier export")

    with pytest.raises(ExportCancelled):
        export_rows(
            target,
            sheet_title="合同",
            columns=CONTRACTS,
            rows=CONTRACT_ROWS,
            title="合同列表",
            filters=[],
            user="张三",
            exported_at=exported_at,
            cancelled=lambda: True,
            progress_every=1,
        )

    assert target.read_bytes() == b"earlier export"


def test_row_with_missing_values_is_refused(export):
    with pytest.raises(ValueError, match="row 2"):
        export(CONTRACTS, [CONTRACT_ROWS[0], CONTRACT_ROWS[1][:3]])


def test_exported_at_must_carry_a_zone(export):
    with pytest.raises(ValueError, match="aware"):
        export(CONTRACTS, CONTRACT_ROWS, exported_at=datetime(2026, 11, 28, 10, 0))


def _peak_memory_of_export(path, row_count, exported_at):
    def rows():  # a generator, as a database cursor would be
        for i in range(row_count):
            yield (f"HT-{i:06}", Decimal(i).scaleb(-2), date(2026, 1, 1) + timedelta(days=i % 365), i)

    tracemalloc.start()
    try:
        export_rows(
            path,
            sheet_title="合同",
            columns=CONTRACTS,
            rows=rows(),
            title="合同列表",
            filters=[],
            user="张三",
            exported_at=exported_at,
        )
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_rows(tmp_path, exported_at):
    _peak_memory_of_export(tmp_path / "warm-up.xlsx", 100, exported_at)  # imports and caches
    small = _peak_memory_of_export(tmp_path / "small.xlsx", 2_000, exported_at)
    large = _peak_memory_of_export(tmp_path / "large.xlsx", 20_000, exported_at)

    # Proportional memory would be ten times as much; streaming stays flat.
    assert large < 2 * small
