"""渠道报备冲突单: one lead and the records it collides with, for the channel meeting.

Printed by lead number (``yiwei print lead_conflicts BB-HZ01-202611-000001 …``); several leads make
one PDF. The lead and its conflicts are read as the printing employee, so row-level security
decides what may be printed. Phone numbers are always masked on paper, whatever the login may see
on screen: a sheet left on a meeting table must not hand out customers' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from sqlalchemy import text
from sqlalchemy.engine import Connection

from client.documents.fonts import register_fonts
from client.documents.layout import Column, DocumentHeader, PageSetup, data_table, document_styles, text_paragraph
from client.documents.registry import DocType, register_doctype
from client.masterdata.lists import CHANNEL_KINDS

from .lead_data import Lead, LeadConflict, format_moment, load_conflicts, load_lead_by_number

PAGE = PageSetup()
_KIND_LABELS = dict(CHANNEL_KINDS)


@dataclass(frozen=True)
class ConflictSheet:
    lead: Lead
    conflicts: tuple[LeadConflict, ...]
    draft: bool = False

    @property
    def number(self) -> str:
        return self.lead.number

    @property
    def row_count(self) -> int:
        return len(self.conflicts)


def load_conflict_sheet(conn: Connection, number: str) -> ConflictSheet:
    lead = load_lead_by_number(conn, number)
    return ConflictSheet(lead, tuple(load_conflicts(conn, lead.id)))


def _field_grid(pairs: list[tuple[str, str]]) -> Table:
    """Label/value pairs two to a row, labels shaded, values wrapping inside their cell."""
    styles = document_styles()
    label_width, value_width = 22 * mm, PAGE.frame_width / 2 - 22 * mm
    rows = []
    for i in range(0, len(pairs), 2):
        row = []
        for label, value in pairs[i:i + 2]:
            row += [text_paragraph(label, styles.cell), text_paragraph(value, styles.cell)]
        row += [""] * (4 - len(row))
        rows.append(row)
    table = Table(rows, colWidths=[label_width, value_width, label_width, value_width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),  # the default table font is not embedded
        ("GRID", (0, 0), (-1, -1), 0.5, "#606060"),
        ("BACKGROUND", (0, 0), (0, -1), "#EDEDED"),
        ("BACKGROUND", (2, 0), (2, -1), "#EDEDED"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _wide(pairs: list[tuple[str, str]]) -> Table:
    """Label/value pairs one to a row (addresses, products, notes run long)."""
    styles = document_styles()
    table = Table([[text_paragraph(label, styles.cell), text_paragraph(value, styles.cell)] for label, value in pairs],
                  colWidths=[22 * mm, PAGE.frame_width - 22 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),
        ("GRID", (0, 0), (-1, -1), 0.5, "#606060"),
        ("BACKGROUND", (0, 0), (0, -1), "#EDEDED"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


CONFLICT_COLUMNS = [
    Column("序号", 9, "number"),
    Column("冲突类型", 18),
    Column("对方单号", 38),          # a whole lead or customer number on one line
    Column("渠道 / 报备人"),
    Column("时间", 20),
    Column("客户 / 电话", 23),
    Column("地址 / 门店"),
    Column("状态 当时→现在", 18),
]


def _conflict_row(i: int, c: LeadConflict) -> tuple:
    who = "\n".join(part for part in (c.other_channel, c.other_person) if part)
    when = format_moment(c.other_at).replace(" ", "\n")
    status = c.other_status_then if not c.other_status_now or c.other_status_now == c.other_status_then \
        else f"{c.other_status_then}→{c.other_status_now}"
    return (i, c.kind_label, c.other_number, who, when, f"{c.other_customer_name}\n{c.other_phone}",
            "\n".join(part for part in (c.other_address, c.other_store) if part), status)


def build_conflict_sheet(sheet: ConflictSheet, header: DocumentHeader) -> list[Flowable]:
    styles = document_styles()
    lead = sheet.lead
    kind = _KIND_LABELS.get(lead.channel_kind)
    channel = f"{lead.channel_name}（{kind}）" if kind else lead.channel_name
    pairs = [
        ("报备单号", lead.number), ("状态", lead.status_label),
        ("渠道", channel), ("家装设计师", lead.decoration_designer_name or "—"),
        ("报备人", lead.reporter_name), ("报备时间", format_moment(lead.reported_at)),
        ("客户", lead.customer_name), ("电话", lead.phone_masked),
        ("门店", lead.store_name), ("保护期至", format_moment(lead.protected_until) or "—"),
    ]
    wide = [("地址", lead.address), ("意向产品", lead.products or "—")]
    if lead.note:
        wide.append(("备注", lead.note))
    if lead.decided_at is not None:
        decision = f"{lead.decided_by_name or ''} {format_moment(lead.decided_at)}"
        if lead.decision_reason:
            decision += f"：{lead.decision_reason}"
        wide.append(("审核", decision))
    story: list[Flowable] = [
        text_paragraph("报备信息", styles.heading),
        _field_grid(pairs),
        _wide(wide),
        Spacer(0, 3 * mm),
    ]
    if not sheet.conflicts:
        story.append(text_paragraph("冲突记录：未发现冲突。", styles.heading))
        return story
    story += [
        text_paragraph(f"冲突记录（{len(sheet.conflicts)} 条）", styles.heading),
        data_table(CONFLICT_COLUMNS, [_conflict_row(i, c) for i, c in enumerate(sheet.conflicts, start=1)],
                   width=PAGE.frame_width),
        Spacer(0, 2 * mm),
        text_paragraph("冲突记录为报备提交时系统查到的证据；“现在”为打印时对方记录的状态。电话号码一律隐藏中间四位。"
                       "先到先得：同一客户在保护期内只能有一条有效报备。", styles.small),
        Spacer(0, 8 * mm),
        text_paragraph("渠道会议结论：________________________________________________", styles.body),
        Spacer(0, 6 * mm),
        text_paragraph("审核人签字：__________________　　日期：______________", styles.body),
    ]
    return story


def conflict_sheet_numbers(conn: Connection) -> list[str]:
    """The latest leads with conflicts the login may see (what a picker offers)."""
    return list(conn.execute(text(
        "SELECT number FROM yiwei.channel_lead WHERE conflict_count > 0"
        " ORDER BY reported_at DESC, id DESC LIMIT 200")).scalars())


CONFLICT_SHEET = register_doctype(DocType(
    name="lead_conflicts",
    title="渠道报备冲突单",
    permissions=("customers.lead_audit",),
    load=load_conflict_sheet,
    build=build_conflict_sheet,
    numbers=conflict_sheet_numbers,
    number_help="报备单号（如 BB-HZ01-202611-000001）；可写多个，合并为一个 PDF",
    page=PAGE,
))
