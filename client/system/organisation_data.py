"""The organisation as the administration screens need it: regions, stores, departments, warehouses
and positions, read in one go (they are few) on a background connection."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from sqlalchemy import text

translate = QCoreApplication.translate

SCOPES = ("own", "store", "region", "company")


def scope_label(scope: str) -> str:
    return {"own": translate("system", "本人"), "store": translate("system", "门店"),
            "region": translate("system", "大区"), "company": translate("system", "公司")}.get(scope, scope)


def scope_choices() -> list[tuple[str, str]]:
    return [(scope, scope_label(scope)) for scope in SCOPES]


def store_kind_label(kind: str) -> str:
    return {"showroom": translate("system", "展厅"), "outlet": translate("system", "网点")}.get(kind, kind)


@dataclass
class Organisation:
    company_name: str
    regions: list          # rows: id, code, name, active, version
    stores: list           # rows: id, code, name, region_id, kind, address, phone, mall_name, active, version
    departments: list      # rows: id, store_id, name, active, version
    warehouses: list       # rows: id, store_id, code, name, address, active, version
    positions: list        # rows: id, code, name, scope, description, version

    def store(self, store_id):
        return next((s for s in self.stores if s.id == store_id), None)

    def region(self, region_id):
        return next((r for r in self.regions if r.id == region_id), None)

    def position(self, position_id):
        return next((p for p in self.positions if p.id == position_id), None)

    def store_choices(self, *, region_id=None, keep=None) -> list[tuple[int, str]]:
        """Active stores (of one region when given), plus ``keep`` even when it was deactivated."""
        return [(s.id, f"{s.code} {s.name}") for s in self.stores
                if (s.active or s.id == keep) and (region_id is None or s.region_id == region_id)]

    def region_choices(self, *, keep=None) -> list[tuple[int, str]]:
        return [(r.id, r.name) for r in self.regions if r.active or r.id == keep]

    def department_choices(self, store_id, *, keep=None) -> list[tuple[int, str]]:
        """The store's departments first, then head-office departments (any employee may sit there)."""
        head_office = translate("system", "总部")
        own = [(d.id, d.name) for d in self.departments
               if store_id is not None and d.store_id == store_id and (d.active or d.id == keep)]
        office = [(d.id, f"{head_office} · {d.name}") for d in self.departments
                  if d.store_id is None and (d.active or d.id == keep)]
        return own + office

    def position_choices(self) -> list[tuple[int, str]]:
        return [(p.id, f"{p.name}（{scope_label(p.scope)}）") for p in self.positions]


def load_organisation(conn) -> Organisation:
    q = lambda sql: conn.execute(text(sql)).all()  # noqa: E731
    return Organisation(
        company_name=conn.execute(text("SELECT company_name FROM yiwei.instance")).scalar_one(),
        regions=q("SELECT id, code, name, active, version FROM yiwei.region ORDER BY code"),
        stores=q("SELECT id, code, name, region_id, kind, address, phone, mall_name, active, version"
                 "  FROM yiwei.store ORDER BY code"),
        departments=q("SELECT id, store_id, name, active, version FROM yiwei.department ORDER BY store_id NULLS FIRST, id"),
        warehouses=q("SELECT id, store_id, code, name, address, active, version FROM yiwei.warehouse ORDER BY code"),
        positions=q("SELECT id, code, name, scope, description, version FROM yiwei.position ORDER BY id"),
    )
