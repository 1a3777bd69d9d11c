"""The contract list of 合同下单: every contract the login may see (a guide or designer their own, a
store manager the store's, a region director the region's), filtered by status, store, guide,
designer and dates, searched by number, customer, address or phone, exported as shown.

The source is ``yiwei.contract_list`` (security_invoker): row-level security decides the rows, the
view gives the names and the status label the database itself uses.
"""

from __future__ import annotations

from client.customers.lists import _CUSTOMER_STAFF_SQL, _rank
from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec

# The states of a contract in the order of its life (the rank the status column sorts by); the
# labels are those of yiwei.contract_status_label.
CONTRACT_STATUSES = (("draft", "草稿"), ("submitted", "待图审"), ("drawing_passed", "待审价"),
                     ("price_passed", "待签订"), ("signed", "已签订"), ("in_production", "生产/采购中"),
                     ("delivered", "已送货"), ("installed", "已安装"), ("completed", "已完成"),
                     ("returned", "已退回"), ("cancelled", "已作废"))


def _text(key: str, title: str, expr: str | None = None, width: int = 14, **extra) -> ListColumn:
    return ListColumn(Column(key, title, ColumnKind.TEXT, width=width), expr or key, **extra)


def _money(key: str, title: str, **extra) -> ListColumn:
    return ListColumn(Column(key, title, ColumnKind.MONEY, total=True), key, **extra)


CONTRACTS = register_list(ListSpec(
    name="contracts",
    title="合同下单",
    source="yiwei.contract_list",
    key="id",
    columns=(
        _text("number", "合同编号", width=22, nullable=False),
        _text("customer_name", "客户", width=10),
        _text("customer_number", "客户编号", width=22, visible=False),
        _text("customer_phone", "电话", width=14, visible=False),
        _text("customer_address", "地址", width=24, visible=False),
        _text("store_name", "门店", width=12, nullable=False),
        _text("guide_name", "导购", width=8),
        _text("designer_name", "设计师", width=8),
        _text("status_label", "状态", width=11, sort_expr=_rank("status", CONTRACT_STATUSES), nullable=False),
        _money("list_total", "零售价金额", nullable=False, visible=False),
        _money("total", "合同金额", nullable=False),
        _money("changes_total", "改补金额", nullable=False, visible=False),
        _money("payable_total", "应收金额", nullable=False, visible=False),
        _money("paid_total", "已收金额", nullable=False, visible=False),
        _money("unpaid_total", "未收金额", nullable=False, visible=False),
        ListColumn(Column("expected_delivery_on", "交货日期", ColumnKind.DATE), "expected_delivery_on"),
        _text("price_list_name", "价格体系", width=12, visible=False),
        _text("design_file_name", "设计图纸", width=16, visible=False),
        ListColumn(Column("submitted_at", "提交时间", ColumnKind.DATETIME), "submitted_at", visible=False),
        ListColumn(Column("signed_at", "签订时间", ColumnKind.DATETIME), "signed_at"),
        _text("cancel_reason", "作废原因", width=20, visible=False),
        _text("note", "备注", width=24, visible=False, nullable=False),
        ListColumn(Column("created_at", "建单时间", ColumnKind.DATETIME), "created_at", nullable=False),
    ),
    filters=(
        FilterSpec("status", "状态", FilterKind.CHOICE, "status", choices=CONTRACT_STATUSES),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("guide", "导购", FilterKind.PERSON, "guide_id",
                   choices_sql=_CUSTOMER_STAFF_SQL.format(permission="orders.contract")),
        FilterSpec("designer", "设计师", FilterKind.PERSON, "designer_id",
                   choices_sql=_CUSTOMER_STAFF_SQL.format(permission="customers.designer_task")),
        FilterSpec("signed_at", "签订日期", FilterKind.DATE_RANGE, "signed_at"),
        FilterSpec("created_at", "建单日期", FilterKind.DATE_RANGE, "created_at"),
    ),
    default_sort="created_at",
    descending=True,
    search=("number", "customer_name", "customer_number", "customer_address", "customer_phone", "guide_name"),
    permissions=("orders.contract", "finance.receipt"),
))
