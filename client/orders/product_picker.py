"""A dialog to pick a product of the contract's price list by code, name, style or any alias of the
style (``yiwei.find_products``), with its list price. The search runs in the background as the user
types; Enter (or double-click) picks the highlighted product, ↓ moves into the results.
"""

from __future__ import annotations

from collections.abc import Callable

from client.documents.amounts import format_money
from client.ui.search_picker import SearchPicker, open_picker

from .contract_data import PRODUCT_LIMIT, EditLine, find_products


class ProductPicker(SearchPicker):
    result_limit = PRODUCT_LIMIT
    numeric_columns = (6,)

    def __init__(self, ctx, price_list_id: int, term: str = "", parent=None, results: list[EditLine] | None = None):
        self.price_list_id = price_list_id
        super().__init__(ctx, parent, name="product_picker", title=self.tr("选择产品"), size=(820, 460), term=term,
                         headers=[self.tr("编码"), self.tr("产品"), self.tr("款型"), self.tr("颜色"), self.tr("规格"),
                                  self.tr("单位"), self.tr("零售价")],
                         placeholder=self.tr("产品编码、名称、款型或款型别名"))
        if results is not None:       # the editor searched already: show those without asking again
            self.show_results(results)
        else:
            self.run_search()

    def fetch(self, conn, term: str) -> list[EditLine]:
        return find_products(conn, term, self.price_list_id)

    def cells(self, row: EditLine) -> list[str]:
        return [row.code, row.name, row.style, row.colour, row.spec, row.unit, format_money(row.list_price)]

    def found_text(self, count: int) -> str:
        return self.tr("找到 {0} 个产品").format(count)

    def none_text(self) -> str:
        return self.tr("合同的价格体系中没有符合条件的产品")


def pick_product(ctx, parent, price_list_id: int, on_picked: Callable[[EditLine], None], term: str = "",
                 results: list[EditLine] | None = None) -> ProductPicker:
    return open_picker(ProductPicker(ctx, price_list_id, term, parent, results), on_picked)
