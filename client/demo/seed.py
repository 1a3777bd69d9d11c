"""Seeding the demo company through the same checked functions the administrator screens use."""

from __future__ import annotations

import importlib
import random

from client.db.passwords import scram_verifier

from . import BUSINESS_SEEDERS
from .company import COMPANY_NAME, DEMO_PASSWORD, POSITIONS, REGIONS, STORES, employee_specs, person_names

# Modules whose demo data registers itself with client.demo.business_seeder.
# Order matters: master data before the visits typed against it, customers (some from those visits)
# before the channel leads that collide with them.
# The catalogue and the contracts come after the customers: contracts are made for them, and signing
# one makes its customer signed.
SEEDER_MODULES = ["client.demo.masterdata", "client.demo.visits", "client.demo.customers", "client.demo.leads",
                  "client.demo.catalogue", "client.demo.orders"]


def _one(cur, sql, params=()):
    cur.execute(sql, params)
    return cur.fetchone()[0]


def seed_organisation(cur, rng: random.Random) -> bool:
    """Regions, stores, warehouses, departments, positions and employees. False if already there."""
    if _one(cur, "SELECT count(*) FROM yiwei.employee") > 0:
        return False
    cur.execute("SELECT yiwei.set_company_name(%s)", (COMPANY_NAME,))
    region_ids = {code: _one(cur, "SELECT yiwei.save_region(NULL, NULL, %s, %s, true)", (code, name))
                  for code, name in REGIONS}
    store_ids, dept_ids = {}, {}
    for code, name, region, address, mall in STORES:
        phone = f"0{rng.randint(10, 99)}-{rng.randint(60000000, 89999999)}"
        kind = "outlet" if name.endswith("网点") else "showroom"
        sid = _one(cur, "SELECT yiwei.save_store(NULL, NULL, %s, %s, %s, %s, %s, %s, %s, true)",
                   (code, name, region_ids[region], kind, address, phone, mall))
        store_ids[code] = sid
        _one(cur, "SELECT yiwei.save_warehouse(NULL, NULL, %s, %s, %s, %s, true)",
             (sid, f"WH-{code}", f"{name.removesuffix('展厅').removesuffix('网点')}仓库", address.split("号")[0] + "号仓库"))
        for dept in ("销售部", "设计部", "财务室", "仓储部"):
            dept_ids[(code, dept)] = _one(cur, "SELECT yiwei.save_department(NULL, NULL, %s, %s, true)", (sid, dept))
    for dept in ("总经办", "财务部", "业务部", "客服中心", "信息部"):
        dept_ids[(None, dept)] = _one(cur, "SELECT yiwei.save_department(NULL, NULL, NULL, %s, true)", (dept,))
    position_ids = {p.code: _one(cur, "SELECT yiwei.create_position(%s, %s, %s, %s, %s, %s::numeric)",
                                 (p.code, p.name, p.scope, p.description, list(p.permissions), p.min_discount_rate))
                    for p in POSITIONS}
    names = person_names(rng)
    for spec in employee_specs():
        phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
        cur.execute("SELECT yiwei.create_employee(%s, %s, %s, %s, %s, %s, %s, %s)",
                    (spec.login, next(names), position_ids[spec.position], store_ids.get(spec.store),
                     region_ids.get(spec.region), dept_ids.get((spec.store, spec.department)), phone,
                     scram_verifier(DEMO_PASSWORD)))
    return True


def seed_demo(conn, *, scale: int = 1, seed: int = 2026) -> dict:
    """Seed the demo company on a migrated database, as the installer. Idempotent per part."""
    if scale < 1:
        raise ValueError("--scale 必须是正整数")
    rng = random.Random(seed)
    report = {}
    with conn.cursor() as cur:
        report["organisation"] = seed_organisation(cur, rng)
        conn.commit()
        for module in SEEDER_MODULES:
            importlib.import_module(module)
        for name, seeder in BUSINESS_SEEDERS:
            report[name] = seeder(cur, rng, scale)
            conn.commit()
    return report
