"""Lists of the system administration module."""

from __future__ import annotations

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec

_SCOPE_LABEL = ("CASE scope WHEN 'own' THEN '本人' WHEN 'store' THEN '门店' WHEN 'region' THEN '大区'"
                " WHEN 'company' THEN '公司' END")
# Narrow to wide, so sorting by scope reads naturally.
_SCOPE_RANK = "CASE scope WHEN 'own' THEN 1 WHEN 'store' THEN 2 WHEN 'region' THEN 3 WHEN 'company' THEN 4 END"
_STATUS_LABEL = "CASE WHEN active THEN '在职' ELSE '停用' END"

EMPLOYEES = register_list(ListSpec(
    name="employees",
    title="员工信息",
    source="yiwei.employee_list",
    key="id",
    columns=(
        ListColumn(Column("login", "登录名", ColumnKind.TEXT, width=16), "login", nullable=False),
        ListColumn(Column("full_name", "姓名", ColumnKind.TEXT, width=10), "full_name", nullable=False),
        ListColumn(Column("phone", "手机", ColumnKind.TEXT, width=14), "phone", nullable=False),
        ListColumn(Column("position", "岗位", ColumnKind.TEXT, width=12), "position_name", nullable=False),
        ListColumn(Column("scope", "数据范围", ColumnKind.TEXT, width=10), _SCOPE_LABEL, sort_expr=_SCOPE_RANK,
                   nullable=False),
        ListColumn(Column("region", "大区", ColumnKind.TEXT, width=8), "region_name"),
        ListColumn(Column("store", "门店", ColumnKind.TEXT, width=16), "store_name"),
        ListColumn(Column("department", "部门", ColumnKind.TEXT, width=10), "department_name"),
        ListColumn(Column("status", "状态", ColumnKind.TEXT, width=8), _STATUS_LABEL, sort_expr="active",
                   nullable=False),
        ListColumn(Column("created_at", "创建时间", ColumnKind.DATETIME), "created_at", nullable=False),
    ),
    filters=(
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("position", "岗位", FilterKind.CHOICE, "position_id",
                   choices_sql="SELECT p.id, p.name FROM yiwei.position p ORDER BY p.name"),
        FilterSpec("active", "状态", FilterKind.BOOL, "active", choices=(("true", "在职"), ("false", "停用"))),
        FilterSpec("name", "姓名/登录名", FilterKind.TEXT, "concat_ws(' ', full_name, login)"),
    ),
    default_sort="login",
    descending=False,
    search=("login", "full_name", "phone"),
    permissions=("system.employee.view", "system.employee.manage"),
))

_ACTION_LABEL = ("CASE action WHEN 'INSERT' THEN '新增' WHEN 'UPDATE' THEN '修改' WHEN 'DELETE' THEN '删除'"
                 " WHEN 'EVENT' THEN '事件' ELSE action END")
# Tables by their business name; a module that adds audited tables adds its names here.
_TABLE_LABEL = "table_label"  # the table's Chinese name, from its COMMENT in the schema
# Excel keeps at most 32,767 characters in a cell; a row image is far shorter in practice.
_EXCEL_CELL = 32000

AUDIT_LOG = register_list(ListSpec(
    name="audit_log",
    title="操作日志",
    source="yiwei.audit_log_list",
    key="id",
    columns=(
        ListColumn(Column("at", "时间", ColumnKind.DATETIME), "at", nullable=False),
        ListColumn(Column("actor", "操作人", ColumnKind.TEXT, width=12), "actor_name"),
        ListColumn(Column("table", "数据", ColumnKind.TEXT, width=10), _TABLE_LABEL, nullable=False),
        ListColumn(Column("row_key", "记录号", ColumnKind.TEXT, width=10), "row_key"),
        ListColumn(Column("action", "操作", ColumnKind.TEXT, width=8), _ACTION_LABEL, nullable=False),
        ListColumn(Column("old", "修改前", ColumnKind.TEXT, width=50), f"left(old_text, {_EXCEL_CELL})",
                   sortable=False),
        ListColumn(Column("new", "修改后", ColumnKind.TEXT, width=50), f"left(new_text, {_EXCEL_CELL})",
                   sortable=False),
    ),
    filters=(
        FilterSpec("at", "时间", FilterKind.DATE_RANGE, "at"),
        FilterSpec("actor", "操作人", FilterKind.TEXT, "actor_name"),
        FilterSpec("table", "数据", FilterKind.TEXT, _TABLE_LABEL),
        FilterSpec("action", "操作", FilterKind.CHOICE, "action",
                   choices=(("INSERT", "新增"), ("UPDATE", "修改"), ("DELETE", "删除"), ("EVENT", "事件"))),
    ),
    default_sort="at",
    descending=True,
    search=("actor_name", "row_key", "new_text"),
    permissions=("system.audit.view",),
))

_OUTPUT_KIND = "CASE kind WHEN 'export' THEN '导出' WHEN 'print' THEN '打印' END"

# Every employee sees their own exports and prints (auditors see everyone's): what left the system.
OUTPUT_LOG = register_list(ListSpec(
    name="output_log",
    title="导出与打印记录",
    source="yiwei.output_log_list",
    key="id",
    columns=(
        ListColumn(Column("at", "时间", ColumnKind.DATETIME), "at", nullable=False),
        ListColumn(Column("actor", "操作人", ColumnKind.TEXT, width=12), "actor_name"),
        ListColumn(Column("kind", "类型", ColumnKind.TEXT, width=6), _OUTPUT_KIND, nullable=False),
        ListColumn(Column("subject", "列表/单据", ColumnKind.TEXT, width=16), "subject", nullable=False),
        ListColumn(Column("doc_number", "单据号", ColumnKind.TEXT, width=24), "doc_number"),
        ListColumn(Column("copy_no", "第几份", ColumnKind.INTEGER, width=8), "copy_no", nullable=False),
        ListColumn(Column("row_count", "行数", ColumnKind.INTEGER, width=10, total=True), "row_count"),
        ListColumn(Column("filter", "筛选条件", ColumnKind.TEXT, width=40), "filter_text", sortable=False),
    ),
    filters=(
        FilterSpec("at", "时间", FilterKind.DATE_RANGE, "at"),
        FilterSpec("kind", "类型", FilterKind.CHOICE, "kind", choices=(("export", "导出"), ("print", "打印"))),
        FilterSpec("subject", "列表/单据", FilterKind.TEXT, "subject"),
    ),
    default_sort="at",
    descending=True,
    search=("subject", "doc_number", "actor_name"),
))
