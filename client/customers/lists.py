"""Lists of the customers module."""

from __future__ import annotations

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec

INTENTS = (("high", "高"), ("medium", "中"), ("low", "低"))

_INTENT_LABEL = "CASE intent WHEN 'high' THEN '高' WHEN 'medium' THEN '中' WHEN 'low' THEN '低' END"
# Sorting by intent means by its strength, not by the label's code point.
_INTENT_RANK = "CASE intent WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 END"

# The people a visit can be filtered by: whoever may record visits (guides, managers).
_VISIT_STAFF_SQL = (
    "SELECT e.id, e.full_name || '（' || e.login || '）' || CASE WHEN e.active THEN '' ELSE ' 停用' END"
    "  FROM yiwei.employee e"
    " WHERE EXISTS (SELECT 1 FROM yiwei.position_permission pp"
    "                WHERE pp.position_id = e.position_id AND pp.permission_code = 'customers.visit')"
    " ORDER BY NOT e.active, e.full_name, e.login")

VISITS = register_list(ListSpec(
    name="visits",
    title="客户流量",
    source="yiwei.visit_list",
    key="id",
    columns=(
        ListColumn(Column("visited_at", "来访时间", ColumnKind.DATETIME), "visited_at", nullable=False),
        ListColumn(Column("store", "门店", ColumnKind.TEXT, width=16), "store_name", nullable=False),
        ListColumn(Column("guide", "导购", ColumnKind.TEXT, width=10), "guide_name"),
        ListColumn(Column("party_size", "人数", ColumnKind.INTEGER, width=8, total=True), "party_size",
                   nullable=False),
        ListColumn(Column("source", "来源", ColumnKind.TEXT, width=14), "source", nullable=False),
        ListColumn(Column("intent", "意向", ColumnKind.TEXT, width=8), _INTENT_LABEL, sort_expr=_INTENT_RANK,
                   nullable=False),
        ListColumn(Column("community", "小区", ColumnKind.TEXT, width=16), "community", nullable=False),
        ListColumn(Column("stage", "装修阶段", ColumnKind.TEXT, width=14), "renovation_stage", nullable=False),
        ListColumn(Column("note", "备注", ColumnKind.TEXT, width=30), "note", nullable=False),
    ),
    filters=(
        FilterSpec("visited", "来访日期", FilterKind.DATE_RANGE, "visited_at"),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("guide", "导购", FilterKind.PERSON, "guide_id", choices_sql=_VISIT_STAFF_SQL),
        FilterSpec("intent", "意向", FilterKind.CHOICE, "intent", choices=INTENTS),
        FilterSpec("source", "来源", FilterKind.TEXT, "source"),
    ),
    default_sort="visited_at",
    descending=True,
    search=("community", "note", "guide_name"),
    permissions=("customers.visit",),
))
