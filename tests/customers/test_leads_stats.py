"""客户报备统计: leads per channel and month by outcome, totals, and the Excel export read back with
openpyxl (counts as numbers, not text)."""

from __future__ import annotations

from decimal import Decimal

import openpyxl

from client.customers.lead_lists import LEAD_STATS
from client.ui.list_view import ListWindow

from .lead_helpers import CHANNEL_B, ensure_channels, one, random_phone, report_as, store_id


def test_stats_count_outcomes_per_channel_and_export_numbers(qtbot, make_ctx, wait_idle, db, tmp_path):
    channels = ensure_channels(db)
    bj01 = store_id(db, "BJ01")
    approved, _ = report_as(db, "hq.channeldesk", store_id=bj01, channel_id=channels[CHANNEL_B], customer_name="赵先生",
                            phone=random_phone(), community="远洋山水")
    rejected, _ = report_as(db, "hq.channeldesk", store_id=bj01, channel_id=channels[CHANNEL_B], customer_name="钱女士",
                            phone=random_phone(), community="金茂府")
    auditor = db.connect_as("hq.channel")
    for lead_id, step, reason in ((approved, "approve_lead", ""), (rejected, "reject_lead", "客户已购买")):
        version = one(auditor, "SELECT version FROM yiwei.channel_lead WHERE id = %s", (lead_id,))
        one(auditor, f"SELECT yiwei.{step}(%s, %s, %s)::text", (lead_id, version, reason))

    # ground truth for channel B this month, read as the superuser
    admin = db.admin()
    expected = one(admin, """
        SELECT count(*), count(*) FILTER (WHERE status = 'pending'),
               count(*) FILTER (WHERE status = 'approved' AND protected_until > now()),
               count(*) FILTER (WHERE status = 'rejected'), count(*) FILTER (WHERE conflict_count > 0)
          FROM yiwei.channel_lead
         WHERE channel_id = %s AND date_trunc('month', reported_at AT TIME ZONE 'Asia/Shanghai')
                                 = date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')""", (channels[CHANNEL_B],))
    month = one(admin, "SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')")

    ctx = make_ctx("hq.channeldesk")
    window = ListWindow(ctx, LEAD_STATS)
    qtbot.addWidget(window)
    window.set_filter("channel", channels[CHANNEL_B])
    wait_idle(ctx)
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=15000)
    row = window.model.row_of_key(f"{channels[CHANNEL_B]}-{month}-01")
    assert row >= 0
    values = dict(zip([c.key for c in LEAD_STATS.columns], window.model.row_values(row)))
    assert (values["total"], values["pending"], values["approved"], values["rejected"], values["conflicted"]) == expected
    assert values["month"] == month and values["channel_kind"] == "独立设计师"
    assert window.totals["total"] == sum(window.model.row_values(r)[LEAD_STATS.columns.index(LEAD_STATS.column("total"))]
                                         for r in range(window.model.rowCount()))

    path = tmp_path / "stats.xlsx"
    with qtbot.waitSignal(window.export_finished, timeout=20000):
        window.export_to(path)
    sheet = openpyxl.load_workbook(path).active
    rows = [[cell.value for cell in r] for r in sheet.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if "报备数" in r)
    header = rows[header_at]
    data = [dict(zip(header, r)) for r in rows[header_at + 1:] if r[0] == month]
    assert len(data) == 1
    exported = data[0]
    assert (exported["报备数"], exported["待审核"], exported["已通过"], exported["已驳回"], exported["有冲突"]) == expected
    assert all(isinstance(exported[k], int) for k in ("报备数", "待审核", "已通过", "已驳回", "已签约", "已过期"))
    rate = exported["转化率%"]
    assert rate is None or isinstance(rate, (int, float, Decimal))
    totals = next(r for r in rows[header_at + 1:] if r[0] != month)
    assert isinstance(totals[header.index("报备数")], int)
