"""岗位信息: the position's discount limit (最低折扣) typed in the position form reaches the database as
an exact decimal, is shown as people write it, and a wrong entry is named beside the field."""

from __future__ import annotations

import pytest

from client.system.positions import PositionsScreen

from .helpers import one, type_text


@pytest.fixture
def positions_screen(qtbot, make_ctx, wait_idle):
    ctx = make_ctx("admin")
    screen = PositionsScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    wait_idle(ctx)
    return ctx, screen


def opened(qtbot, screen, ctx, wait_idle):
    wait_idle(ctx)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=10000)
    return screen.dialog


def test_discount_limit_is_saved_shown_and_checked(qtbot, positions_screen, wait_idle, db):
    ctx, screen = positions_screen
    screen.actions_by_name["new"].trigger()
    form = opened(qtbot, screen, ctx, wait_idle)
    assert form.values()["min_discount_rate"] == "1"          # a new position grants no discount
    type_text(qtbot, form.widget("code"), "ui_rate")
    type_text(qtbot, form.widget("name"), "折扣试用岗")
    form.widget("scope").setCurrentIndex(form.widget("scope").findData("store"))
    type_text(qtbot, form.widget("min_discount_rate"), "0.88")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    wait_idle(ctx)
    assert str(one(db.admin(), "SELECT min_discount_rate FROM yiwei.position WHERE code = 'ui_rate'")) == "0.8800"
    row = screen.model.find("code", "ui_rate")
    assert row >= 0 and screen.model.rows[row].min_discount_rate is not None

    screen.dialog = None
    screen.edit_position(screen.model.rows[row])
    form = opened(qtbot, screen, ctx, wait_idle)
    assert form.values()["min_discount_rate"] == "0.88"
    for typed, words in (("八八折", "须为小数"), ("1.2", "不超过 1")):
        type_text(qtbot, form.widget("min_discount_rate"), typed)
        form.submit()
        wait_idle(ctx)
        qtbot.waitUntil(lambda w=words: w in form.error_text("min_discount_rate"), timeout=10000)
        assert form.isVisible()
    type_text(qtbot, form.widget("min_discount_rate"), "0.85")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    wait_idle(ctx)
    assert str(one(db.admin(), "SELECT min_discount_rate FROM yiwei.position WHERE code = 'ui_rate'")) == "0.8500"
