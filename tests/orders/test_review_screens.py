"""图审 and 审价 driven as the reviewers who do them: a drawing review returned with a comment and
passed after the fix, a 审价 refused for a reviewer whose limit is too high and passed by the region
director, nobody reviewing a contract they wrote, the review history exported."""

from __future__ import annotations

from decimal import Decimal

import openpyxl

from client.orders.review_data import contract_key
from client.orders.review_screen import ReviewScreen
from client.ui.list_view import ListWindow
from client.lists.catalog import get_list
from tests.db.contract_data import ready_for_review, upload, version

from .review_helpers import (
    REVIEWER_PASSWORD,
    contract_number,
    made_by,
    priced_by_head_office,
    review,
    show_item,
    status_of,
    submit,
)


def open_review(qtbot, make_ctx, wait_idle, stage, login, password=None):
    ctx = make_ctx(login) if password is None else make_ctx(login, password)
    screen = ReviewScreen(ctx, stage)
    qtbot.addWidget(screen)
    screen.resize(1400, 800)
    wait_idle(ctx)
    return screen


def test_drawing_review_returns_with_a_comment_and_passes_after_resubmission(
        qtbot, make_ctx, wait_idle, db, admin, cat, tmp_path, monkeypatch):
    cid = ready_for_review(db, admin, cat)
    number = contract_number(admin, cid)
    screen = open_review(qtbot, make_ctx, wait_idle, "drawing", "hd.director")
    show_item(qtbot, wait_idle, screen, contract_key(cid), number)

    # side by side: the contract, its lines, its drawing, the checklist of its product lines
    assert screen.detail.value("单号") == number
    assert screen.detail.value("合同金额") == "1,000.00"
    assert "厨房平面图.pdf（第 1 版" in screen.detail.value("设计图纸")
    assert screen.lines.rowCount() == 1 and screen.lines.text_at(0, 1) == cat.products["a1"][1]
    shown_items = {entry["item_id"] for entry in screen.checklist.values()}
    assert {cat.checklist_a, cat.checklist_all} <= shown_items
    screen.opened = []
    screen.open_path = screen.opened.append
    screen.open_drawing()
    wait_idle(screen.ctx)
    assert screen.opened and screen.opened[0].read_bytes() == b"%PDF-1.4 drawing"

    # a return needs a comment: refused beside the field before anything is sent
    form = review(qtbot, wait_idle, screen, False, "")
    assert form.isVisible() and form.error_text("comment") == "请填写审核意见"
    form.widget("comment").setPlainText("吊柜与烟机冲突，请修改")
    form.submit()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=15000)
    wait_idle(screen.ctx)
    assert status_of(admin, cid) == "returned"
    qtbot.waitUntil(lambda: screen.list.model.row_of_key(contract_key(cid)) < 0, timeout=15000)

    # the designer uploads the fix, the guide resubmits; the reviewer sees why it was returned
    upload(db.connect_as("hz01.designer"), cid, "厨房平面图-修改.pdf", b"%PDF-1.4 fixed")
    submit(db, admin, cid)
    screen.list.refresh()
    show_item(qtbot, wait_idle, screen, contract_key(cid), number)
    assert "厨房平面图-修改.pdf（第 2 版" in screen.detail.value("设计图纸")
    assert screen.past_reviews.rowCount() == 1
    assert [screen.past_reviews.item(0, c).text() for c in (1, 2, 5)] == ["图审", "退回", "吊柜与烟机冲突，请修改"]

    # passing with an unticked checklist item is the database's refusal, shown as its sentence
    form = review(qtbot, wait_idle, screen, True, "已修改")
    assert form.isVisible() and "以下检查项未通过" in form.banner_text()
    assert status_of(admin, cid) == "submitted"
    monkeypatch.setattr("client.ui.forms.ask", lambda *args, **kwargs: True)  # "放弃修改？" answered yes
    form.reject()
    screen.checklist.check_all()
    form = review(qtbot, wait_idle, screen, True, "已修改")
    assert not form.isVisible()
    assert status_of(admin, cid) == "drawing_passed"
    assert "已通过" in screen.status.text()

    # the review history lists both, and exports them
    history = ListWindow(screen.ctx, get_list("contract_reviews"))
    qtbot.addWidget(history)
    history.set_search(number)
    qtbot.waitUntil(lambda: not history.is_busy() and history.model.rowCount() == 2, timeout=15000)
    path = tmp_path / "reviews.xlsx"
    with qtbot.waitSignal(history.export_finished, timeout=20000):
        history.export_to(path)
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[4]]
    rows = [dict(zip(header, r)) for r in sheet.iter_rows(min_row=5, max_row=6, values_only=True)]
    director = screen.ctx.session.full_name
    assert sorted((r["结果"], r["审核意见"], r["审核人"], r["审核类别"]) for r in rows) == sorted([
        ("通过", "已修改", director, "图审"), ("退回", "吊柜与烟机冲突，请修改", director, "图审")])
    checked = next(r for r in rows if r["结果"] == "通过")["检查项"]
    assert "✗" not in checked and "✓" in checked


def test_price_review_needs_a_higher_position_for_a_deep_discount(
        qtbot, make_ctx, wait_idle, db, admin, cat, strict_reviewer):
    cid = priced_by_head_office(db, admin, cat, "640.00")          # b1 at 0.80
    number = contract_number(admin, cid)

    strict = open_review(qtbot, make_ctx, wait_idle, "price", strict_reviewer, REVIEWER_PASSWORD)
    show_item(qtbot, wait_idle, strict, contract_key(cid), number)
    assert strict.limit == Decimal("0.90")
    assert strict.lines.marked_rows == [0]                          # the line beyond the limit is marked
    assert strict.lines.text_at(0, 7) == "0.8（8折）"
    assert "需要更高岗位审价" in strict.detail.value("审价权限")
    form = review(qtbot, wait_idle, strict, True, "")
    assert form.isVisible() and "需要更高岗位审价" in form.banner_text()
    assert status_of(admin, cid) == "drawing_passed"
    form.reject()

    director = open_review(qtbot, make_ctx, wait_idle, "price", "hd.director")
    show_item(qtbot, wait_idle, director, contract_key(cid), number)
    assert director.lines.marked_rows == []
    assert "需要" not in director.detail.value("审价权限")
    form = review(qtbot, wait_idle, director, True, "折扣在总监权限内")
    assert not form.isVisible()
    assert status_of(admin, cid) == "price_passed"
    reviews = admin.cursor()
    reviews.execute("SELECT kind, passed, comment, lowest_rate FROM yiwei.contract_review WHERE contract_id = %s"
                    " AND kind = 'price'", (cid,))
    assert [(k, p, c, float(r)) for k, p, c, r in reviews.fetchall()] == [("price", True, "折扣在总监权限内", 0.8)]


def test_a_reviewer_cannot_pass_a_contract_they_wrote(qtbot, make_ctx, wait_idle, db, admin, cat):
    cid = made_by(db, admin, cat, "hd.director")
    before = version(admin, cid)
    screen = open_review(qtbot, make_ctx, wait_idle, "drawing", "hd.director")
    show_item(qtbot, wait_idle, screen, contract_key(cid), contract_number(admin, cid))
    screen.checklist.check_all()
    form = review(qtbot, wait_idle, screen, True, "")
    assert form.isVisible()
    assert form.banner_text() == f"不能审核自己经手的合同 {contract_number(admin, cid)}"
    assert status_of(admin, cid) == "submitted" and version(admin, cid) == before
    cur = admin.cursor()
    cur.execute("SELECT count(*) FROM yiwei.contract_review WHERE contract_id = %s", (cid,))
    assert cur.fetchone()[0] == 0
