"""Orders benchmark: opening a large contract, repricing it under a package, and printing contracts
in bulk, on the seeded demo company.

* ``open`` — the queries that open a contract of ``lines`` lines (header, lines with the cost and
  margin columns, payment plan, design files, reviews, change orders, through the list views), run
  as the guide who owns it under row-level security, against the owner running the same SQL with the
  guide's own filter written out: median milliseconds and the RLS/explicit ratio;
* ``apply_package`` — yiwei.apply_package on that contract as the guide, rolled back after every
  call (the package takes its products' quantities from the ordinary lines and shares its price over
  them): median milliseconds;
* ``pdf`` — ``documents`` contracts of a region as ONE print job through the print path every
  screen uses (client.documents.printing.render_on, as a preview: nothing is logged), laid out with
  the contract document (client/orders/contract_document.py): documents per second.

The large contract is made once through yiwei.save_contract as the guide (a real login) and kept,
so that later runs measure the same contract.
"""

from __future__ import annotations

import json
import statistics
import time

import psycopg2

from client.bench.timing import median_ms
from client.db.connection import ServerProfile, login
from client.demo.company import DEMO_PASSWORD

BENCH_NOTE = "性能基准：{lines} 行合同"
PACKAGE_CODE = "QW-A"   # 全屋定制 … 套餐 of the current demo price list

# What a contract editor reads to open one contract: {filter} is TRUE under row-level security,
# or the guide's own filter written out for the owner.
OPEN_QUERIES = {
    "header": "SELECT * FROM yiwei.contract_list c WHERE c.id = %(id)s AND {filter}",
    "lines": """SELECT l.* FROM yiwei.contract_line_list l
                 WHERE l.contract_id = %(id)s AND l.contract_id IN (SELECT c.id FROM yiwei.contract c WHERE {filter})
                 ORDER BY l.line_no""",
    "payments": """SELECT p.* FROM yiwei.contract_payment_list p
                    WHERE p.contract_id = %(id)s AND p.contract_id IN (SELECT c.id FROM yiwei.contract c WHERE {filter})
                    ORDER BY p.seq""",
    "files": """SELECT f.* FROM yiwei.design_file_list f
                 WHERE f.contract_id = %(id)s AND f.contract_id IN (SELECT c.id FROM yiwei.contract c WHERE {filter})
                 ORDER BY f.version DESC""",
    "reviews": """SELECT r.* FROM yiwei.contract_review_list r
                   WHERE r.contract_id = %(id)s AND r.contract_id IN (SELECT c.id FROM yiwei.contract c WHERE {filter})
                   ORDER BY r.created_at, r.id""",
    "change_orders": """SELECT o.* FROM yiwei.change_order_list o
                         WHERE o.contract_id = %(id)s AND o.contract_id IN (SELECT c.id FROM yiwei.contract c WHERE {filter})
                         ORDER BY o.id""",
}
OWN_FILTER = "(c.guide_id = %(me)s OR c.designer_id = %(me)s)"


def ensure_contract(guide, lines: int) -> int:
    """The guide's benchmark contract of `lines` lines (made once through save_contract): products
    of the current price list at list price, the package's products among them so that applying
    the package has quantities to take over."""
    note = BENCH_NOTE.format(lines=lines)
    with guide.cursor() as cur:
        cur.execute("SELECT id FROM yiwei.contract WHERE note = %s AND status = 'draft' ORDER BY id LIMIT 1", (note,))
        row = cur.fetchone()
        if row:
            return row[0]
        cur.execute("""SELECT c.id FROM yiwei.customer_list c
                        WHERE c.guide_id = yiwei.current_employee_id() AND c.stage IN ('quoted', 'designing', 'measured')
                        ORDER BY c.id LIMIT 1""")
        customer = cur.fetchone()
        cur.execute("""SELECT pl.id, k.id FROM yiwei.package k JOIN yiwei.price_list pl ON pl.id = k.price_list_id
                        WHERE k.code = %s""", (PACKAGE_CODE,))
        found = cur.fetchone()
        if customer is None or found is None:
            raise RuntimeError("the demo company (customers, catalogue) must be seeded first")
        price_list, package = found
        cur.execute("""SELECT pi.product_id FROM yiwei.package_item pi WHERE pi.package_id = %s
                       UNION ALL
                       (SELECT i.product_id FROM yiwei.price_list_item i
                         WHERE i.price_list_id = %s
                           AND i.product_id NOT IN (SELECT product_id FROM yiwei.package_item WHERE package_id = %s)
                         ORDER BY i.product_id)""", (package, price_list, package))
        products = [r[0] for r in cur.fetchall()]
        chosen = [products[i % len(products)] for i in range(lines)]
        payload = {"customer_id": customer[0], "price_list_id": price_list, "note": note,
                   "lines": [{"product_id": pid, "quantity": "3", "rate": "0.95" if i % 3 else "1"}
                             for i, pid in enumerate(chosen)]}
        cur.execute("SELECT yiwei.save_contract(NULL, NULL, %s)", (json.dumps(payload),))
        contract_id = cur.fetchone()[0]
    guide.commit()
    return contract_id


def measure_open(emp, owner, contract_id: int, me: int, repeats: int) -> dict:
    """All the opening queries, as the guide (RLS) and as the owner (explicit filter)."""
    rls = {name: sql.format(filter="true") for name, sql in OPEN_QUERIES.items()}
    explicit = {name: sql.format(filter=OWN_FILTER) for name, sql in OPEN_QUERIES.items()}
    params = {"id": contract_id, "me": me}
    ecur, ocur = emp.cursor(), owner.cursor()

    def run(cur, queries):
        rows = {}
        for name, sql in queries.items():
            cur.execute(sql, params)
            rows[name] = len(cur.fetchall())
        return rows

    rows_rls, rows_explicit = run(ecur, rls), run(ocur, explicit)
    if rows_rls != rows_explicit:
        raise AssertionError(f"RLS and the explicit filter open different contracts: {rows_rls} / {rows_explicit}")
    rls_ms = median_ms(lambda: run(ecur, rls), repeats)
    explicit_ms = median_ms(lambda: run(ocur, explicit), repeats)
    return {"rows": rows_rls, "rls_ms": rls_ms, "explicit_ms": explicit_ms,
            "ratio": round(rls_ms / explicit_ms, 2) if explicit_ms else None}


def measure_apply_package(guide, contract_id: int, repeats: int) -> dict:
    """apply_package as the guide, rolled back after every call: ms per call, package lines made."""
    samples, made, total = [], 0, None
    with guide.cursor() as cur:
        cur.execute("SELECT id FROM yiwei.package WHERE code = %s", (PACKAGE_CODE,))
        package = cur.fetchone()[0]
    guide.rollback()
    for i in range(repeats + 1):  # the first call warms the session's plans
        with guide.cursor() as cur:
            cur.execute("SELECT version FROM yiwei.contract WHERE id = %s", (contract_id,))
            version = cur.fetchone()[0]
            started = time.perf_counter()
            cur.execute("SELECT yiwei.apply_package(%s, %s, %s)", (contract_id, version, package))
            made = cur.fetchone()[0]
            elapsed = (time.perf_counter() - started) * 1000
            cur.execute("SELECT total FROM yiwei.contract WHERE id = %s", (contract_id,))
            total = cur.fetchone()[0]
        guide.rollback()
        if i:
            samples.append(elapsed)
    return {"ms": round(statistics.median(samples), 2), "package_lines": made, "total_after": str(total)}


def measure_pdf(profile: ServerProfile, login_name: str, documents: int) -> dict:
    """`documents` contracts the login may print, as one preview job: documents per second."""
    from sqlalchemy import text

    from client.documents.printing import render_on

    session = login(profile, login_name, DEMO_PASSWORD)
    try:
        with session.engine.connect() as conn:
            numbers = list(conn.execute(text("SELECT number FROM yiwei.contract ORDER BY id LIMIT :n"),
                                        {"n": documents}).scalars())
            conn.rollback()
            started = time.perf_counter()
            with conn.begin():
                rendered = render_on(conn, "contract", numbers, preview_only=True)
            seconds = time.perf_counter() - started
    finally:
        session.engine.dispose()
    return {"login": login_name, "documents": len(rendered.documents), "seconds": round(seconds, 2),
            "per_second": round(len(rendered.documents) / seconds, 1), "pdf_bytes": len(rendered.pdf)}


def run(admin_params: dict, employee_params: dict, *, lines: int = 200, documents: int = 200, repeats: int = 15,
        guide_login: str = "hz01.guide1", print_login: str = "hd.director", report=print) -> dict:
    admin = psycopg2.connect(**admin_params)
    with admin.cursor() as cur:
        cur.execute("SELECT namespace, owner_role FROM yiwei.instance")
        namespace, owner_role = cur.fetchone()
    admin.close()
    guide = psycopg2.connect(**employee_params, user=f"{guide_login}@{namespace}", password=DEMO_PASSWORD)
    started = time.perf_counter()
    contract_id = ensure_contract(guide, lines)
    report(f"contract of {lines} lines ready in {time.perf_counter() - started:.1f} s")
    with guide.cursor() as cur:
        cur.execute("SELECT yiwei.current_employee_id(), (SELECT number FROM yiwei.contract WHERE id = %s)",
                    (contract_id,))
        me, number = cur.fetchone()
    guide.rollback()
    owner = psycopg2.connect(**admin_params)
    owner.autocommit = True
    with owner.cursor() as cur:
        cur.execute(f'SET ROLE "{owner_role}"')  # RLS forced; the owner's policy lets it see everything
    emp = psycopg2.connect(**employee_params, user=f"{guide_login}@{namespace}", password=DEMO_PASSWORD)
    emp.autocommit = True
    results = {"contract": number, "lines": lines, "repeats": repeats,
               "open": measure_open(emp, owner, contract_id, me, repeats),
               "apply_package": measure_apply_package(guide, contract_id, repeats)}
    emp.close()
    owner.close()
    guide.close()
    profile = ServerProfile(host=employee_params["host"], port=int(employee_params["port"]),
                            dbname=employee_params["dbname"], sslmode=employee_params.get("sslmode", "prefer"),
                            namespace=namespace)
    results["pdf"] = measure_pdf(profile, print_login, documents)
    return results


def table(results: dict) -> list[str]:
    """The figures as printed lines."""
    o, a, p = results["open"], results["apply_package"], results["pdf"]
    return [f"contract {results['contract']} with {results['lines']} lines; median of {results['repeats']}",
            f"open contract   RLS {o['rls_ms']:>8.2f} ms  explicit {o['explicit_ms']:>8.2f} ms  ratio {o['ratio']}"
            f"  rows {o['rows']['lines']}",
            f"apply_package   {a['ms']:>8.2f} ms  package lines {a['package_lines']}",
            f"contract PDFs   {p['documents']} documents in {p['seconds']:.2f} s = {p['per_second']} per second"
            f" ({p['pdf_bytes'] / 1024 / 1024:.1f} MB, as {p['login']})"]
