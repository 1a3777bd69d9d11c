"""The catalogue's imports: products (产品信息) and the prices of one price list (零售价格体系).

Field keys are the ones yiwei.check_product_import / import_products and
check_price_list_import / import_price_list read (server_schema/sql/0201_catalogue.sql).
"""

from __future__ import annotations

from decimal import Decimal

from .spec import FieldKind, ImportColumn, ImportSpec

PRODUCT_IMPORT = ImportSpec(
    name="products",
    title="产品信息",
    columns=(
        ImportColumn(("产品编码", "编码", "产品代码"), "code", required=True, max_length=40, example="CG-1001"),
        ImportColumn(("产品名称", "名称"), "name", required=True, max_length=60, example="欧式实木橱柜地柜"),
        ImportColumn(("产品系列", "系列"), "line", required=True, max_length=30, example="橱柜",
                     note="填系统中已有的产品系列名称或编码"),
        ImportColumn(("产品品级", "品级"), "grade", max_length=30, example="A级",
                     note="填系统中已有的产品品级名称或编码"),
        ImportColumn(("款型", "款式"), "style", max_length=40, example="欧式"),
        ImportColumn(("颜色", "花色"), "colour", max_length=30, example="胡桃木色"),
        ImportColumn(("规格", "规格型号"), "spec", max_length=60, example="800×600×720"),
        ImportColumn(("单位", "计量单位"), "unit", required=True, max_length=10, example="米"),
        ImportColumn(("总部供货包装名称", "供货包装名称", "供货包装"), "supply_package", max_length=40,
                     example="橱柜地柜标准包装", note="填系统中已有的供货包装名称"),
        ImportColumn(("成本价", "成本"), "cost", FieldKind.MONEY, allow_zero=True,
                     example=Decimal("1280.00")),
        ImportColumn(("启用", "是否启用"), "active", FieldKind.BOOL, example=True,
                     note="不填为启用"),
    ),
    check_function="yiwei.check_product_import",
    import_function="yiwei.import_products",
    unique=("code",),
)

PRICE_LIST_IMPORT = ImportSpec(
    name="price_list",
    title="价格体系",
    columns=(
        ImportColumn(("产品编码", "编码", "产品代码"), "code", required=True, max_length=40, example="CG-1001"),
        ImportColumn(("零售价", "价格", "单价"), "price", FieldKind.MONEY, required=True,
                     example=Decimal("2680.00")),
    ),
    check_function="yiwei.check_price_list_import",
    import_function="yiwei.import_price_list",
    unique=("code",),
    needs_target=True,
)
