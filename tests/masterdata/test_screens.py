"""基础信息 driven through the real screens as the administrator: each kind of master data is created
and edited in its window and form, and read back from the database."""

from __future__ import annotations

from client.masterdata.communities import parse_aliases

from .helpers import edit_form, fill, new_form, save, shown_rows


def test_customer_source_is_created_with_ctrl_n_and_edited_with_enter(qtbot, open_screen, sql, tag):
    ctx, screen = open_screen("masterdata.customer_source")
    last = sql("SELECT max(sort_order) FROM yiwei.customer_source")[0][0]
    form = new_form(qtbot, screen)
    assert form.windowTitle() == "新增客户来源"
    assert form.values()["sort_order"] == last + 10 and form.values()["active"] is True   # goes to the end
    fill(qtbot, form, name=f"抖音直播{tag}")
    source_id = save(qtbot, form)
    assert sql("SELECT name, sort_order, active, version, created_by FROM yiwei.customer_source WHERE id = %s",
               (source_id,)) == [(f"抖音直播{tag}", last + 10, True, 1, ctx.session.profile.role_for("admin"))]
    assert screen.status.text() == "已保存"

    form = edit_form(qtbot, screen, f"抖音直播{tag}")
    assert form.windowTitle() == "编辑客户来源" and form.values()["id"] == source_id
    fill(qtbot, form, name=f"抖音直播间{tag}", sort_order="5", active=False)
    save(qtbot, form)
    assert sql("SELECT name, sort_order, active, version FROM yiwei.customer_source WHERE id = %s",
               (source_id,)) == [(f"抖音直播间{tag}", 5, False, 2)]
    screen.list.set_search(tag)
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    assert [(r["name"], r["status"]) for r in shown_rows(screen.list)] == [(f"抖音直播间{tag}", "停用")]


def test_sort_order_out_of_range_is_refused_before_saving(qtbot, open_screen):
    ctx, screen = open_screen("masterdata.customer_source")
    form = new_form(qtbot, screen)
    fill(qtbot, form, name="超大排序", sort_order="100000")
    form.submit()
    assert form.error_text("sort_order") == "排序须在 0 到 99999 之间" and ctx.tasks.running == 0


def test_channel_is_created_and_edited_with_its_phone_normalised(qtbot, open_screen, sql, tag):
    ctx, screen = open_screen("masterdata.channel")
    east = sql("SELECT id FROM yiwei.region WHERE code = 'HD'")[0][0]
    name = f"东方家装{tag}"
    form = new_form(qtbot, screen)
    assert form.widget("region_id").itemText(0) == "全公司"
    assert [form.widget("kind").itemText(i) for i in range(form.widget("kind").count())] == [
        "", "家装公司", "独立设计师", "房产中介", "老客户"]
    fill(qtbot, form, name=name, kind="decoration_company", contact_person="周经理",
         phone="0571 8888 6666", address="杭州市西湖区文三路 100 号", region_id=east, note="合作三年")
    channel_id = save(qtbot, form)
    assert sql("SELECT kind, name, contact_person, phone, address, region_id, note, active, version"
               "  FROM yiwei.channel WHERE id = %s", (channel_id,)) == [
        ("decoration_company", name, "周经理", "0571-88886666", "杭州市西湖区文三路 100 号", east, "合作三年", True, 1)]

    form = edit_form(qtbot, screen, name)
    assert form.values()["region_id"] == east and form.values()["phone"] == "0571-88886666"
    fill(qtbot, form, kind="agent", region_id=None, phone="+86 138 0000 1234")
    save(qtbot, form)
    assert sql("SELECT kind, region_id, phone, version FROM yiwei.channel WHERE id = %s", (channel_id,)) == [
        ("agent", None, "13800001234", 2)]
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    shown = shown_rows(screen.list)
    assert [(r["name"], r["kind"], r["region"], r["phone"]) for r in shown] == [
        (name, "房产中介", "全公司", "13800001234")]


def test_decoration_designer_belongs_to_a_channel_or_none(qtbot, open_screen, sql, admin_call, tag):
    channel_id = admin_call("save_channel", {"name": f"匠心装饰{tag}", "kind": "decoration_company"})
    ctx, screen = open_screen("masterdata.decoration_designer")
    name = f"林设计{tag}"
    form = new_form(qtbot, screen)
    assert form.widget("channel_id").itemText(0) == "（不属于渠道）"
    fill(qtbot, form, name=name, phone="13912345678", channel_id=channel_id, speciality="新中式、现代简约",
         note="擅长大平层")
    designer_id = save(qtbot, form)
    assert sql("SELECT name, phone, channel_id, speciality, note, active, version FROM yiwei.decoration_designer"
               " WHERE id = %s", (designer_id,)) == [(name, "13912345678", channel_id, "新中式、现代简约", "擅长大平层",
                                                      True, 1)]
    screen.list.set_filter("channel", channel_id)
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    assert [r["name"] for r in shown_rows(screen.list)] == [name]

    screen.list.clear_filters()
    form = edit_form(qtbot, screen, name)
    assert form.values()["channel_id"] == channel_id
    fill(qtbot, form, channel_id=None, active=False)
    save(qtbot, form)
    assert sql("SELECT channel_id, active, version FROM yiwei.decoration_designer WHERE id = %s",
               (designer_id,)) == [(None, False, 2)]
    qtbot.waitUntil(lambda: not screen.list.is_busy(), timeout=15000)
    assert [(r["name"], r["channel"], r["status"]) for r in shown_rows(screen.list)] == [(name, None, "停用")]


def test_community_aliases_are_saved_one_per_line_or_separated(qtbot, open_screen, sql, tag):
    ctx, screen = open_screen("masterdata.community")
    south = sql("SELECT id FROM yiwei.region WHERE code = 'HN'")[0][0]
    name, first, east = f"星河湾{tag}一期", f"星河湾{tag}I期", f"星河湾{tag}东区"
    form = new_form(qtbot, screen)
    hint = form.findChild(type(form.banner), "hint_aliases")
    assert hint is not None and "万科城一期" in hint.text() and "万科城1期" in hint.text() and "万科城I期" in hint.text()
    # "星河湾 东区" is 星河湾东区 once more and the last is the name written differently: the
    # database knows both already and keeps no row for them
    fill(qtbot, form, name=name, district="番禺区", address="番禺大道北", region_id=south,
         aliases=f"{first}、{east}\n星河湾{tag} 东区，星河湾{tag}1期")
    community_id = save(qtbot, form)
    assert sql("SELECT name, name_key, district, address, region_id, active, version FROM yiwei.community"
               " WHERE id = %s", (community_id,)) == [(name, f"星河湾{tag}1期", "番禺区", "番禺大道北", south, True, 1)]
    assert sql("SELECT alias FROM yiwei.community_alias WHERE community_id = %s ORDER BY id", (community_id,)) == [
        (first,), (east,)]
    assert sql("SELECT yiwei.find_community(%s), yiwei.find_community(%s)",
               (f"星河湾{tag} 1 期", f"星河湾{tag}i期")) == [(community_id, community_id)]

    form = edit_form(qtbot, screen, east)          # the quick search finds a community by an alias
    assert parse_aliases(form.values()["aliases"]) == [first, east]
    fill(qtbot, form, aliases=f"星河湾{tag}南门\n{first}")
    save(qtbot, form)
    assert sql("SELECT alias FROM yiwei.community_alias WHERE community_id = %s ORDER BY id", (community_id,)) == [
        (f"星河湾{tag}南门",), (first,)]
    assert sql("SELECT version FROM yiwei.community WHERE id = %s", (community_id,)) == [(2,)]
