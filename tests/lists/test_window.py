"""The list window driven as a user would: filters, quick search, column choice, activation,
selection, and the Excel export round trip read back with openpyxl."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import openpyxl
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtWidgets import QMenu, QMessageBox, QProgressDialog, QPushButton

from client.exports.columns import Column, ColumnKind
from client.lists.query import DateRange
from client.lists.spec import ListColumn, ListSpec
from client.ui.list_view import ColumnChooser, ListWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHOSEN = ["community", "party_size", "visited_at", "store", "intent"]


def open_window(qtbot, ctx, spec, wait_ready) -> ListWindow:
    window = ListWindow(ctx, spec)
    qtbot.addWidget(window)
    wait_ready(window)
    return window


def export_count(sql) -> int:
    return sql("SELECT count(*) FROM yiwei.output_log WHERE kind = 'export'")[0][0]


def test_filter_and_export_round_trip(db, qtbot, make_ctx, visits, sql, ids, wait_ready, tmp_path):
    ctx = make_ctx("hd.director")
    window = open_window(qtbot, ctx, visits, wait_ready)
    window.set_filter("store", ids.store("HZ01"))
    window.set_filter("intent", "high")
    wait_ready(window)
    window.set_visible_columns(["party_size", "visited_at", "store", "intent", "community"])
    header = window.view.horizontalHeader()
    header.moveSection(header.visualIndex(window.model.column_of("community")), 0)  # dragged to the front
    assert window.visible_columns() == CHOSEN

    path = tmp_path / "客户流量.xlsx"
    with qtbot.waitSignal(window.export_finished, timeout=20000) as finished:
        assert window.export_to(path)
    result = finished.args[0]

    expected = sql("SELECT v.community, v.party_size, v.visited_at FROM yiwei.visit v"
                   " JOIN yiwei.store s ON s.id = v.store_id WHERE s.code = 'HZ01' AND v.intent = 'high'"
                   " ORDER BY v.visited_at DESC, v.id DESC")
    assert result.row_count == len(expected) == window.row_count.rows
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "客户流量"
    assert sheet["A2"].value == "筛选：门店=杭州城西展厅；意向=高"
    assert sheet["A3"].value.startswith(f"导出人：{ctx.session.full_name}　导出时间：")
    assert [c.value for c in sheet[4]] == ["小区", "人数", "来访时间", "门店", "意向"]
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == f"A4:E{4 + len(expected)}"
    rows = list(sheet.iter_rows(min_row=5, max_row=4 + len(expected)))
    for cells, (community, party_size, visited_at) in zip(rows, expected):
        assert cells[0].value == community and cells[0].data_type == "s"
        assert cells[1].value == party_size and cells[1].data_type == "n" and cells[1].number_format == "0"
        assert cells[2].value == visited_at.astimezone(SHANGHAI).replace(tzinfo=None)
        assert cells[2].is_date and cells[2].number_format == "yyyy-mm-dd hh:mm"
        assert (cells[3].value, cells[4].value) == ("杭州城西展厅", "高")
    totals_row = sheet[5 + len(expected)]
    assert totals_row[0].value == f"合计（{len(expected)} 行）"
    assert totals_row[1].value == sum(r[1] for r in expected) == window.totals["party_size"]
    assert totals_row[1].data_type == "n"

    subject, row_count, detail, actor = sql("SELECT subject, row_count, filter, actor FROM yiwei.output_log"
                                            " WHERE kind = 'export' ORDER BY id DESC LIMIT 1")[0]
    assert (subject, row_count, actor) == ("visits", len(expected), db.profile.role_for("hd.director"))
    assert detail["filters"] == {"store": ids.store("HZ01"), "intent": "high"}
    assert detail["columns"] == CHOSEN
    assert "已导出" in window.status_label.text()


def test_totals_line_shows_the_row_count_and_sql_totals(qtbot, make_ctx, visits, sql, wait_ready):
    ctx = make_ctx("hz01.manager")
    window = open_window(qtbot, ctx, visits, wait_ready)
    count, people = sql("SELECT count(*), sum(v.party_size) FROM yiwei.visit v JOIN yiwei.store s"
                        " ON s.id = v.store_id WHERE s.code = 'HZ01'")[0]
    assert window.count_label.text() == f"共 {count:,} 行"
    assert window.totals_label.text() == f"人数合计：{people:,}"
    assert window.model.rowCount() < count  # only the first page is held


def test_column_choice_and_widths_are_remembered_by_the_next_window(qtbot, make_ctx, visits, wait_ready):
    ctx = make_ctx("hz01.manager")
    first = open_window(qtbot, ctx, visits, wait_ready)
    first.set_visible_columns(["party_size", "visited_at", "store", "intent", "community"])
    header = first.view.horizontalHeader()
    header.moveSection(header.visualIndex(first.model.column_of("community")), 0)
    header.resizeSection(first.model.column_of("community"), 222)
    qtbot.waitUntil(lambda: "community=222" in (ctx.settings.value("lists/visits/widths") or []), timeout=3000)
    first.close()
    ctx.settings.sync()

    # The next login on this PC: new settings object over the same file, a new window.
    second = open_window(qtbot, make_ctx("hz01.manager"), visits, wait_ready)
    assert second.visible_columns() == CHOSEN
    assert second.view.horizontalHeader().sectionSize(second.model.column_of("community")) == 222
    assert second.view.horizontalHeader().isSectionHidden(second.model.column_of("note"))


def test_header_menu_opens_the_column_chooser(qtbot, make_ctx, visits, wait_ready):
    ctx = make_ctx("hz01.manager")
    window = open_window(qtbot, ctx, visits, wait_ready)
    window._header_menu(QPoint(10, 5))
    menu = window.findChild(QMenu)
    action = next(a for a in menu.actions() if a.text() == "显示列…")
    action.trigger()
    chooser = window.findChild(ColumnChooser)
    assert chooser is not None and chooser.isVisible()
    for row in range(chooser.list.count()):
        item = chooser.list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) in ("note", "stage"):
            item.setCheckState(Qt.CheckState.Unchecked)
    chooser.accept()
    assert window.visible_columns() == ["visited_at", "store", "guide", "party_size", "source", "intent", "community",
                                        "customer", "customer_number"]
    saved = ctx.settings.value("lists/visits/columns")
    assert {"-stage", "-note"} <= set(saved) and "stage" not in saved and "note" not in saved


def test_column_chooser_refuses_to_hide_every_column(qtbot, visits):
    chooser = ColumnChooser(visits, [(c.key, False) for c in visits.columns])
    qtbot.addWidget(chooser)
    assert not chooser._ok.isEnabled()
    chooser.restore_defaults()
    assert chooser._ok.isEnabled()


def test_enter_and_double_click_activate_the_row_and_selection_gives_keys(qtbot, make_ctx, visits, wait_ready):
    ctx = make_ctx("hz01.manager")
    window = open_window(qtbot, ctx, visits, wait_ready)
    window.resize(1000, 600)
    with qtbot.waitExposed(window):
        window.show()
    model, view = window.model, window.view

    view.setCurrentIndex(model.index(2, 0))
    with qtbot.waitSignal(window.activated) as activated:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert activated.args == [model.key_at(2)]

    cell = view.visualRect(model.index(4, 1)).center()
    with qtbot.waitSignal(window.activated) as activated:
        # A double click is a press on the row first (Qt's item views check it).
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert activated.args == [model.key_at(4)]

    selection = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.clearSelection()
    selection.select(model.index(3, 0), flags)
    selection.select(model.index(1, 0), flags)
    assert window.selected_keys() == [model.key_at(1), model.key_at(3)]


def test_quick_search_waits_for_typing_to_pause_and_ctrl_f_focuses_it(qtbot, make_ctx, visits, wait_ready):
    ctx = make_ctx("hd.director")
    window = open_window(qtbot, ctx, visits, wait_ready)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()

    for character in "万科":  # typed through the input method, one character at a time
        window.search.insert(character)
    assert window.model.query.search == ""  # not one query per keystroke
    qtbot.waitUntil(lambda: window.model.query.search == "万科", timeout=3000)
    wait_ready(window)
    community = window.model.column_of("community")
    assert window.model.rowCount() > 0
    assert all("万科" in window.model.data(window.model.index(row, community))
               for row in range(window.model.rowCount()))


def test_date_range_filter_and_clear(qtbot, make_ctx, visits, sql, wait_ready):
    ctx = make_ctx("hd.director")
    window = open_window(qtbot, ctx, visits, wait_ready)
    first_day, last_day = sql("SELECT min((visited_at AT TIME ZONE 'Asia/Shanghai')::date),"
                              " max((visited_at AT TIME ZONE 'Asia/Shanghai')::date) FROM yiwei.visit")[0]
    window.set_filter("visited", DateRange(last_day, last_day))
    wait_ready(window)
    expected = sql("SELECT count(*) FROM yiwei.visit v JOIN yiwei.store s ON s.id = v.store_id"
                   " JOIN yiwei.region r ON r.id = s.region_id WHERE r.code = 'HD'"
                   " AND (v.visited_at AT TIME ZONE 'Asia/Shanghai')::date = %s", (last_day,))[0][0]
    assert window.row_count.rows == expected
    assert window.filter_widget("visited").value() == DateRange(last_day, last_day)
    window.clear_filters()
    wait_ready(window)
    assert dict(window.model.query.filters) == {}
    assert window.filter_widget("visited").start.text() == "不限"
    assert first_day < last_day


def test_ctrl_e_exports_to_the_chosen_file(qtbot, make_ctx, visits, wait_ready, tmp_path):
    ctx = make_ctx("hz01.guide1")
    window = open_window(qtbot, ctx, visits, wait_ready)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.view.setFocus()
    path = tmp_path / "mine.xlsx"
    window.ask_export_path = lambda: str(path)
    with qtbot.waitSignal(window.export_finished, timeout=20000):
        qtbot.keyClick(window.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert path.exists()


def test_cancelling_a_running_export_leaves_no_file(qtbot, make_ctx, visits, sql, wait_ready, tmp_path):
    ctx = make_ctx("hd.director")
    window = open_window(qtbot, ctx, visits, wait_ready)
    before = export_count(sql)
    path = tmp_path / "cancelled.xlsx"
    with qtbot.waitSignal(window.export_cancelled, timeout=20000):
        window.export_to(path)
        cancel = window.findChild(QProgressDialog).findChild(QPushButton)
        assert cancel.text() == "取消"
        cancel.click()
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
    assert export_count(sql) == before
    assert window.status_label.text() == "已取消导出"
    assert window.export_button.isEnabled()


def test_database_errors_are_shown_as_messages_not_tracebacks(qtbot, make_ctx, wait_ready):
    ctx = make_ctx("hz01.manager")
    # A table no employee may read directly.
    forbidden = ListSpec(name="forbidden", title="号码计数器", source="yiwei.document_counter", key="series",
                         columns=(ListColumn(Column("period", "期间", ColumnKind.TEXT), "period"),))
    window = ListWindow(ctx, forbidden)
    qtbot.addWidget(window)
    # Messages come back by signal once the background read has failed.
    with qtbot.waitSignal(window.message_shown, timeout=20000) as shown:
        pass
    assert shown.args == ["没有权限执行此操作"]
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert boxes and boxes[0].text() == "没有权限执行此操作"
    wait_ready(window)
    assert window.count_label.text() == "无法统计"


def test_screenshot_of_the_list_window(qtbot, make_ctx, visits, wait_ready, cjk_font):
    ctx = make_ctx("hd.director")
    window = open_window(qtbot, ctx, visits, wait_ready)
    window.resize(1280, 640)
    with qtbot.waitExposed(window):
        window.show()
    wait_ready(window)
    image = window.grab()
    assert not image.isNull()
    assert image.save("/tmp/list.png")
    assert window.font().family() == cjk_font[0]
