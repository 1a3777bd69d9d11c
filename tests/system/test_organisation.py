"""网点及部门信息: the tree shows the company, its regions and every store; departments are added,
renamed and deactivated through the checked functions; the database's checks show beside the field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from client.system.organisation import KEY, OrganisationScreen

from .helpers import one, type_text


@pytest.fixture
def org_screen(qtbot, make_ctx, wait_idle):
    ctx = make_ctx("admin")
    screen = OrganisationScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1000, 700)
    screen.show()
    wait_idle(ctx)
    return ctx, screen


def opened(qtbot, screen, ctx, wait_idle):
    wait_idle(ctx)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=10000)
    return screen.dialog


def test_tree_shows_company_regions_stores_and_head_office_departments(org_screen, db, screenshot):
    _ctx, screen = org_screen
    admin = db.admin()
    company = screen.tree.topLevelItem(0)
    assert screen.tree.topLevelItemCount() == 1
    assert company.text(0) == one(admin, "SELECT company_name FROM yiwei.instance")
    regions = screen.items("region")
    assert {r.text(0) for r in regions} >= {"华东", "华南", "华北"}
    assert len(regions) == one(admin, "SELECT count(*) FROM yiwei.region")
    stores = screen.items("store")
    assert {s.text(1) for s in stores} == set(one(admin, "SELECT array_agg(code) FROM yiwei.store"))
    hz01 = next(s for s in stores if s.text(1) == "HZ01")
    assert hz01.parent().text(0) == "华东"
    children = {hz01.child(i).text(0) for i in range(hz01.childCount())}
    assert {"销售部", "设计部", "财务室", "仓储部", "杭州城西仓库"} <= children
    head_office = {company.child(i).text(0) for i in range(company.childCount())
                   if company.child(i).data(0, KEY)[0] == "department"}
    assert head_office >= {"总经办", "财务部", "业务部", "客服中心", "信息部"}
    screen.select(("store", one(admin, "SELECT id FROM yiwei.store WHERE code = 'HZ01'")))
    screenshot(screen, "organisation")


def test_add_rename_and_deactivate_a_store_department(qtbot, org_screen, wait_idle, db, answer):
    ctx, screen = org_screen
    admin = db.admin()
    hz02 = one(admin, "SELECT id FROM yiwei.store WHERE code = 'HZ02'")
    assert screen.select(("store", hz02))
    assert screen.actions_by_name["new_department"].isEnabled()
    assert screen.actions_by_name["new_store"].isEnabled()     # a new store goes to this store's region

    screen.actions_by_name["new_department"].trigger()
    form = opened(qtbot, screen, ctx, wait_idle)
    assert form.values()["store_id"] == hz02                 # preset from the selected store
    type_text(qtbot, form.widget("name"), "销售部")           # exists in HZ02: the database says so
    form.submit()
    wait_idle(ctx)
    assert form.error_text("name") == "同一门店下部门名称已存在" and form.isVisible()
    type_text(qtbot, form.widget("name"), "大客户部")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    wait_idle(ctx)
    dept = one(admin, "SELECT id FROM yiwei.department WHERE store_id = %s AND name = '大客户部'", (hz02,))
    assert dept and screen.current_key() == ("department", dept)
    assert screen.tree.currentItem().parent().text(1) == "HZ02"

    screen.dialog = None
    screen.tree.setFocus()
    qtbot.keyClick(screen.tree, Qt.Key.Key_Return)           # Enter edits the selected node
    form = opened(qtbot, screen, ctx, wait_idle)
    assert not form.widget("store_id").isEnabled()           # a department stays in its store
    type_text(qtbot, form.widget("name"), "大客户一部")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    wait_idle(ctx)
    assert one(admin, "SELECT name FROM yiwei.department WHERE id = %s", (dept,)) == "大客户一部"

    assert screen.select(("department", dept))
    asked = answer("停用")
    screen.actions_by_name["deactivate"].trigger()
    wait_idle(ctx)
    assert asked == ["确定停用部门“大客户一部”吗？"]
    assert one(admin, "SELECT active FROM yiwei.department WHERE id = %s", (dept,)) is False
    assert screen.tree.currentItem().text(0) == "大客户一部（已停用）"
    assert screen.actions_by_name["activate"].isEnabled() and not screen.actions_by_name["deactivate"].isEnabled()

    asked = answer("启用")
    screen.actions_by_name["activate"].trigger()
    wait_idle(ctx)
    assert asked == ["确定启用部门“大客户一部”吗？"]
    assert one(admin, "SELECT active FROM yiwei.department WHERE id = %s", (dept,)) is True
    assert screen.tree.currentItem().text(0) == "大客户一部"


def test_duplicate_region_code_is_refused_beside_the_field(qtbot, org_screen, wait_idle, db):
    ctx, screen = org_screen
    before = one(db.admin(), "SELECT count(*) FROM yiwei.region")
    screen.select(("company", None))
    screen.actions_by_name["new_region"].trigger()
    form = opened(qtbot, screen, ctx, wait_idle)
    type_text(qtbot, form.widget("code"), "hd")
    type_text(qtbot, form.widget("name"), "华东二区")
    form.submit()
    wait_idle(ctx)
    assert form.error_text("code") == "大区代码已存在"
    assert form.focusWidget() is form.widget("code")
    assert one(db.admin(), "SELECT count(*) FROM yiwei.region") == before
    form.done(0)


def test_company_name_is_edited_on_the_company_node(qtbot, org_screen, wait_idle, db):
    ctx, screen = org_screen
    admin = db.admin()
    original = one(admin, "SELECT company_name FROM yiwei.instance")
    screen.select(("company", None))
    screen.edit_selected()
    form = opened(qtbot, screen, ctx, wait_idle)
    assert form.values()["name"] == original
    type_text(qtbot, form.widget("name"), "易维家居（改名测试）")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    wait_idle(ctx)
    try:
        assert screen.tree.topLevelItem(0).text(0) == "易维家居（改名测试）"
    finally:
        restore = db.connect_as("admin")
        one(restore, "SELECT yiwei.set_company_name(%s)", (original,))
