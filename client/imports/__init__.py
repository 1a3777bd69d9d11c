"""Excel imports (products, price lists): every row read and checked — first here, then by the
database's own check — and imported all or nothing, with an error list (row, column, reason) to
fix the file from.

Screens open the dialog with one call::

    from client.imports import open_product_import, open_price_list_import
    open_product_import(ctx, parent=self, on_imported=lambda n: self.list.refresh())
    open_price_list_import(ctx, price_list_id, price_list_name, parent=self, on_imported=…)

The dialog itself offers 下载导入模板 (headers and one example row).
"""

from __future__ import annotations

from typing import Callable

from .catalogue import PRICE_LIST_IMPORT, PRODUCT_IMPORT


def open_product_import(ctx, parent=None, *, on_imported: Callable[[int], None] | None = None):
    """从 Excel 导入… on the products screen (needs masterdata.product; the database checks it)."""
    from .dialog import open_import_dialog  # Qt widgets only when a screen asks for them

    return open_import_dialog(ctx, PRODUCT_IMPORT, parent, on_imported=on_imported)


def open_price_list_import(ctx, price_list_id: int, price_list_name: str, parent=None, *,
                           on_imported: Callable[[int], None] | None = None):
    """从 Excel 导入… on the price-list screen, for the price list chosen there."""
    from .dialog import open_import_dialog

    return open_import_dialog(ctx, PRICE_LIST_IMPORT, parent, target_id=price_list_id,
                              target_name=price_list_name, on_imported=on_imported)


__all__ = ["PRICE_LIST_IMPORT", "PRODUCT_IMPORT", "open_price_list_import", "open_product_import"]
