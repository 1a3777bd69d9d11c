"""Product import files for the database tests: rows in PRODUCT_IMPORT's column order over a
product line and grade that exist in the test database."""

from __future__ import annotations

from openpyxl import Workbook

from client.imports.catalogue import PRODUCT_IMPORT

LINE = "导入测试橱柜"
GRADE = "导入测试A级"


def ensure_catalogue(db) -> None:
    """The product line and grade the import files name (as superuser, like the contracts tests)."""
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute("INSERT INTO yiwei.product_line (code, name) SELECT 'IMPL', %s"
                    " WHERE NOT EXISTS (SELECT 1 FROM yiwei.product_line WHERE name = %s)", (LINE, LINE))
        cur.execute("INSERT INTO yiwei.product_grade (code, name) SELECT 'IMPG', %s"
                    " WHERE NOT EXISTS (SELECT 1 FROM yiwei.product_grade WHERE name = %s)", (GRADE, GRADE))
    conn.commit()
    conn.close()


def make_price_list(db, code: str, name: str) -> int:
    conn = db.admin()
    with conn.cursor() as cur:
        cur.execute("INSERT INTO yiwei.price_list (code, name, valid_from) VALUES (%s, %s, '2026-01-01') RETURNING id",
                    (code, name))
        (price_list_id,) = cur.fetchone()
    conn.commit()
    conn.close()
    return price_list_id


def prices_in_db(sql, price_list_id: int) -> list[tuple]:
    return sql("SELECT p.code, i.price FROM yiwei.price_list_item i JOIN yiwei.product p ON p.id = i.product_id"
               " WHERE i.price_list_id = %s ORDER BY p.code", (price_list_id,))


def product_rows(prefix: str, count: int) -> list[list]:
    return [[f"{prefix}-{i:04d}", f"导入产品{i}", LINE, GRADE, "欧式", "白色", "800×600", "米", None,
             1280.5 + i, "是"] for i in range(1, count + 1)]


def write_products(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in PRODUCT_IMPORT.columns])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def products_in_db(sql, prefix: str) -> list[tuple]:
    return sql("SELECT p.code, p.name, l.name, p.unit, c.cost FROM yiwei.product p"
               "  JOIN yiwei.product_line l ON l.id = p.line_id"
               "  LEFT JOIN yiwei.product_cost c ON c.product_id = p.id"
               " WHERE p.code LIKE %s ORDER BY p.code", (f"{prefix}-%",))
