"""Lists of channel lead reports (渠道报备, 渠道报备审核) and the lead statistics (客户报备统计).

The status shown is the effective one the view computes (an approved lead past its protection is
expired); its label comes from the same SQL function the conflict evidence uses, so a status reads
the same on every screen and on paper.
"""

from __future__ import annotations

from dataclasses import replace

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec, SearchMatch
from client.masterdata.lists import CHANNEL_KINDS

# The effective statuses of a lead, in the order of its life (labels as yiwei.lead_status_label).
LEAD_STATUSES = (("pending", "待审核"), ("approved", "已通过"), ("rejected", "已驳回"),
                 ("converted", "已签约"), ("expired", "已过期"))


def _label_case(expr: str, pairs) -> str:
    whens = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in pairs)
    return f"CASE {expr} {whens} ELSE {expr} END"


def _rank_case(expr: str, pairs) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {rank}" for rank, (value, _label) in enumerate(pairs, start=1))
    return f"CASE {expr} {whens} END"


# Every channel, active ones first: a lead of a channel since closed still needs finding.
CHANNEL_CHOICES_SQL = ("SELECT id, name || CASE WHEN active THEN '' ELSE '（停用）' END FROM yiwei.channel"
                       " ORDER BY NOT active, name")

_LEAD_COLUMNS = (
    ListColumn(Column("number", "报备单号", ColumnKind.TEXT, width=22), "number", nullable=False),
    ListColumn(Column("reported_at", "报备时间", ColumnKind.DATETIME), "reported_at", nullable=False),
    ListColumn(Column("channel", "渠道", ColumnKind.TEXT, width=16), "channel_name", nullable=False),
    ListColumn(Column("customer", "客户", ColumnKind.TEXT, width=10), "customer_name", nullable=False),
    ListColumn(Column("phone", "电话", ColumnKind.TEXT, width=14), "phone", nullable=False),
    ListColumn(Column("address", "地址", ColumnKind.TEXT, width=26), "address", nullable=False),
    ListColumn(Column("products", "意向产品", ColumnKind.TEXT, width=18), "products", nullable=False),
    ListColumn(Column("status", "状态", ColumnKind.TEXT, width=8), "yiwei.lead_status_label(status)",
               sort_expr=_rank_case("status", LEAD_STATUSES), nullable=False),
    ListColumn(Column("conflicts", "冲突数", ColumnKind.INTEGER, width=7), "conflict_count", nullable=False),
    ListColumn(Column("store", "门店", ColumnKind.TEXT, width=14), "store_name", nullable=False),
    ListColumn(Column("reporter", "报备人", ColumnKind.TEXT, width=10), "reporter_name", nullable=False),
    ListColumn(Column("protected_until", "保护期至", ColumnKind.DATETIME), "protected_until"),
    ListColumn(Column("designer", "家装设计师", ColumnKind.TEXT, width=10), "decoration_designer_name",
               visible=False),
    ListColumn(Column("decided_by", "审核人", ColumnKind.TEXT, width=10), "decided_by_name", visible=False),
    ListColumn(Column("decided_at", "审核时间", ColumnKind.DATETIME), "decided_at", visible=False),
    ListColumn(Column("reason", "审核意见", ColumnKind.TEXT, width=20), "decision_reason", nullable=False,
               visible=False),
    ListColumn(Column("customer_number", "客户编号", ColumnKind.TEXT, width=22), "customer_number", visible=False),
    ListColumn(Column("note", "备注", ColumnKind.TEXT, width=24), "note", nullable=False, visible=False),
)

_LEAD_FILTERS = (
    FilterSpec("status", "状态", FilterKind.CHOICE, "status", choices=LEAD_STATUSES),
    FilterSpec("channel", "渠道", FilterKind.CHOICE, "channel_id", choices_sql=CHANNEL_CHOICES_SQL),
    FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
    FilterSpec("reported", "报备日期", FilterKind.DATE_RANGE, "reported_at"),
)

CHANNEL_LEADS = register_list(ListSpec(
    name="channel_leads",
    title="渠道报备",
    source="yiwei.channel_lead_list",
    key="id",
    columns=_LEAD_COLUMNS,
    filters=_LEAD_FILTERS,
    default_sort="reported_at",
    descending=True,
    search=("number", "customer_name", "phone", "address", "channel_name", "reporter_name"),
    # a whole phone number finds its leads also where the list shows the phone masked
    search_matches=(SearchMatch(r"\+?[0-9][0-9-]{6,19}", "id = ANY (yiwei.find_leads_by_phone({term}))"),),
    permissions=("customers.lead",),
))

# The auditor's list: the same rows and columns, its own column choice and its own permission.
LEAD_AUDIT = register_list(replace(CHANNEL_LEADS, name="lead_audit", title="渠道报备审核",
                                   permissions=("customers.lead_audit",)))

LEAD_STATS = register_list(ListSpec(
    name="lead_stats",
    title="客户报备统计",
    source="yiwei.lead_stats",
    key="key",
    columns=(
        ListColumn(Column("month", "月份", ColumnKind.TEXT, width=8), "to_char(month, 'YYYY-MM')",
                   sort_expr="month", nullable=False),
        ListColumn(Column("channel", "渠道", ColumnKind.TEXT, width=18), "channel_name", nullable=False),
        ListColumn(Column("channel_kind", "渠道类型", ColumnKind.TEXT, width=10),
                   _label_case("channel_kind", CHANNEL_KINDS), sort_expr="channel_kind", nullable=False),
        ListColumn(Column("total", "报备数", ColumnKind.INTEGER, width=8, total=True), "total", nullable=False),
        ListColumn(Column("pending", "待审核", ColumnKind.INTEGER, width=8, total=True), "pending", nullable=False),
        ListColumn(Column("approved", "已通过", ColumnKind.INTEGER, width=8, total=True), "approved",
                   nullable=False),
        ListColumn(Column("rejected", "已驳回", ColumnKind.INTEGER, width=8, total=True), "rejected",
                   nullable=False),
        ListColumn(Column("converted", "已签约", ColumnKind.INTEGER, width=8, total=True), "converted",
                   nullable=False),
        ListColumn(Column("expired", "已过期", ColumnKind.INTEGER, width=8, total=True), "expired", nullable=False),
        ListColumn(Column("conflicted", "有冲突", ColumnKind.INTEGER, width=8, total=True), "conflicted",
                   nullable=False),
        # A rate does not add up across rows; the totals line leaves it out.
        ListColumn(Column("conversion_rate", "转化率%", ColumnKind.DECIMAL, width=8), "conversion_rate"),
        # The first day of the month, for the month filter (a DATE column compares calendar days).
        ListColumn(Column("month_start", "月份首日", ColumnKind.DATE), "month", visible=False),
    ),
    filters=(
        FilterSpec("month", "月份", FilterKind.DATE_RANGE, "month"),
        FilterSpec("channel_kind", "渠道类型", FilterKind.CHOICE, "channel_kind", choices=CHANNEL_KINDS),
        FilterSpec("channel", "渠道", FilterKind.CHOICE, "channel_id", choices_sql=CHANNEL_CHOICES_SQL),
    ),
    default_sort="month",
    descending=True,
    search=("channel_name",),
    permissions=("customers.lead_stats",),
))
