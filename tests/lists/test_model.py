"""The lazy list model: one keyset page at a time, in the background, never the whole table."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt

from client.exports.columns import ColumnKind
from client.lists.query import DEFAULT_PAGE_SIZE, ListQuery
from client.ui.list_model import ListModel, display_text, total_text


def wait_loaded(qtbot, model):
    qtbot.waitUntil(lambda: not model.loading, timeout=20000)


def region_visit_count(sql) -> int:
    return sql("SELECT count(*) FROM yiwei.visit v JOIN yiwei.store s ON s.id = v.store_id"
               " JOIN yiwei.region r ON r.id = s.region_id WHERE r.code = 'HD'")[0][0]


def test_model_holds_one_page_after_opening_and_grows_with_fetch_more(qtbot, make_ctx, visits, sql):
    ctx = make_ctx("hd.director")
    total = region_visit_count(sql)
    assert total > 3 * DEFAULT_PAGE_SIZE
    model = ListModel(ctx, visits)
    assert model.loading and model.rowCount() == 0  # the page is read in the background

    wait_loaded(qtbot, model)
    assert model.rowCount() == DEFAULT_PAGE_SIZE
    assert model.canFetchMore(QModelIndex())

    # A view asks again and again while it scrolls; one page arrives, not five.
    for _ in range(5):
        model.fetchMore(QModelIndex())
    assert model.loading
    wait_loaded(qtbot, model)
    assert model.rowCount() == 2 * DEFAULT_PAGE_SIZE

    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        wait_loaded(qtbot, model)
    assert model.rowCount() == total
    keys = [model.key_at(row) for row in range(model.rowCount())]
    assert len(set(keys)) == total


def test_model_passes_the_model_tester_while_pages_arrive(qtbot, qtmodeltester, make_ctx, visits):
    ctx = make_ctx("hz01.manager")
    model = ListModel(ctx, visits, page_size=50)
    wait_loaded(qtbot, model)
    qtmodeltester.check(model)
    # The tester stays attached and checks every insert and reset that follows.
    model.fetchMore(QModelIndex())
    wait_loaded(qtbot, model)
    assert model.rowCount() == 100
    model.sort(model.column_of("party_size"), Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, model)
    assert model.rowCount() == 50


def test_sorting_queries_sql_again_and_starts_from_the_first_page(qtbot, make_ctx, visits, sql, ids):
    ctx = make_ctx("hz01.manager")
    model = ListModel(ctx, visits, page_size=40)
    wait_loaded(qtbot, model)
    model.fetchMore(QModelIndex())
    wait_loaded(qtbot, model)
    assert model.rowCount() == 80

    with qtbot.waitSignal(model.modelReset):
        model.sort(model.column_of("party_size"), Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    assert model.rowCount() == 40
    largest = sql("SELECT max(party_size) FROM yiwei.visit WHERE store_id = %s", (ids.store("HZ01"),))[0][0]
    column = model.column_of("party_size")
    assert model.data(model.index(0, column), Qt.ItemDataRole.UserRole) == largest
    assert model.sort_section() == (column, Qt.SortOrder.DescendingOrder)
    # Keys follow their rows.
    first_key = model.key_at(0)
    assert sql("SELECT party_size FROM yiwei.visit WHERE id = %s", (first_key,))[0][0] == largest


def test_a_newer_query_wins_over_a_page_still_on_its_way(qtbot, make_ctx, visits, ids):
    ctx = make_ctx("hd.director")
    model = ListModel(ctx, visits)
    model.set_query(ListQuery(visits, {"store": ids.store("HZ02")}))
    model.set_query(ListQuery(visits, {"store": ids.store("NJ01")}))
    wait_loaded(qtbot, model)
    qtbot.waitUntil(lambda: ctx.tasks.running == 0, timeout=20000)
    store = model.column_of("store")
    shown = {model.data(model.index(row, store)) for row in range(model.rowCount())}
    assert shown == {"南京河西展厅"}


def test_cells_are_formatted_by_kind_and_numbers_align_right(qtbot, make_ctx, visits):
    ctx = make_ctx("hz01.manager")
    model = ListModel(ctx, visits)
    wait_loaded(qtbot, model)
    visited = model.column_of("visited_at")
    raw = model.data(model.index(0, visited), Qt.ItemDataRole.UserRole)
    shown = model.data(model.index(0, visited))
    assert shown == raw.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    party = model.index(0, model.column_of("party_size"))
    assert model.data(party, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    store = model.index(0, model.column_of("store"))
    assert model.data(store, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignLeft
    assert model.data(model.index(0, model.column_of("intent"))) in ("高", "中", "低")
    assert model.headerData(0, Qt.Orientation.Horizontal) == "来访时间"
    assert model.key_at(0) == model.key_at(0) and isinstance(model.key_at(0), int)


def test_display_text_follows_the_export_conventions():
    shanghai = ZoneInfo("Asia/Shanghai")
    assert display_text(ColumnKind.MONEY, Decimal("12345")) == "12,345.00"
    assert display_text(ColumnKind.MONEY, Decimal("-0.5")) == "-0.50"
    assert display_text(ColumnKind.DECIMAL, Decimal("1234.500")) == "1,234.5"
    assert display_text(ColumnKind.DECIMAL, Decimal("12.000")) == "12"
    assert display_text(ColumnKind.INTEGER, 2026) == "2026"
    assert display_text(ColumnKind.BOOL, True) == "是" and display_text(ColumnKind.BOOL, False) == "否"
    assert display_text(ColumnKind.DATE, date(2026, 11, 1)) == "2026-11-01"
    moment = datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)
    assert display_text(ColumnKind.DATETIME, moment, shanghai) == "2026-12-01 00:30"
    assert display_text(ColumnKind.TEXT, None) == ""
    assert total_text(ColumnKind.INTEGER, Decimal(12345)) == "12,345"
    assert total_text(ColumnKind.MONEY, Decimal("1234567.8")) == "1,234,567.80"
