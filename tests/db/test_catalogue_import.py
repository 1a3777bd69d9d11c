"""The Excel import pair at the database, as real logins: check_*_import lists every problem as
(row, field, Chinese reason) and writes nothing; import_* refuses a batch with any problem (YW422,
DETAIL {"problems": [...]}) and stores nothing, and otherwise inserts or updates every row."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from psycopg2.extras import Json

from .catalogue_data import GUIDE, MANAGER, call, shelf_for_module
from .customer_data import FORBIDDEN, INVALID, refusal, token
from .helpers import rows, scalar


@pytest.fixture(scope="module")
def shelf(demo_db):
    return shelf_for_module(demo_db)


@pytest.fixture
def manager(db):
    return db.connect_as(MANAGER)


def check(conn, function, *args) -> list:
    placeholders = ", ".join(["%s"] * len(args))
    return rows(conn, f"SELECT row_no, field, reason FROM yiwei.{function}({placeholders})",
                [Json(a) if isinstance(a, list) else a for a in args])


def good_rows(shelf, prefix, count=3) -> list[dict]:
    return [{"row": i + 2, "code": f"{prefix}-{i}", "name": f"导入品{i}", "line": shelf.line_name, "grade": f"A级{shelf.t}",
             "style": "现代", "colour": "白", "spec": "600×600", "unit": "件", "cost": f"{100 + i}.50", "active": True}
            for i in range(count)]


def stored(sql, prefix) -> list:
    return sql("""SELECT p.code, p.name, p.line_id, p.grade_id, p.active, c.cost FROM yiwei.product p
                   LEFT JOIN yiwei.product_cost c ON c.product_id = p.id WHERE p.code LIKE %s ORDER BY p.code""",
               (f"{prefix}-%",))


def test_a_good_batch_is_imported_and_a_second_one_updates_by_code(manager, shelf, sql):
    prefix = f"IG{token().upper()}"
    batch = good_rows(shelf, prefix)
    assert check(manager, "check_product_import", batch) == []
    assert call(manager, "import_products", batch) == 3
    assert stored(sql, prefix) == [(f"{prefix}-{i}", f"导入品{i}", shelf.line, shelf.grade, True, Decimal(f"{100 + i}.50"))
                                   for i in range(3)]

    # by code: the line and grade may be given by code, lower-case codes are the same product, an
    # empty cost keeps the cost, 否 deactivates; unchanged rows keep their version
    batch[0].update(name="改名", line=f"l{shelf.t}", grade=f"g{shelf.t}", cost="", code=f"{prefix.lower()}-0", active="否")
    assert call(manager, "import_products", batch) == 3
    assert stored(sql, prefix)[0] == (f"{prefix}-0", "改名", shelf.line, shelf.grade, False, Decimal("100.50"))
    assert sql("SELECT code, version FROM yiwei.product WHERE code LIKE %s ORDER BY code", (f"{prefix}-%",)) == [
        (f"{prefix}-0", 2), (f"{prefix}-1", 1), (f"{prefix}-2", 1)]


def test_every_problem_of_a_bad_batch_is_listed_and_nothing_is_stored(manager, shelf, sql):
    prefix = f"IB{token().upper()}"
    batch = good_rows(shelf, prefix, 12)
    batch[1]["line"] = "不存在的系列"                 # row 3
    batch[2]["cost"] = "12.345"                      # row 4
    batch[3]["code"] = f"{prefix}-0"                 # row 5: same code as row 2
    batch[4]["name"] = ""                            # row 6
    batch[5]["spec"] = "规" * 61                     # row 7
    batch[6]["grade"] = "没有的品级"                  # row 8
    batch[7]["code"] = "坏 编码"                      # row 9
    batch[8]["active"] = "也许"                      # row 10
    batch[9]["unit"] = ""                            # row 11
    batch[10]["supply_package"] = "没有的包装"         # row 12
    batch[11]["cost"] = "-1"                         # row 13
    before = sql("SELECT count(*), (SELECT count(*) FROM yiwei.audit_log) FROM yiwei.product")
    problems = check(manager, "check_product_import", batch)
    assert [(r, f) for r, f, _ in problems] == [
        (3, "line"), (4, "cost"), (5, "code"), (6, "name"), (7, "spec"), (8, "grade"), (9, "code"), (10, "active"),
        (11, "unit"), (12, "supply_package"), (13, "cost")]
    reasons = {r: reason for r, _, reason in problems}
    assert reasons[3] == "产品系列不存在（不存在的系列）"
    assert reasons[4] == "成本价小数位超过两位"
    assert reasons[5] == "编码重复（第 2 行）"
    assert reasons[6] == "产品名称不能为空"
    assert reasons[7] == "规格不能超过 60 个字符"
    assert reasons[13] == "成本价不能为负数"

    with refusal(INVALID) as refused_:
        call(manager, "import_products", batch)
    assert "11 处问题" in refused_.message and "第 3 行" in refused_.message
    detail = json.loads(refused_.detail)
    assert [(p["row"], p["field"], p["reason"]) for p in detail["problems"]] == problems
    assert sql("SELECT count(*), (SELECT count(*) FROM yiwei.audit_log) FROM yiwei.product") == before
    assert stored(sql, prefix) == []


def test_one_wrong_row_among_good_ones_stores_nothing(manager, shelf, sql):
    prefix = f"IW{token().upper()}"
    batch = good_rows(shelf, prefix, 30)
    batch[24]["cost"] = "99.999"
    with refusal(INVALID):
        call(manager, "import_products", batch)
    assert stored(sql, prefix) == []


def test_an_inactive_line_and_a_non_array_are_refused(manager, shelf):
    t = token().upper()
    line = call(manager, "save_product_line", None, None, {"code": f"OFF{t}", "name": f"停产系列{t}", "active": False})
    assert line
    assert check(manager, "check_product_import", [{"row": 2, "code": f"X{t}", "name": "x", "line": f"停产系列{t}",
                                                    "unit": "件"}]) == [(2, "line", f"产品系列已停用（停产系列{t}）")]
    with refusal(INVALID, "导入数据"), manager.cursor() as cur:
        cur.execute("SELECT * FROM yiwei.check_product_import(%s)", (Json({"row": 2}),))


def test_price_list_import(manager, shelf, sql):
    rows_ = [{"row": 2, "code": shelf.code("a"), "price": "1100"}, {"row": 3, "code": shelf.code("c").lower(), "price": 9.9}]
    bad = rows_ + [{"row": 4, "code": "NO-SUCH", "price": "1"}, {"row": 5, "code": shelf.code("a"), "price": "2"},
                   {"row": 6, "code": shelf.code("b"), "price": "0"}, {"row": 7, "code": shelf.code("b"), "price": "3.333"},
                   {"row": 8, "code": "", "price": "1"}]
    before = sql("SELECT product_id, price, version FROM yiwei.price_list_item WHERE price_list_id = %s ORDER BY 1",
                 (shelf.price_list,))
    assert check(manager, "check_price_list_import", shelf.price_list, bad) == [
        (4, "code", "产品编码不存在（NO-SUCH）"), (5, "code", "编码重复（第 2 行）"), (6, "price", "价格必须大于 0"),
        (7, "code", "编码重复（第 6 行）"), (7, "price", "价格小数位超过两位"), (8, "code", "产品编码不能为空")]
    with refusal(INVALID):
        call(manager, "import_price_list", shelf.price_list, bad)
    assert sql("SELECT product_id, price, version FROM yiwei.price_list_item WHERE price_list_id = %s ORDER BY 1",
               (shelf.price_list,)) == before

    assert call(manager, "import_price_list", shelf.price_list, rows_) == 2
    prices = dict(sql("SELECT product_id, price FROM yiwei.price_list_item WHERE price_list_id = %s", (shelf.price_list,)))
    # a repriced, c added, b (not in the sheet) kept
    assert prices == {shelf.id("a"): Decimal("1100.00"), shelf.id("b"): Decimal("333.33"), shelf.id("c"): Decimal("9.90")}

    with refusal(INVALID, "价格体系"), manager.cursor() as cur:
        cur.execute("SELECT * FROM yiwei.check_price_list_import(999999, %s)", (Json(rows_),))


def test_a_guide_can_neither_check_nor_import(db, shelf, sql):
    guide = db.connect_as(GUIDE)
    prefix = f"IX{token().upper()}"
    for function in ("check_product_import", "import_products"):
        with refusal(FORBIDDEN), guide.cursor() as cur:
            cur.execute(f"SELECT * FROM yiwei.{function}(%s)", (Json(good_rows(shelf, prefix)),))
    for function in ("check_price_list_import", "import_price_list"):
        with refusal(FORBIDDEN), guide.cursor() as cur:
            cur.execute(f"SELECT * FROM yiwei.{function}(%s, %s)",
                        (shelf.price_list, Json([{"row": 2, "code": shelf.code("a"), "price": "1"}])))
    assert stored(sql, prefix) == []
    assert scalar(guide, "SELECT count(*) FROM yiwei.price_list_item WHERE price = 1") == 0
