"""Lists of the daily work on customers: who is due for a follow-up (待跟踪), the follow-up log
(跟踪记录) and the designers' measure/design/drawing tasks (设计师任务跟踪)."""

from __future__ import annotations

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec

FOLLOWUP_KINDS = (("call", "电话"), ("visit", "到店"), ("measure", "量尺"), ("quote", "报价"), ("wechat", "微信"),
                  ("other", "其他"))
TASK_KINDS = (("measure", "量尺"), ("design", "设计"), ("drawing", "出图"))
TASK_STATUSES = (("open", "进行中"), ("done", "已完成"), ("cancelled", "已取消"))
CUSTOMER_STAGES = (("new", "新客户"), ("contacted", "已联系"), ("measured", "已量尺"), ("designing", "设计中"),
                   ("quoted", "已报价"), ("signed", "已签约"), ("lost", "已流失"))


def _label_sql(column: str, pairs) -> str:
    """CASE column WHEN 'code' THEN '标签' … END: a code shown by its Chinese label."""
    whens = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in pairs)
    return f"CASE {column} {whens} ELSE {column} END"


def _rank_sql(column: str, pairs) -> str:
    """The position of a code in its list, so sorting follows the workflow, not the label."""
    whens = " ".join(f"WHEN '{code}' THEN {rank}" for rank, (code, _label) in enumerate(pairs))
    return f"CASE {column} {whens} END"


def _staff_sql(permission: str) -> str:
    """The people of the login's stores whose position holds a permission (filter choices)."""
    return ("SELECT e.id, e.full_name || '（' || e.login || '）' || CASE WHEN e.active THEN '' ELSE ' 停用' END"
            "  FROM yiwei.employee e"
            " WHERE e.store_id = ANY (yiwei.visible_store_ids())"
            "   AND EXISTS (SELECT 1 FROM yiwei.position_permission pp"
            f"               WHERE pp.position_id = e.position_id AND pp.permission_code = '{permission}')"
            " ORDER BY NOT e.active, e.full_name, e.login")


GUIDES_SQL = _staff_sql("customers.customer")
DESIGNERS_SQL = _staff_sql("customers.designer_task")

_TODAY = "(SELECT yiwei.company_today())"
_DUE_REASON = (f"CASE WHEN NOT contact_due THEN '超期未跟踪' WHEN next_contact_on < {_TODAY} THEN '已过联系日'"
               " ELSE '今日联系' END")

FOLLOWUP_DUE = register_list(ListSpec(
    name="followup_due",
    title="待跟踪客户",
    source="yiwei.customer_followup_due",
    key="id",
    columns=(
        ListColumn(Column("reason", "提醒", ColumnKind.TEXT, width=10), _DUE_REASON, nullable=False),
        ListColumn(Column("next_contact_on", "下次联系", ColumnKind.DATE), "next_contact_on"),
        ListColumn(Column("last_followup_at", "上次跟踪", ColumnKind.DATETIME), "last_followup_at"),
        ListColumn(Column("days", "未跟踪天数", ColumnKind.INTEGER, width=10), "days_since_contact", nullable=False),
        ListColumn(Column("number", "客户编号", ColumnKind.TEXT, width=22), "number", nullable=False),
        ListColumn(Column("name", "客户", ColumnKind.TEXT, width=10), "name", nullable=False),
        ListColumn(Column("phone", "电话", ColumnKind.TEXT, width=14), "phone", nullable=False),
        ListColumn(Column("stage", "阶段", ColumnKind.TEXT, width=8), _label_sql("stage", CUSTOMER_STAGES),
                   sort_expr=_rank_sql("stage", CUSTOMER_STAGES), nullable=False),
        ListColumn(Column("guide", "导购", ColumnKind.TEXT, width=10), "guide_name", nullable=False),
        ListColumn(Column("designer", "设计师", ColumnKind.TEXT, width=10), "designer_name"),
        ListColumn(Column("store", "门店", ColumnKind.TEXT, width=16), "store_name", nullable=False),
        ListColumn(Column("address", "地址", ColumnKind.TEXT, width=30), "full_address", nullable=False),
        ListColumn(Column("overdue", "超期未跟踪", ColumnKind.BOOL, width=10), "followup_overdue", nullable=False,
                   visible=False),
    ),
    filters=(
        FilterSpec("contact_due", "到联系日", FilterKind.BOOL, "contact_due"),
        FilterSpec("overdue", "超期未跟踪", FilterKind.BOOL, "followup_overdue"),
        FilterSpec("guide", "导购", FilterKind.PERSON, "guide_id", choices_sql=GUIDES_SQL),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
    ),
    default_sort="next_contact_on",
    descending=False,
    search=("name", "number", "phone", "full_address"),
    permissions=("customers.followup",),
))

FOLLOWUPS = register_list(ListSpec(
    name="followups",
    title="跟踪记录",
    source="yiwei.customer_followup_list",
    key="id",
    columns=(
        ListColumn(Column("contacted_at", "跟踪时间", ColumnKind.DATETIME), "contacted_at", nullable=False),
        ListColumn(Column("customer_number", "客户编号", ColumnKind.TEXT, width=22), "customer_number",
                   nullable=False, visible=False),
        ListColumn(Column("customer", "客户", ColumnKind.TEXT, width=10), "customer_name", nullable=False),
        ListColumn(Column("guide", "导购", ColumnKind.TEXT, width=10), "guide_name", nullable=False),
        ListColumn(Column("author", "记录人", ColumnKind.TEXT, width=10), "author_name", nullable=False),
        ListColumn(Column("kind", "方式", ColumnKind.TEXT, width=6), _label_sql("kind", FOLLOWUP_KINDS),
                   sort_expr="kind", nullable=False),
        ListColumn(Column("content", "跟踪内容", ColumnKind.TEXT, width=40), "content", nullable=False,
                   sortable=False),
        ListColumn(Column("next_contact_on", "下次联系", ColumnKind.DATE), "next_contact_on"),
        ListColumn(Column("store", "门店", ColumnKind.TEXT, width=16), "store_name", nullable=False, visible=False),
    ),
    filters=(
        FilterSpec("contacted", "跟踪日期", FilterKind.DATE_RANGE, "contacted_at"),
        FilterSpec("guide", "导购", FilterKind.PERSON, "guide_id", choices_sql=GUIDES_SQL),
        FilterSpec("kind", "方式", FilterKind.CHOICE, "kind", choices=FOLLOWUP_KINDS),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
    ),
    default_sort="contacted_at",
    descending=True,
    search=("customer_name", "customer_number", "content"),
    permissions=("customers.followup",),
))

DESIGNER_TASKS = register_list(ListSpec(
    name="designer_tasks",
    title="设计师任务",
    source="yiwei.designer_task_list",
    key="id",
    columns=(
        ListColumn(Column("due_on", "完成期限", ColumnKind.DATE), "due_on", nullable=False),
        ListColumn(Column("overdue", "逾期", ColumnKind.BOOL, width=6), "overdue", nullable=False),
        ListColumn(Column("kind", "任务", ColumnKind.TEXT, width=6), _label_sql("kind", TASK_KINDS),
                   sort_expr=_rank_sql("kind", TASK_KINDS), nullable=False),
        ListColumn(Column("status", "状态", ColumnKind.TEXT, width=8), _label_sql("status", TASK_STATUSES),
                   sort_expr=_rank_sql("status", TASK_STATUSES), nullable=False),
        ListColumn(Column("customer", "客户", ColumnKind.TEXT, width=10), "customer_name", nullable=False),
        ListColumn(Column("customer_number", "客户编号", ColumnKind.TEXT, width=22), "customer_number",
                   nullable=False, visible=False),
        ListColumn(Column("address", "地址", ColumnKind.TEXT, width=26), "address", nullable=False),
        ListColumn(Column("designer", "设计师", ColumnKind.TEXT, width=10), "designer_name", nullable=False),
        ListColumn(Column("guide", "导购", ColumnKind.TEXT, width=10), "guide_name", nullable=False),
        ListColumn(Column("store", "门店", ColumnKind.TEXT, width=16), "store_name", nullable=False),
        ListColumn(Column("note", "说明", ColumnKind.TEXT, width=24), "note", nullable=False, sortable=False),
        ListColumn(Column("result", "完成情况/取消原因", ColumnKind.TEXT, width=24), "result", nullable=False,
                   sortable=False),
        ListColumn(Column("done_at", "完成时间", ColumnKind.DATETIME), "done_at", visible=False),
    ),
    filters=(
        FilterSpec("designer", "设计师", FilterKind.PERSON, "designer_id", choices_sql=DESIGNERS_SQL),
        FilterSpec("status", "状态", FilterKind.CHOICE, "status", choices=TASK_STATUSES),
        FilterSpec("overdue", "仅逾期", FilterKind.BOOL, "overdue", choices=(("true", "逾期"), ("false", "未逾期"))),
        FilterSpec("due", "完成期限", FilterKind.DATE_RANGE, "due_on"),
        FilterSpec("kind", "任务", FilterKind.CHOICE, "kind", choices=TASK_KINDS),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
    ),
    default_sort="due_on",
    descending=False,
    search=("customer_name", "customer_number", "address", "note"),
    permissions=("customers.designer_task",),
))
