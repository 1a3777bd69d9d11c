"""Lists of the product catalogue (产品系列 … 责任原因), the maintenance screens of 基础信息.

Everyone reads the catalogue (the contract forms pick from it); the product, price-list and package
lists are open to those who quote too, the rest only to who maintains them. Cost prices come from
``product_list.cost``, NULL for a login without the cost permission (the database decides).
"""

from __future__ import annotations

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec, SearchMatch

from .lists import _ACTIVE_FILTER, _status_column

# Who reads the catalogue lists beyond those who keep them: guides and designers quote from
# products, prices and packages; finance looks at costs.
QUOTING = ("orders.contract", "orders.cost_view")

_LINE_CHOICES_SQL = ("SELECT l.id, l.name || CASE WHEN l.active THEN '' ELSE '（停用）' END"
                     "  FROM yiwei.product_line l ORDER BY NOT l.active, l.sort_order, l.code")
_LINE_OR_ALL_CHOICES_SQL = f"SELECT 0, '全部系列' UNION ALL ({_LINE_CHOICES_SQL})"
_GRADE_CHOICES_SQL = ("SELECT g.id, g.name || CASE WHEN g.active THEN '' ELSE '（停用）' END"
                      "  FROM yiwei.product_grade g ORDER BY NOT g.active, g.sort_order, g.code")
_PRICE_LIST_CHOICES_SQL = "SELECT pl.id, pl.name FROM yiwei.price_list pl ORDER BY NOT pl.active, pl.valid_from DESC"
_CURRENT_FILTER = FilterSpec("current", "当前有效", FilterKind.BOOL, "current",
                             choices=(("true", "有效"), ("false", "无效")))


def _text(key: str, title: str, expr: str | None = None, width: int = 14, **extra) -> ListColumn:
    return ListColumn(Column(key, title, ColumnKind.TEXT, width=width), expr or key, **extra)


def _updated() -> ListColumn:
    return ListColumn(Column("updated_at", "修改时间", ColumnKind.DATETIME), "updated_at", nullable=False)


def _coded_list(name: str, title: str, source: str) -> ListSpec:
    """产品系列 and 产品品级 are alike: code, name, order, status."""
    return register_list(ListSpec(
        name=name, title=title, source=source, key="id",
        columns=(
            _text("code", "编码", width=10, nullable=False),
            _text("name", "名称", width=16, nullable=False),
            ListColumn(Column("sort_order", "排序", ColumnKind.INTEGER, width=6), "sort_order", nullable=False),
            _status_column(),
            _updated(),
        ),
        filters=(_ACTIVE_FILTER,),
        default_sort="sort_order", descending=False,
        search=("code", "name"),
        permissions=("masterdata.product",),
    ))


PRODUCT_LINES = _coded_list("product_lines", "产品系列", "yiwei.product_line")
PRODUCT_GRADES = _coded_list("product_grades", "产品品级", "yiwei.product_grade")

SUPPLY_PACKAGES = register_list(ListSpec(
    name="supply_packages", title="总部供货包装名称", source="yiwei.supply_package", key="id",
    columns=(
        _text("name", "包装名称", width=24, nullable=False),
        _text("note", "备注", width=40, nullable=False),
        _status_column(),
        _updated(),
    ),
    filters=(_ACTIVE_FILTER,),
    default_sort="name", descending=False,
    search=("name", "note"),
    permissions=("masterdata.product",),
))

PRODUCTS = register_list(ListSpec(
    name="products", title="产品信息", source="yiwei.product_list", key="id",
    columns=(
        _text("code", "产品编码", width=12, nullable=False),
        _text("name", "产品名称", width=22, nullable=False),
        _text("line", "产品系列", "line_name", width=8, nullable=False),
        _text("grade", "产品品级", "grade_name", width=8),
        _text("style", "款型", width=10, nullable=False),
        _text("style_aliases", "款型别名", width=14, nullable=False),
        _text("colour", "颜色", width=10, nullable=False),
        _text("spec", "规格", width=14, nullable=False),
        _text("unit", "单位", width=5, nullable=False),
        _text("supply_package", "总部供货包装", "supply_package_name", width=16),
        # a unit cost: totalling it over products means nothing
        ListColumn(Column("cost", "成本价", ColumnKind.MONEY, width=12, total=False), "cost"),
        _status_column(),
        _updated(),
    ),
    filters=(
        FilterSpec("line", "产品系列", FilterKind.CHOICE, "line_id", choices_sql=_LINE_CHOICES_SQL),
        FilterSpec("grade", "产品品级", FilterKind.CHOICE, "grade_id", choices_sql=_GRADE_CHOICES_SQL),
        _ACTIVE_FILTER,
    ),
    default_sort="code", descending=False,
    search=("code", "name", "style", "style_aliases"),
    # an alias of the style ("欧式简约" for 简欧) finds the style's products although no product
    # is written with it; the database's own search knows the aliases and the text keys
    search_matches=(SearchMatch(r".{1,40}", "id = ANY (yiwei.find_products({term}))"),),
    permissions=("masterdata.product", *QUOTING),
))

STYLE_ALIASES = register_list(ListSpec(
    name="style_aliases", title="款型别名", source="yiwei.style_alias", key="id",
    columns=(
        _text("style", "款型", width=14, nullable=False),
        _text("alias", "别名", width=14, nullable=False),
        ListColumn(Column("product_count", "产品数", ColumnKind.INTEGER, width=6),
                   "(SELECT count(*) FROM yiwei.product p WHERE p.style_key = style_alias.style_key)",
                   nullable=False),
        _updated(),
    ),
    default_sort="style", descending=False,
    search=("style", "alias"),
    permissions=("masterdata.product",),
))

PRICE_LISTS = register_list(ListSpec(
    name="price_lists", title="零售价格体系", source="yiwei.price_list_list", key="id",
    columns=(
        _text("code", "编码", width=16, nullable=False),
        _text("name", "价格体系名称", width=20, nullable=False),
        ListColumn(Column("valid_from", "生效日期", ColumnKind.DATE), "valid_from", nullable=False),
        ListColumn(Column("valid_to", "截止日期", ColumnKind.DATE), "valid_to"),
        _text("status", "状态", width=6, nullable=False),
        ListColumn(Column("item_count", "产品数", ColumnKind.INTEGER, width=6), "item_count", nullable=False),
        _text("note", "备注", width=30, nullable=False),
    ),
    filters=(
        FilterSpec("status", "状态", FilterKind.CHOICE, "status",
                   choices=(("有效", "有效"), ("未生效", "未生效"), ("已过期", "已过期"), ("停用", "停用"))),
    ),
    default_sort="valid_from", descending=True,
    search=("code", "name", "note"),
    permissions=("masterdata.product", *QUOTING),
))

PRICE_LIST_ITEMS = register_list(ListSpec(
    name="price_list_items", title="价格体系明细", source="yiwei.price_list_item_list", key="id",
    columns=(
        _text("product_code", "产品编码", width=12, nullable=False),
        _text("product_name", "产品名称", width=22, nullable=False),
        _text("line", "产品系列", "line_name", width=8, nullable=False),
        _text("style", "款型", width=10, nullable=False),
        _text("colour", "颜色", width=10, nullable=False),
        _text("spec", "规格", width=14, nullable=False),
        _text("unit", "单位", width=5, nullable=False),
        ListColumn(Column("price", "零售价", ColumnKind.MONEY, width=12, total=False), "price", nullable=False),
        _text("product_status", "产品状态", "CASE WHEN product_active THEN '启用' ELSE '停用' END", width=6,
              sort_expr="product_active", nullable=False),
        _updated(),
    ),
    filters=(
        FilterSpec("price_list", "价格体系", FilterKind.CHOICE, "price_list_id", choices_sql=_PRICE_LIST_CHOICES_SQL),
        FilterSpec("line", "产品系列", FilterKind.CHOICE, "line_id", choices_sql=_LINE_CHOICES_SQL),
    ),
    default_sort="product_code", descending=False,
    search=("product_code", "product_name", "style"),
    permissions=("masterdata.product", *QUOTING),
))

PROMOTIONS = register_list(ListSpec(
    name="promotions", title="促销活动", source="yiwei.promotion_list", key="id",
    columns=(
        _text("name", "活动名称", width=20, nullable=False),
        _text("line", "产品系列", "line_name", width=10, nullable=False),
        ListColumn(Column("min_rate", "最低折扣", ColumnKind.DECIMAL, width=8), "min_rate", nullable=False),
        ListColumn(Column("valid_from", "开始日期", ColumnKind.DATE), "valid_from", nullable=False),
        ListColumn(Column("valid_to", "结束日期", ColumnKind.DATE), "valid_to", nullable=False),
        ListColumn(Column("current", "当前有效", ColumnKind.BOOL), "current", nullable=False),
        _text("note", "备注", width=30, nullable=False),
        _status_column(),
    ),
    filters=(
        FilterSpec("line", "产品系列", FilterKind.CHOICE, "coalesce(line_id, 0)", choices_sql=_LINE_OR_ALL_CHOICES_SQL),
        _CURRENT_FILTER,
        _ACTIVE_FILTER,
    ),
    default_sort="valid_from", descending=True,
    search=("name", "note"),
    permissions=("masterdata.promotion", "orders.contract"),
))

PACKAGES = register_list(ListSpec(
    name="packages", title="套餐", source="yiwei.package_list", key="id",
    columns=(
        _text("code", "套餐编码", width=12, nullable=False),
        _text("name", "套餐名称", width=18, nullable=False),
        _text("price_list", "价格体系", "price_list_name", width=14, nullable=False),
        ListColumn(Column("price", "套餐价", ColumnKind.MONEY, total=False), "price", nullable=False),
        ListColumn(Column("list_total", "原价合计", ColumnKind.MONEY, total=False), "list_total"),
        ListColumn(Column("saving", "优惠", ColumnKind.MONEY, total=False), "saving"),
        ListColumn(Column("item_count", "产品数", ColumnKind.INTEGER, width=6), "item_count", nullable=False),
        _text("items", "套餐内容", "items_text", width=40),
        ListColumn(Column("valid_from", "开始日期", ColumnKind.DATE), "valid_from", nullable=False),
        ListColumn(Column("valid_to", "结束日期", ColumnKind.DATE), "valid_to"),
        ListColumn(Column("current", "当前有效", ColumnKind.BOOL), "current", nullable=False),
        _text("rules", "套餐规则", width=30, nullable=False),
        _status_column(),
    ),
    filters=(
        FilterSpec("price_list", "价格体系", FilterKind.CHOICE, "price_list_id", choices_sql=_PRICE_LIST_CHOICES_SQL),
        _CURRENT_FILTER,
        _ACTIVE_FILTER,
    ),
    default_sort="code", descending=False,
    search=("code", "name", "items_text", "rules"),
    permissions=("masterdata.promotion", "orders.contract"),
))

CHECKLIST_ITEMS = register_list(ListSpec(
    name="checklist_items", title="订单完整性项目", source="yiwei.checklist_item_list", key="id",
    columns=(
        _text("name", "检查项目", width=28, nullable=False),
        _text("line", "产品系列", "line_name", width=10, nullable=False),
        ListColumn(Column("sort_order", "排序", ColumnKind.INTEGER, width=6), "sort_order", nullable=False),
        _status_column(),
    ),
    filters=(
        FilterSpec("line", "产品系列", FilterKind.CHOICE, "coalesce(line_id, 0)", choices_sql=_LINE_OR_ALL_CHOICES_SQL),
        _ACTIVE_FILTER,
    ),
    default_sort="sort_order", descending=False,
    search=("name",),
    permissions=("masterdata.checklist",),
))

RESPONSIBILITY_REASONS = register_list(ListSpec(
    name="responsibility_reasons", title="责任原因", source="yiwei.responsibility_reason", key="id",
    columns=(
        _text("name", "责任原因", width=24, nullable=False),
        ListColumn(Column("sort_order", "排序", ColumnKind.INTEGER, width=6), "sort_order", nullable=False),
        _status_column(),
        _updated(),
    ),
    filters=(_ACTIVE_FILTER,),
    default_sort="sort_order", descending=False,
    search=("name",),
    permissions=("masterdata.checklist",),
))
