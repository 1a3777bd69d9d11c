"""Who may keep master data: the menu follows the positions, and the database refuses the rest to
a raw connection as a real employee login."""

from __future__ import annotations

import json

import psycopg2
import pytest

from client.ui.registry import menu_for

from .helpers import fill, new_form, save

MASTERDATA_FUNCTIONS = {"masterdata.customer_source", "masterdata.channel", "masterdata.decoration_designer",
                        "masterdata.community"}


def menu_ids(session) -> set[str]:
    return {f.id for module in menu_for(session.permissions) for f in module.functions}


def test_menu_shows_master_data_only_to_those_who_keep_it(session_of):
    assert menu_ids(session_of("admin")) >= MASTERDATA_FUNCTIONS
    assert not menu_ids(session_of("hz01.guide1")) & MASTERDATA_FUNCTIONS
    assert menu_ids(session_of("hq.channel")) & MASTERDATA_FUNCTIONS == {
        "masterdata.channel", "masterdata.decoration_designer", "masterdata.community"}


def test_guide_calling_save_channel_directly_is_refused(db, sql):
    conn = db.connect_as("hz01.guide1")
    with pytest.raises(psycopg2.Error) as info, conn.cursor() as cur:
        cur.execute("SELECT yiwei.save_channel(NULL, NULL, %s::jsonb)",
                    (json.dumps({"name": "导购私建渠道", "kind": "agent"}),))
    assert info.value.pgcode == "YW403"
    assert sql("SELECT count(*) FROM yiwei.channel WHERE name = '导购私建渠道'") == [(0,)]


@pytest.mark.parametrize(("function", "args"), [
    ("save_customer_source", "(NULL, NULL, '导购来源', 1, true)"),
    ("save_decoration_designer", "(NULL, NULL, '{\"name\": \"导购设计师\"}'::jsonb)"),
    ("save_community", "(NULL, NULL, '{\"name\": \"导购小区\"}'::jsonb)"),
])
def test_guide_calling_the_other_save_functions_is_refused(db, function, args):
    conn = db.connect_as("hz01.guide1")
    with pytest.raises(psycopg2.Error) as info, conn.cursor() as cur:
        cur.execute(f"SELECT yiwei.{function}{args}")
    assert info.value.pgcode == "YW403"


@pytest.mark.parametrize("statement", [
    "INSERT INTO yiwei.channel (kind, name) VALUES ('agent', '直接插入的渠道')",
    "UPDATE yiwei.channel SET name = name || '!'",
    "INSERT INTO yiwei.community (name, name_key) VALUES ('直接插入小区', '直接插入小区')",
    "INSERT INTO yiwei.community_alias (community_id, alias, alias_key)"
    " SELECT id, '抢注别名', '抢注别名' FROM yiwei.community LIMIT 1",
    "DELETE FROM yiwei.decoration_designer",
])
def test_guide_cannot_write_master_data_tables_directly(db, sql, statement):
    conn = db.connect_as("hz01.guide1")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
        cur.execute(statement)
    assert sql("SELECT count(*) FROM yiwei.channel WHERE name LIKE '%%!' OR name = '直接插入的渠道'") == [(0,)]


def test_channel_auditor_keeps_channels_and_designers_but_not_customer_sources(db, sql):
    conn = db.connect_as("hq.channel")
    with conn.cursor() as cur:
        cur.execute("SELECT yiwei.save_channel(NULL, NULL, %s::jsonb)",
                    (json.dumps({"name": "审核员建的渠道", "kind": "old_customer", "phone": "13600001111"}),))
        channel_id = cur.fetchone()[0]
        cur.execute("SELECT yiwei.save_decoration_designer(NULL, NULL, %s::jsonb)",
                    (json.dumps({"name": "审核员建的设计师", "channel_id": channel_id}),))
        designer_id = cur.fetchone()[0]
    assert sql("SELECT d.channel_id, d.created_by FROM yiwei.decoration_designer d WHERE d.id = %s", (designer_id,)) == [
        (channel_id, db.profile.role_for("hq.channel"))]
    with pytest.raises(psycopg2.Error) as info, conn.cursor() as cur:
        cur.execute("SELECT yiwei.save_customer_source(NULL, NULL, '审核员的来源', 1, true)")
    assert info.value.pgcode == "YW403"


def test_channel_auditor_adds_a_designer_through_the_screen(qtbot, open_screen, sql):
    ctx, screen = open_screen("masterdata.decoration_designer", "hq.channel")
    assert screen.can_edit and "new" in screen.actions_by_name
    form = new_form(qtbot, screen)
    fill(qtbot, form, name="审核员录入的设计师", phone="021-66668888")
    designer_id = save(qtbot, form)
    assert sql("SELECT phone, created_by FROM yiwei.decoration_designer WHERE id = %s", (designer_id,)) == [
        ("021-66668888", ctx.session.profile.role_for("hq.channel"))]
