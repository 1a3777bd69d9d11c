"""Lists of the master-data module (基础信息).

Master data is read by every employee (the customer and lead forms pick from it); these lists are
the maintenance screens, so each asks for the permission that maintains its data.
"""

from __future__ import annotations

from client.exports.columns import Column, ColumnKind
from client.lists.catalog import register_list
from client.lists.spec import FilterKind, FilterSpec, ListColumn, ListSpec

CHANNEL_KINDS = (("decoration_company", "家装公司"), ("designer", "独立设计师"), ("agent", "房产中介"),
                 ("old_customer", "老客户"))

_STATUS_LABEL = "CASE WHEN active THEN '启用' ELSE '停用' END"
_ACTIVE_FILTER = FilterSpec("active", "状态", FilterKind.BOOL, "active", choices=(("true", "启用"), ("false", "停用")))
_KIND_LABEL = "CASE kind " + " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in CHANNEL_KINDS) + " END"
_KIND_RANK = "CASE kind " + " ".join(f"WHEN '{value}' THEN {rank}" for rank, (value, _l) in enumerate(CHANNEL_KINDS)) + " END"
# A channel or community without a region serves the whole company; the filter offers that as 0.
COMPANY_WIDE = "全公司"
_REGION_CHOICES_SQL = (f"SELECT 0, '{COMPANY_WIDE}' UNION ALL"
                       " (SELECT r.id, r.name FROM yiwei.region r ORDER BY NOT r.active, r.code)")
_REGION_FILTER = FilterSpec("region", "所属大区", FilterKind.CHOICE, "coalesce(region_id, 0)",
                            choices_sql=_REGION_CHOICES_SQL)
_REGION_COLUMN = ListColumn(Column("region", "所属大区", ColumnKind.TEXT, width=10),
                            f"coalesce(region_name, '{COMPANY_WIDE}')", nullable=False)


def _status_column() -> ListColumn:
    return ListColumn(Column("status", "状态", ColumnKind.TEXT, width=6), _STATUS_LABEL, sort_expr="active",
                      nullable=False)


CUSTOMER_SOURCES = register_list(ListSpec(
    name="customer_sources",
    title="客户来源",
    source="yiwei.customer_source",
    key="id",
    columns=(
        ListColumn(Column("name", "来源名称", ColumnKind.TEXT, width=20), "name", nullable=False),
        ListColumn(Column("sort_order", "排序", ColumnKind.INTEGER, width=8), "sort_order", nullable=False),
        _status_column(),
        ListColumn(Column("updated_at", "修改时间", ColumnKind.DATETIME), "updated_at", nullable=False),
    ),
    filters=(_ACTIVE_FILTER,),
    default_sort="sort_order",
    descending=False,
    search=("name",),
    permissions=("masterdata.customer_source",),
))

CHANNELS = register_list(ListSpec(
    name="channels",
    title="渠道信息",
    source="yiwei.channel_list",
    key="id",
    columns=(
        ListColumn(Column("name", "渠道名称", ColumnKind.TEXT, width=20), "name", nullable=False),
        ListColumn(Column("kind", "渠道类型", ColumnKind.TEXT, width=10), _KIND_LABEL, sort_expr=_KIND_RANK,
                   nullable=False),
        ListColumn(Column("contact_person", "联系人", ColumnKind.TEXT, width=10), "contact_person", nullable=False),
        ListColumn(Column("phone", "联系电话", ColumnKind.TEXT, width=14), "phone", nullable=False),
        _REGION_COLUMN,
        ListColumn(Column("address", "地址", ColumnKind.TEXT, width=28), "address", nullable=False),
        ListColumn(Column("designer_count", "设计师人数", ColumnKind.INTEGER, width=8), "designer_count",
                   nullable=False),
        ListColumn(Column("note", "备注", ColumnKind.TEXT, width=30), "note", nullable=False),
        _status_column(),
    ),
    filters=(
        FilterSpec("kind", "渠道类型", FilterKind.CHOICE, "kind", choices=CHANNEL_KINDS),
        _REGION_FILTER,
        _ACTIVE_FILTER,
    ),
    default_sort="name",
    descending=False,
    search=("name", "contact_person", "phone", "address"),
    permissions=("masterdata.channel",),
))

# Designers are filtered by their channel; 0 stands for those who belong to none.
_CHANNEL_CHOICES_SQL = ("SELECT 0, '（不属于渠道）' UNION ALL"
                        " (SELECT ch.id, ch.name || CASE WHEN ch.active THEN '' ELSE '（停用）' END"
                        "    FROM yiwei.channel ch ORDER BY NOT ch.active, ch.name)")

DECORATION_DESIGNERS = register_list(ListSpec(
    name="decoration_designers",
    title="家装设计师",
    source="yiwei.decoration_designer_list",
    key="id",
    columns=(
        ListColumn(Column("name", "姓名", ColumnKind.TEXT, width=10), "name", nullable=False),
        ListColumn(Column("phone", "联系电话", ColumnKind.TEXT, width=14), "phone", nullable=False),
        ListColumn(Column("channel", "所属渠道", ColumnKind.TEXT, width=20), "channel_name"),
        ListColumn(Column("speciality", "擅长风格", ColumnKind.TEXT, width=16), "speciality", nullable=False),
        ListColumn(Column("note", "备注", ColumnKind.TEXT, width=30), "note", nullable=False),
        _status_column(),
    ),
    filters=(
        FilterSpec("channel", "所属渠道", FilterKind.CHOICE, "coalesce(channel_id, 0)",
                   choices_sql=_CHANNEL_CHOICES_SQL),
        _ACTIVE_FILTER,
    ),
    default_sort="name",
    descending=False,
    search=("name", "phone", "channel_name", "speciality"),
    permissions=("masterdata.decoration_designer",),
))

COMMUNITIES = register_list(ListSpec(
    name="communities",
    title="小区信息",
    source="yiwei.community_list",
    key="id",
    columns=(
        ListColumn(Column("name", "小区名称", ColumnKind.TEXT, width=20), "name", nullable=False),
        ListColumn(Column("aliases", "别名", ColumnKind.TEXT, width=28), "aliases", nullable=False),
        ListColumn(Column("district", "区县", ColumnKind.TEXT, width=10), "district", nullable=False),
        _REGION_COLUMN,
        ListColumn(Column("address", "地址", ColumnKind.TEXT, width=28), "address", nullable=False),
        _status_column(),
    ),
    filters=(
        _REGION_FILTER,
        FilterSpec("district", "区县", FilterKind.TEXT, "district"),
        _ACTIVE_FILTER,
    ),
    default_sort="name",
    descending=False,
    search=("name", "aliases", "district", "address"),
    permissions=("masterdata.community",),
))
