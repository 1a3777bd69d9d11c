"""What the database refuses shows up in the form where the clerk typed it, and nothing is stored:
a wrong phone, an alias that is another community's name, a save over someone else's change."""

from __future__ import annotations

from tests.system.helpers import find_button

from .helpers import edit_form, fill, new_form, save


def test_bad_channel_phone_shows_the_database_message_beside_the_phone_and_stores_nothing(
        qtbot, open_screen, sql, wait_idle, tag):
    ctx, screen = open_screen("masterdata.channel")
    form = new_form(qtbot, screen)
    fill(qtbot, form, name=f"号码不对的渠道{tag}", kind="designer", phone="12345")
    form.submit()
    wait_idle(ctx)
    assert form.error_text("phone") == (
        "联系电话“12345”不是有效的手机或固定电话号码（手机 11 位，固话如 0571-88886666）")
    assert form.focusWidget() is form.widget("phone") and form.isVisible() and form.banner_text() == ""
    assert sql("SELECT count(*) FROM yiwei.channel WHERE name = %s", (f"号码不对的渠道{tag}",)) == [(0,)]

    fill(qtbot, form, phone="13700001111")            # corrected, the same form saves
    channel_id = save(qtbot, form)
    assert sql("SELECT phone FROM yiwei.channel WHERE id = %s", (channel_id,)) == [("13700001111",)]


def test_duplicate_channel_name_lands_beside_the_name(qtbot, open_screen, sql, wait_idle, admin_call, tag):
    name = f"重名家装{tag}"
    admin_call("save_channel", {"name": name, "kind": "decoration_company"})
    ctx, screen = open_screen("masterdata.channel")
    form = new_form(qtbot, screen)
    fill(qtbot, form, name=name, kind="agent")
    form.submit()
    wait_idle(ctx)
    assert form.error_text("name") == f"渠道“{name}”已存在"
    assert sql("SELECT kind FROM yiwei.channel WHERE name = %s", (name,)) == [("decoration_company",)]


def test_alias_naming_another_community_is_refused_with_the_message(
        qtbot, open_screen, sql, wait_idle, admin_call, tag):
    admin_call("save_community", {"name": f"桂花城{tag}小区", "district": "西湖区"})
    ctx, screen = open_screen("masterdata.community")
    form = new_form(qtbot, screen)
    # "桂花城…" is 桂花城…小区 to the database (a trailing 小区 is ignored)
    fill(qtbot, form, name=f"桂花苑{tag}", aliases=f"桂花苑{tag}北区、桂花城{tag}")
    form.submit()
    wait_idle(ctx)
    assert form.error_text("aliases") == f"别名“桂花城{tag}”与小区“桂花城{tag}小区”重名"
    assert form.focusWidget() is form.widget("aliases")
    assert sql("SELECT count(*) FROM yiwei.community WHERE name = %s", (f"桂花苑{tag}",)) == [(0,)]
    assert sql("SELECT count(*) FROM yiwei.community_alias WHERE alias = %s", (f"桂花苑{tag}北区",)) == [(0,)]


def test_community_name_written_differently_is_the_same_community(qtbot, open_screen, wait_idle, admin_call, tag):
    admin_call("save_community", {"name": f"万科城{tag}一期"})
    ctx, screen = open_screen("masterdata.community")
    form = new_form(qtbot, screen)
    fill(qtbot, form, name=f"万科城{tag} 1 期")
    form.submit()
    wait_idle(ctx)
    assert form.error_text("name") == f"小区“万科城{tag} 1 期”已存在（与“万科城{tag}一期”视为同一小区）"


def test_stale_edit_names_who_changed_the_channel_and_reload_refills(
        qtbot, open_screen, sql, admin_call, wait_idle, tag):
    name = f"并发渠道{tag}"
    channel_id = admin_call("save_channel", {"name": name, "kind": "agent", "contact_person": "原联系人"})
    first_ctx, first = open_screen("masterdata.channel", "admin")
    second_ctx, second = open_screen("masterdata.channel", "hq.channel")
    mine = edit_form(qtbot, second, name)
    theirs = edit_form(qtbot, first, name)
    fill(qtbot, theirs, contact_person="管理员改的")
    save(qtbot, theirs)

    fill(qtbot, mine, note="审核员的备注")
    mine.submit()
    qtbot.waitUntil(lambda: mine.conflict_box is not None and mine.conflict_box.isVisible(), timeout=10000)
    box = mine.conflict_box
    assert box.text().startswith(f"该记录已被 {first_ctx.session.full_name} 于 ") and box.text().endswith(
        "修改 — 重新加载？")
    assert mine.values()["note"] == "审核员的备注"                     # nothing lost yet
    assert sql("SELECT contact_person, note, version FROM yiwei.channel WHERE id = %s", (channel_id,)) == [
        ("管理员改的", "", 2)]

    find_button(box, "重新加载").click()
    wait_idle(second_ctx)
    assert mine.values()["contact_person"] == "管理员改的" and mine.values()["version"] == 2
    assert "已重新加载" in mine.banner_text()
    fill(qtbot, mine, note="审核员的备注")
    save(qtbot, mine)
    assert sql("SELECT contact_person, note, version, updated_by FROM yiwei.channel WHERE id = %s", (channel_id,)) == [
        ("管理员改的", "审核员的备注", 3, second_ctx.session.profile.role_for("hq.channel"))]
