"""Import files made in the test, and a spec with one column of every kind."""

from __future__ import annotations

from openpyxl import Workbook

from client.imports.spec import FieldKind, ImportColumn, ImportSpec

EVERY_KIND = ImportSpec(
    name="test_every_kind",
    title="测试",
    columns=(
        ImportColumn(("产品编码", "编码"), "code", required=True, max_length=10),
        ImportColumn(("名称",), "name", max_length=5),
        ImportColumn(("价格",), "price", FieldKind.MONEY),
        ImportColumn(("数量",), "quantity", FieldKind.QUANTITY),
        ImportColumn(("序号",), "sort_order", FieldKind.INTEGER),
        ImportColumn(("生效日期",), "valid_from", FieldKind.DATE),
        ImportColumn(("启用",), "active", FieldKind.BOOL),
    ),
    check_function="yiwei.not_used_here",
    import_function="yiwei.not_used_here",
    unique=("code",),
)


def write_xlsx(path, rows, *, number_formats: dict[int, str] | None = None):
    """A workbook whose first sheet holds `rows` from A1 (None leaves a cell empty)."""
    workbook = Workbook()
    sheet = workbook.active
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values, 1):
            if value is not None:
                cell = sheet.cell(row=r, column=c, value=value)
                if number_formats and c in number_formats:
                    cell.number_format = number_formats[c]
    workbook.save(path)
    return path
