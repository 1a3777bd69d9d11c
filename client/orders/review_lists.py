"""Lists of the review and follow-up screens of 订单管理: the 图审 and 审价 queues, the review history,
change orders (改补单) and their responsibility decisions, contract templates and their versions,
and the commissionable contracts of a period (可计提订单).

The queues hold contracts and change orders together: a reviewer works through what waits for them,
whatever its kind. Their source is a union over the contract and change-order list views (both
security_invoker, so the reviewer's own scope applies); the key says which of the two a row is
("C" + contract id, "G" + change-order id).
"""

from __future__ import annotations

from dataclasses import replace

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec

# The readers of contracts and what hangs off them (the read policies of 0204 use the same set).
CONTRACT_READERS = ("orders.contract", "orders.drawing_review", "orders.price_review", "orders.sign",
                    "orders.change_order", "orders.responsibility")

CHANGE_ORDER_STATUSES = (("draft", "草稿"), ("submitted", "待图审"), ("drawing_passed", "待审价"),
                         ("approved", "已审核"), ("returned", "已退回"), ("cancelled", "已作废"))
CHANGE_ORDER_KINDS = (("change", "改单"), ("supplement", "补单"))
REVIEW_KINDS = (("drawing", "图审"), ("price", "审价"))

# Contract states in which a change order may be made (save_change_order checks the same).
CHANGEABLE_STATES = ("signed", "in_production", "delivered", "installed")


def _text(key: str, title: str, expr: str | None = None, width: int = 14, **extra) -> ListColumn:
    return ListColumn(Column(key, title, ColumnKind.TEXT, width=width), expr or key, **extra)


def _money(key: str, title: str, expr: str | None = None, **extra) -> ListColumn:
    return ListColumn(Column(key, title, ColumnKind.MONEY), expr or key, **extra)


def _moment(key: str, title: str, **extra) -> ListColumn:
    return ListColumn(Column(key, title, ColumnKind.DATETIME), key, **extra)


def _queue_source(status: str) -> str:
    """Contracts and change orders in ``status`` (submitted = awaiting 图审, drawing_passed = 审价)."""
    return (
        "(SELECT 'C' || c.id AS queue_key, 'contract' AS item_kind, '合同' AS item_label, c.id AS contract_id,"
        "        c.number, c.number AS contract_number, c.customer_name, c.store_name, c.store_id, c.guide_name,"
        "        c.designer_name, c.total AS amount, c.status_label, c.submitted_at"
        "   FROM yiwei.contract_list c WHERE c.status = '" + status + "'"
        " UNION ALL"
        " SELECT 'G' || o.id, 'change_order', '改补单', o.contract_id, o.number, o.contract_number, o.customer_name,"
        "        o.store_name, o.store_id, c.guide_name, c.designer_name, o.amount_delta, o.status_label, o.submitted_at"
        "   FROM yiwei.change_order_list o JOIN yiwei.contract_list c ON c.id = o.contract_id"
        "  WHERE o.status = '" + status + "') q")


def _queue(name: str, title: str, status: str, permission: str) -> ListSpec:
    return register_list(ListSpec(
        name=name, title=title, source=_queue_source(status), key="queue_key",
        columns=(
            _text("item_label", "类别", width=6, nullable=False),
            _text("number", "单号", width=22, nullable=False),
            _text("contract_number", "合同编号", width=22, nullable=False, visible=False),
            _text("customer_name", "客户", width=10),
            _text("store_name", "门店", width=12, nullable=False),
            _text("guide_name", "导购", width=8),
            _text("designer_name", "设计师", width=8),
            _money("amount", "金额"),
            _text("status_label", "状态", width=8, nullable=False),
            _moment("submitted_at", "提交时间"),
        ),
        filters=(
            FilterSpec("item_kind", "类别", FilterKind.CHOICE, "item_kind",
                       choices=(("contract", "合同"), ("change_order", "改补单"))),
            FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
            FilterSpec("submitted_at", "提交时间", FilterKind.DATE_RANGE, "submitted_at"),
        ),
        # Oldest first: a queue is worked through in the order it was filled.
        default_sort="submitted_at", descending=False,
        search=("number", "contract_number", "customer_name"),
        permissions=(permission,),
    ))


DRAWING_QUEUE = _queue("drawing_review_queue", "图审", "submitted", "orders.drawing_review")
PRICE_QUEUE = _queue("price_review_queue", "审价", "drawing_passed", "orders.price_review")

CONTRACT_REVIEWS = register_list(ListSpec(
    name="contract_reviews", title="审核记录", source="yiwei.contract_review_list", key="id",
    columns=(
        _moment("created_at", "审核时间", nullable=False),
        _text("kind_label", "审核类别", width=6, sort_expr="kind", nullable=False),
        _text("contract_number", "合同编号", width=22, nullable=False),
        _text("change_order_number", "改补单号", width=22),
        _text("result_label", "结果", width=6, sort_expr="passed", nullable=False),
        _text("reviewer_name", "审核人", width=8),
        _text("comment", "审核意见", width=30, nullable=False),
        _text("checklist_text", "检查项", width=30),
        ListColumn(Column("lowest_rate", "最低折扣", ColumnKind.DECIMAL, width=8), "lowest_rate"),
    ),
    filters=(
        FilterSpec("created_at", "审核时间", FilterKind.DATE_RANGE, "created_at"),
        FilterSpec("kind", "审核类别", FilterKind.CHOICE, "kind", choices=REVIEW_KINDS),
        FilterSpec("passed", "结果", FilterKind.BOOL, "passed", choices=(("true", "通过"), ("false", "退回"))),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
    ),
    default_sort="created_at", descending=True,
    search=("contract_number", "change_order_number", "reviewer_name", "comment"),
    permissions=CONTRACT_READERS,
))

CHANGE_ORDERS = register_list(ListSpec(
    name="change_orders", title="合同改补单", source="yiwei.change_order_list", key="id",
    columns=(
        _text("number", "改补单号", width=22, nullable=False),
        _text("contract_number", "合同编号", width=22, nullable=False),
        _text("customer_name", "客户", width=10),
        _text("store_name", "门店", width=12, nullable=False),
        _text("kind_label", "类型", width=6, sort_expr="kind", nullable=False),
        _text("status_label", "状态", width=8, sort_expr="status", nullable=False),
        _money("amount_delta", "增减金额", nullable=False),
        _text("reason", "改补原因", width=30, nullable=False),
        _text("responsible_party_label", "责任方", width=8),
        _text("responsibility_reason_name", "责任原因", width=12),
        _text("responsibility_note", "判定说明", width=20, visible=False),
        _text("decided_by_name", "判定人", width=8),
        _moment("decided_at", "判定时间"),
        _moment("submitted_at", "提交时间", visible=False),
        _moment("approved_at", "审核通过时间", visible=False),
        _moment("created_at", "建单时间", nullable=False),
        # The version the row was read at: a step taken on the row (提交, 作废, 判定) is refused when
        # someone changed the change order since.
        ListColumn(Column("version", "版本", ColumnKind.INTEGER, width=5), "version", visible=False, nullable=False),
    ),
    filters=(
        FilterSpec("status", "状态", FilterKind.CHOICE, "status", choices=CHANGE_ORDER_STATUSES),
        FilterSpec("kind", "类型", FilterKind.CHOICE, "kind", choices=CHANGE_ORDER_KINDS),
        FilterSpec("decided", "责任判定", FilterKind.BOOL, "(decided_by IS NOT NULL)",
                   choices=(("true", "已判定"), ("false", "未判定"))),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("created_at", "建单时间", FilterKind.DATE_RANGE, "created_at"),
    ),
    default_sort="created_at", descending=True,
    search=("number", "contract_number", "customer_name", "reason"),
    permissions=CONTRACT_READERS,
))

# 责任人判定: the same rows, its own column choice and its own permission.
RESPONSIBILITY = register_list(replace(CHANGE_ORDERS, name="responsibility_decisions", title="责任人判定",
                                       permissions=("orders.responsibility",)))

# The contracts a change order may be made for (picked in 合同改补单 → 新建).
CHANGEABLE_CONTRACTS = register_list(ListSpec(
    name="changeable_contracts", title="选择合同",
    source=("(SELECT * FROM yiwei.contract_list WHERE status IN ("
            + ", ".join(f"'{s}'" for s in CHANGEABLE_STATES) + ")) q"),
    key="id",
    columns=(
        _text("number", "合同编号", width=22, nullable=False),
        _text("customer_name", "客户", width=10),
        _text("customer_address", "地址", width=24),
        _text("store_name", "门店", width=12, nullable=False),
        _text("guide_name", "导购", width=8),
        _text("status_label", "状态", width=8, nullable=False),
        _money("total", "合同金额", nullable=False),
        _moment("signed_at", "签订时间"),
    ),
    filters=(FilterSpec("store", "门店", FilterKind.STORE, "store_id"),),
    default_sort="signed_at", descending=True,
    search=("number", "customer_name", "customer_address"),
    permissions=("orders.change_order",),
))

CONTRACT_TEMPLATES = register_list(ListSpec(
    name="contract_templates", title="合同模块管理", source="yiwei.contract_template_list", key="id",
    columns=(
        _text("name", "模板名称", width=20, nullable=False),
        _text("line_name", "产品系列", width=10, expr="coalesce(line_name, '全部系列')", nullable=False),
        ListColumn(Column("version", "版本", ColumnKind.INTEGER, width=5), "version", nullable=False),
        ListColumn(Column("active", "启用", ColumnKind.BOOL), "active", nullable=False),
        _text("saved_by_name", "保存人", width=8),
        _moment("saved_at", "保存时间", nullable=False),
    ),
    filters=(FilterSpec("active", "状态", FilterKind.BOOL, "active", choices=(("true", "启用"), ("false", "停用"))),),
    default_sort="name", descending=False,
    search=("name", "coalesce(line_name, '全部系列')"),
    permissions=("orders.template",),
))

# Every version of the templates, for a family's history (the screen filters by family).
CONTRACT_TEMPLATE_VERSIONS = register_list(ListSpec(
    name="contract_template_versions", title="合同模板版本",
    source=("(SELECT t.id, t.family_id, t.version, t.name, coalesce(pl.name, '全部系列') AS line_name, t.active,"
            "        t.body, t.created_at,"
            "        coalesce(yiwei.employee_name((SELECT e.id FROM yiwei.employee e WHERE e.role_name = t.created_by)),"
            "                 t.created_by) AS saved_by_name"
            "   FROM yiwei.contract_template t LEFT JOIN yiwei.product_line pl ON pl.id = t.line_id) q"),
    key="id",
    columns=(
        ListColumn(Column("version", "版本", ColumnKind.INTEGER, width=5), "version", nullable=False),
        _text("name", "模板名称", width=20, nullable=False),
        _text("line_name", "产品系列", width=10, nullable=False),
        ListColumn(Column("active", "启用", ColumnKind.BOOL), "active", nullable=False),
        _text("saved_by_name", "保存人", width=8),
        _moment("created_at", "保存时间", nullable=False),
        _text("body", "合同条款", width=40, visible=False, nullable=False),
    ),
    filters=(FilterSpec("family", "模板", FilterKind.CHOICE, "family_id",
                        choices_sql="SELECT family_id, name FROM yiwei.contract_template_list ORDER BY name"),),
    default_sort="version", descending=True,
    search=("name", "body"),
    permissions=("orders.template",),
))

# 可计提订单: the rows yiwei.commissionable_contracts(from, to) returns — signed, not cancelled, paid
# share at least the parameter — with the period as the signing-day filter (the same view, the same
# condition, so the list and the function cannot disagree).
COMMISSIONABLE = register_list(ListSpec(
    name="commissionable_contracts", title="可计提订单",
    source="(SELECT * FROM yiwei.commissionable_contract_list WHERE commissionable) q", key="id",
    columns=(
        ListColumn(Column("signed_on", "签订日期", ColumnKind.DATE), "signed_on", nullable=False),
        _text("number", "合同编号", width=22, nullable=False),
        _text("customer_name", "客户", width=10),
        _text("store_name", "门店", width=12, nullable=False),
        _text("guide_name", "导购", width=8),
        _text("designer_name", "设计师", width=8),
        _text("status_label", "状态", width=8, sort_expr="status", nullable=False),
        _money("total", "应收金额", nullable=False),
        _money("paid_total", "已收金额", nullable=False),
        _money("unpaid_total", "未收金额", expr="total - paid_total", nullable=False),
        ListColumn(Column("paid_percent", "已收比例%", ColumnKind.DECIMAL, width=8), "round(paid_share * 100, 2)",
                   nullable=False),
    ),
    filters=(
        FilterSpec("signed_on", "签订日期", FilterKind.DATE_RANGE, "signed_on"),
        FilterSpec("store", "门店", FilterKind.STORE, "store_id"),
        FilterSpec("guide", "导购", FilterKind.TEXT, "guide_name"),
    ),
    default_sort="signed_on", descending=False,
    search=("number", "customer_name", "guide_name"),
    permissions=("orders.commissionable",),
))
