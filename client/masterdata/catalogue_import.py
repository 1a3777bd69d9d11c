"""从 Excel 导入… and 下载导入模板 on the catalogue screens: the import dialog of ``client.imports``
opened for products or for the selected price list, and its template saved straight from the
toolbar (a clerk fetches the template first, before there is anything to import)."""

from __future__ import annotations

from pathlib import Path

from client.imports import PRICE_LIST_IMPORT, PRODUCT_IMPORT, open_price_list_import, open_product_import
from client.imports.dialog import ask_xlsx_save_path
from client.imports.spec import ImportSpec
from client.imports.template import write_template
from client.ui.forms import alive

from .catalogue_records import t
from .screen import ScreenAction

def ask_save_path(screen, title: str, name: str) -> str | None:
    """Where to save the template (tests replace this function instead of driving a native dialog)."""
    return ask_xlsx_save_path(screen, screen.ctx, title, name)


def save_template(screen, spec: ImportSpec) -> None:
    path = ask_save_path(screen, t("下载导入模板"), t("%s导入模板.xlsx") % t(spec.title))
    if not path:
        return

    def done(written: Path) -> None:
        if alive(screen):
            screen.say(t("已保存导入模板：%s") % written.name)

    def failed(error) -> None:
        if alive(screen):
            screen.say(error.message)

    screen.ctx.tasks.submit(lambda token, report: write_template(path, spec), on_done=done, on_error=failed,
                            label=t("下载导入模板"))


def import_products(screen) -> None:
    screen.import_dialog = open_product_import(screen.ctx, parent=screen,
                                               on_imported=lambda count: _imported(screen, count))


def import_prices(screen) -> None:
    """The prices of the price list selected above (the detail screen's master row)."""
    if screen.master_key is None:
        return
    screen.import_dialog = open_price_list_import(
        screen.ctx, screen.master_key, screen.master_row.get("name", ""), parent=screen,
        on_imported=lambda count: _imported(screen, count, screen.master))


def _imported(screen, count: int, master=None) -> None:
    if alive(screen):
        screen.say(t("已导入 %d 行") % count)
        screen.list.refresh()
    if master is not None and alive(master):
        master.list.refresh(select=screen.master_key)   # its product count changed


PRODUCT_IMPORT_ACTIONS = (
    ScreenAction("import", "从 Excel 导入…", import_products),
    ScreenAction("template", "下载导入模板", lambda screen: save_template(screen, PRODUCT_IMPORT)),
)
PRICE_IMPORT_ACTIONS = (
    ScreenAction("import", "从 Excel 导入…", import_prices),
    ScreenAction("template", "下载导入模板", lambda screen: save_template(screen, PRICE_LIST_IMPORT)),
)
