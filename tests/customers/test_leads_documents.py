"""渠道报备冲突单 read back with pypdf: the lead and the channels that collide, never a full phone
number on paper (even for an auditor who sees full phones on screen), batches in one PDF, reprints
marked 补打, `yiwei print` by lead number, and the audit screen's 打印冲突单."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from client.cli.main import main
from client.customers.lead_audit import LeadAuditScreen
from client.db.errors import UserFacingError
from client.demo.company import DEMO_PASSWORD
from client.documents.printing import render, render_documents
from client.ui.print_preview import PrintPreviewDialog

from .lead_helpers import CHANNEL_A, CHANNEL_B, ensure_channels, random_phone, report_as, store_id

FULL_PHONE = re.compile(r"1[3-9]\d{9}")


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def conflicting_leads(db):
    """Two leads of one household from two channels: (phone, first number, second number)."""
    channels = ensure_channels(db)
    phone = random_phone()
    hz02 = store_id(db, "HZ02")
    household = dict(store_id=hz02, phone=phone, community="融创玉兰公馆", building="5幢", unit="2单元", room="601")
    _, first = report_as(db, "hq.channeldesk", channel_id=channels[CHANNEL_A], customer_name="林先生",
                         products="全屋定制", **household)
    _, second = report_as(db, "hq.channeldesk", channel_id=channels[CHANNEL_B], customer_name="林太太",
                          products="床垫", **household)
    return phone, first, second


def test_conflict_sheet_shows_both_channels_and_masks_every_phone(session_of, conflicting_leads):
    phone, first, second = conflicting_leads
    auditor = session_of("hq.channel")          # sees full phones on screen

    text = "\n".join(pages(render_documents(auditor, "lead_conflicts", [second], preview_only=True)))

    flat = text.replace("\n", "")
    assert "渠道报备冲突单" in text and second in text and first in text
    assert CHANNEL_A in flat and CHANNEL_B in flat
    assert "林太太" in text and "林先生" in text and "同一电话的报备" in flat
    assert phone[:3] + "****" + phone[-4:] in text
    assert phone not in flat and not FULL_PHONE.search(flat)


def test_batch_is_one_pdf_and_a_reprint_is_marked(session_of, conflicting_leads):
    _phone, first, second = conflicting_leads
    auditor = session_of("hq.channel")

    batch = render(auditor, "lead_conflicts", [second, first])
    assert [d.number for d in batch.documents] == [second, first]
    texts = pages(batch.pdf)
    assert len(texts) == 2 and second in texts[0] and first in texts[1]
    assert "补打" not in texts[0]

    again = pages(render(auditor, "lead_conflicts", [second]).pdf)
    assert "补打 第1次" in again[0]


def test_only_auditors_print_and_only_what_they_may_see(session_of, conflicting_leads):
    _phone, _first, second = conflicting_leads
    with pytest.raises(UserFacingError, match="没有权限打印"):
        render_documents(session_of("hq.channeldesk"), "lead_conflicts", [second], preview_only=True)
    # a store manager audits the leads of their own store only (the leads are reported to HZ02)
    with pytest.raises(UserFacingError, match="不存在或不在您的数据范围内"):
        render_documents(session_of("hz01.manager"), "lead_conflicts", [second], preview_only=True)
    assert second in "".join(pages(render_documents(session_of("hz02.manager"), "lead_conflicts", [second.lower()],
                                                    preview_only=True)))


def test_yiwei_print_prints_a_conflict_sheet_by_lead_number(db, monkeypatch, tmp_path, capsys, conflicting_leads):
    phone, first, second = conflicting_leads
    monkeypatch.setenv("PGPASSWORD", DEMO_PASSWORD)
    p = db.profile
    dsn = f"host={p.host} port={p.port} dbname={p.dbname} sslmode=disable"
    out = tmp_path / "conflicts.pdf"

    assert main(["print", "lead_conflicts", second, first, "--dsn", dsn, "--user", "hq.channel", "--out", str(out)]) == 0

    texts = pages(out.read_bytes())
    assert len(texts) == 2 and second in texts[0] and first in texts[1]
    assert phone not in "".join(texts).replace("\n", "")
    assert second in capsys.readouterr().out


def test_audit_screen_prints_the_selected_leads_as_one_preview(qtbot, make_ctx, wait_idle, conflicting_leads):
    phone, first, second = conflicting_leads
    ctx = make_ctx("hq.channel")
    audit = LeadAuditScreen(ctx)
    qtbot.addWidget(audit)
    audit.list.set_search(phone)
    wait_idle(ctx)
    qtbot.waitUntil(lambda: audit.list.model.rowCount() == 2 and not audit.list.is_busy(), timeout=15000)
    audit.list.view.selectAll()
    assert sorted(audit.selected_numbers()) == sorted([first, second])

    audit.print_selected()
    qtbot.waitUntil(lambda: audit.findChild(PrintPreviewDialog) is not None, timeout=15000)
    preview = audit.findChild(PrintPreviewDialog)
    texts = pages(preview.pdf_bytes)
    assert len(texts) == 2 and {first, second} <= set(re.findall(r"BB-HZ02-\d{6}-\d{6}", "".join(texts)))
    preview.done(0)
    wait_idle(ctx)
