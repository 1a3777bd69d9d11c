"""Lists of the customers module."""

from __future__ import annotations

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec, SearchMatch

INTENTS = (("high", "高"), ("medium", "中"), ("low", "低"))

# A customer's stage in the sale, in its order (the label a clerk reads, the rank lists sort by).
CUSTOMER_STAGES = (("new", "新客户"), ("contacted", "已联系"), ("measured", "已量尺"), ("designing", "设计中"),
                   ("quoted", "已报价"), ("signed", "已签约"), ("lost", "已流失"))
CUSTOMER_STATUSES = (("active", "有效"), ("merged", "已合并"))


def _case(column: str, pairs) -> str:
    return f"CASE {column} " + " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in pairs) + " END"


def _rank(column: str, pairs) -> str:
    return f"CASE {column} " + " ".join(f"WHEN '{value}' THEN {i}" for i, (value, _label) in enumerate(pairs)) + " END"

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
        ListColumn(Column("customer", "客户", ColumnKind.TEXT, width=10), "customer_name"),
        ListColumn(Column("customer_number", "客户编号", ColumnKind.TEXT, width=22), "customer_number"),
    ),
    filters=(
        FilterSpec("visited", "来访日期", FilterKind.DATE_RANGE, "visited_at"),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("guide", "导购", FilterKind.PERSON, "guide_id", choices_sql=_VISIT_STAFF_SQL),
        FilterSpec("intent", "意向", FilterKind.CHOICE, "intent", choices=INTENTS),
        FilterSpec("source", "来源", FilterKind.TEXT, "source"),
        FilterSpec("converted", "客户", FilterKind.BOOL, "(customer_id IS NOT NULL)",
                   choices=(("true", "已建档"), ("false", "未建档"))),
    ),
    default_sort="visited_at",
    descending=True,
    search=("community", "note", "guide_name", "customer_name", "customer_number"),
    permissions=("customers.visit",),
))


# Showroom traffic per day, store and guide (客流日报).
VISIT_DAILY = register_list(ListSpec(
    name="visit_daily",
    title="客流日报",
    source="yiwei.visit_daily",
    key="key",
    columns=(
        ListColumn(Column("day", "日期", ColumnKind.DATE), "day", nullable=False),
        ListColumn(Column("store", "门店", ColumnKind.TEXT, width=16), "store_name", nullable=False),
        ListColumn(Column("guide", "导购", ColumnKind.TEXT, width=10), "guide_name", nullable=False),
        ListColumn(Column("visits", "来访批次", ColumnKind.INTEGER, width=10, total=True), "visits", nullable=False),
        ListColumn(Column("people", "来访人数", ColumnKind.INTEGER, width=10, total=True), "people", nullable=False),
        ListColumn(Column("high_intent", "高意向", ColumnKind.INTEGER, width=8, total=True), "high_intent",
                   nullable=False),
        ListColumn(Column("converted", "已转客户", ColumnKind.INTEGER, width=10, total=True), "converted",
                   nullable=False),
    ),
    filters=(
        FilterSpec("day", "日期", FilterKind.DATE_RANGE, "day"),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("guide", "导购", FilterKind.PERSON, "guide_id", choices_sql=_VISIT_STAFF_SQL),
    ),
    default_sort="day",
    descending=True,
    search=("store_name", "guide_name"),
    permissions=("customers.visit",),
))

# Who may own customers in the stores the login sees (the guide and designer filters).
_CUSTOMER_STAFF_SQL = (
    "SELECT e.id, e.full_name || '（' || e.login || '）' || CASE WHEN e.active THEN '' ELSE ' 停用' END"
    "  FROM yiwei.employee e"
    " WHERE e.store_id = ANY (yiwei.visible_store_ids())"
    "   AND EXISTS (SELECT 1 FROM yiwei.position_permission pp"
    "                WHERE pp.position_id = e.position_id AND pp.permission_code = '{permission}')"
    " ORDER BY NOT e.active, e.full_name, e.login")

CUSTOMERS = register_list(ListSpec(
    name="customers",
    title="客户档案",
    source="yiwei.customer_list",
    key="id",
    columns=(
        ListColumn(Column("number", "客户编号", ColumnKind.TEXT, width=22), "number", nullable=False),
        ListColumn(Column("name", "客户姓名", ColumnKind.TEXT, width=10), "name", nullable=False),
        ListColumn(Column("phone", "手机", ColumnKind.TEXT, width=14), "phone", nullable=False),
        ListColumn(Column("store", "门店", ColumnKind.TEXT, width=14), "store_name", nullable=False),
        ListColumn(Column("guide", "导购", ColumnKind.TEXT, width=8), "guide_name", nullable=False),
        ListColumn(Column("designer", "设计师", ColumnKind.TEXT, width=8), "designer_name"),
        ListColumn(Column("address", "地址", ColumnKind.TEXT, width=28), "full_address", nullable=False),
        ListColumn(Column("source", "客户来源", ColumnKind.TEXT, width=10), "source_name"),
        ListColumn(Column("channel", "渠道", ColumnKind.TEXT, width=14), "channel_name"),
        ListColumn(Column("decoration_designer", "家装设计师", ColumnKind.TEXT, width=10), "decoration_designer_name",
                   visible=False),
        ListColumn(Column("stage", "阶段", ColumnKind.TEXT, width=8), _case("stage", CUSTOMER_STAGES),
                   sort_expr=_rank("stage", CUSTOMER_STAGES), nullable=False),
        ListColumn(Column("tags", "标签", ColumnKind.TEXT, width=16), "tags_text", nullable=False),
        ListColumn(Column("special", "特殊客户", ColumnKind.BOOL, width=8), "special", nullable=False),
        ListColumn(Column("last_followup", "最近跟踪", ColumnKind.DATETIME), "last_followup_at"),
        ListColumn(Column("next_contact", "下次联系", ColumnKind.DATE), "next_contact_on"),
        ListColumn(Column("note", "备注", ColumnKind.TEXT, width=30), "note", nullable=False, visible=False),
        ListColumn(Column("status", "状态", ColumnKind.TEXT, width=8), _case("status", CUSTOMER_STATUSES),
                   nullable=False, visible=False),
        ListColumn(Column("created", "建档时间", ColumnKind.DATETIME), "created_at", nullable=False),
    ),
    filters=(
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("guide", "导购", FilterKind.PERSON, "guide_id",
                   choices_sql=_CUSTOMER_STAFF_SQL.format(permission="customers.customer")),
        FilterSpec("designer", "设计师", FilterKind.PERSON, "designer_id",
                   choices_sql=_CUSTOMER_STAFF_SQL.format(permission="customers.designer_task")),
        FilterSpec("stage", "阶段", FilterKind.CHOICE, "stage", choices=CUSTOMER_STAGES),
        FilterSpec("source", "客户来源", FilterKind.CHOICE, "source_id",
                   choices_sql="SELECT id, name FROM yiwei.customer_source ORDER BY NOT active, sort_order, name"),
        FilterSpec("channel", "渠道", FilterKind.CHOICE, "channel_id",
                   choices_sql="SELECT id, name FROM yiwei.channel ORDER BY NOT active, name"),
        FilterSpec("special", "特殊客户", FilterKind.BOOL, "special"),
        FilterSpec("overdue", "超期未跟踪", FilterKind.BOOL, "followup_overdue"),
        FilterSpec("created", "建档日期", FilterKind.DATE_RANGE, "created_at"),
        FilterSpec("status", "状态", FilterKind.CHOICE, "status", choices=CUSTOMER_STATUSES),
    ),
    # The database finds the customers for each term (yiwei.find_customers): the term within the
    # number, name, phone as the login sees it or address through an index, and a whole phone number
    # of any household member even for those who see it masked. The sub-select runs the lookup once
    # per query, not once per row.
    search_matches=(SearchMatch(r".+", "id = ANY ((SELECT yiwei.find_customers({term}))::bigint[])"),),
    permissions=("customers.customer",),
))
