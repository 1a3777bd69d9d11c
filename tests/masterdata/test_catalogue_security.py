"""Who sees which catalogue screen: those who keep the data edit it, those who quote look at
products, prices, promotions and packages without editing (and without costs)."""

from __future__ import annotations

import json

import psycopg2
import pytest

from client.ui.registry import menu_for

KEEPING = {"masterdata.product_line", "masterdata.product_grade", "masterdata.supply_package",
           "masterdata.style_alias", "masterdata.checklist_item", "masterdata.responsibility_reason"}
QUOTING = {"masterdata.product", "masterdata.price_list", "masterdata.promotion", "masterdata.package"}


def menu_ids(session) -> set[str]:
    return {f.id for module in menu_for(session.permissions) for f in module.functions}


def test_admin_has_every_catalogue_screen_and_a_guide_only_those_for_quoting(session_of):
    assert menu_ids(session_of("admin")) >= KEEPING | QUOTING
    assert menu_ids(session_of("hz01.guide1")) & (KEEPING | QUOTING) == QUOTING


def test_guide_opens_price_lists_read_only(qtbot, open_screen):
    ctx, screen = open_screen("masterdata.price_list", "hz01.guide1")
    assert set(screen.actions_by_name) == {"view"}
    assert set(screen.detail.actions_by_name) == {"view"}       # no 新增, 删除, 导入 for the prices
    qtbot.waitUntil(lambda: screen.detail.master_key is not None and not screen.detail.list.is_busy(),
                    timeout=15000)
    assert screen.detail.list.model.rowCount() > 0


@pytest.mark.parametrize(("function", "payload"), [
    ("save_product_line", {"code": "GD", "name": "导购系列"}),
    ("save_price_list", {"code": "GD", "name": "导购价", "valid_from": "2026-01-01"}),
    ("save_package", {"code": "GD", "name": "导购套餐"}),
    ("save_checklist_item", {"name": "导购检查项"}),
])
def test_guide_calling_the_catalogue_save_functions_is_refused(db, function, payload):
    conn = db.connect_as("hz01.guide1")
    with pytest.raises(psycopg2.Error) as info, conn.cursor() as cur:
        cur.execute(f"SELECT yiwei.{function}(NULL, NULL, %s::jsonb)", (json.dumps(payload, ensure_ascii=False),))
    assert info.value.pgcode == "YW403"
