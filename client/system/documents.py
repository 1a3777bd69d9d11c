"""Printed documents of the system module: the employee roster (员工花名册) and the position and
permission sheet (岗位权限表).

Both read through the same views and tables the screens use, as the logged-in employee, so
row-level security decides which employees appear and how many hold a position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle
from sqlalchemy import text
from sqlalchemy.engine import Connection

from client.db.errors import UserFacingError
from client.documents.fonts import register_fonts
from client.documents.layout import Column, DocumentHeader, PageSetup, data_table, document_styles, text_paragraph
from client.documents.registry import DocType, register_doctype
from client.ui.registry import MODULES

PAGE = PageSetup()
ALL = "ALL"

SCOPE_LABELS = {"own": "本人", "store": "门店", "region": "大区", "company": "公司"}
MODULE_TITLES = {m.key: m.title for m in MODULES}
MODULE_ORDER = {m.key: m.order for m in MODULES}

_STORE_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")        # as yiwei.store.code
_POSITION_CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")   # as yiwei.position.code


def _heading_style():
    style = document_styles().heading
    style.keepWithNext = 1  # a group's heading never ends a page without its table
    return style


def _fields(*fields: str, widths_mm: tuple[float | None, ...]) -> Table:
    """One row of "label：value" fields set in columns (paragraphs collapse runs of blanks, so
    fields cannot be spaced apart with blanks); ``None`` widths share what the fixed ones leave."""
    fixed = sum(w * mm for w in widths_mm if w)
    flexible = sum(1 for w in widths_mm if not w)
    share = (PAGE.frame_width - fixed) / flexible if flexible else 0
    style = document_styles().body
    table = Table([[text_paragraph(f, style) for f in fields]], colWidths=[w * mm if w else share for w in widths_mm],
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),  # the default table font is not embedded
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


# --- 员工花名册 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    login: str
    full_name: str
    phone: str
    position: str
    place: str           # store, or region for region staff, or 总部
    department: str
    active: bool
    joined: date         # the day the employee's account was created


@dataclass(frozen=True)
class RosterGroup:
    title: str           # e.g. "华东 · 杭州城西展厅（HZ01）"
    rows: tuple[RosterRow, ...]


@dataclass(frozen=True)
class Roster:
    number: str
    scope_label: str     # what was asked for: one store or the whole company
    whole_company: bool
    groups: tuple[RosterGroup, ...]
    draft: bool = False

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


_ROSTER_SQL = """
SELECT l.login, l.full_name, l.phone, l.position_name, l.store_code, l.store_name, l.region_name,
       l.department_name, l.active,
       (l.created_at AT TIME ZONE (SELECT yiwei.company_timezone()))::date AS joined
  FROM yiwei.employee_list l
  LEFT JOIN yiwei.region r ON r.id = l.region_id
 WHERE (CAST(:store AS text) IS NULL OR l.store_code = :store)
 ORDER BY r.id NULLS FIRST, l.store_code NULLS FIRST,
          array_position(ARRAY['company', 'region', 'store', 'own'], l.scope), l.position_id, l.login
"""


def _roster_group_title(region: str | None, store_code: str | None, store_name: str | None) -> str:
    if store_code:
        return f"{region} · {store_name}（{store_code}）" if region else f"{store_name}（{store_code}）"
    if region:
        return f"{region}大区 · 大区人员"
    return "总部"


def load_roster(conn: Connection, number: str) -> Roster:
    wanted = number.strip().upper()
    if wanted != ALL and not _STORE_CODE.match(wanted):
        raise UserFacingError(f"花名册的编号应为门店编码（如 HZ01）或 ALL：{number}", kind="not_found")
    store = None
    if wanted != ALL:
        store = conn.execute(
            text("SELECT s.code, s.name, r.name FROM yiwei.store s JOIN yiwei.region r ON r.id = s.region_id"
                 " WHERE s.code = :code"), {"code": wanted}).first()
        if store is None:
            raise UserFacingError(f"没有门店 {wanted}", kind="not_found")

    rows = conn.execute(text(_ROSTER_SQL), {"store": None if store is None else wanted}).all()
    if not rows:
        # Row-level security hides another store's employees; an empty sheet would look like a
        # store without staff, so say why there is nothing to print instead.
        raise UserFacingError(
            f"门店 {store[1]}（{wanted}）的员工不在您的数据范围内（或该门店尚无员工），无法打印花名册",
            kind="permission")

    groups: dict[tuple, list[RosterRow]] = {}
    for r in rows:
        place = r.store_name or (f"{r.region_name}（大区）" if r.region_name else "总部")
        groups.setdefault((r.region_name, r.store_code, r.store_name), []).append(RosterRow(
            r.login, r.full_name, r.phone, r.position_name, place, r.department_name or "", r.active, r.joined))
    scope_label = f"{store[1]}（{wanted}，{store[2]}）" if store else "全公司（您的数据范围内）"
    return Roster(
        number=f"ROSTER-{wanted}",
        scope_label=scope_label,
        whole_company=store is None,
        groups=tuple(RosterGroup(_roster_group_title(*key), tuple(members)) for key, members in groups.items()),
    )


ROSTER_COLUMNS = [
    Column("序号", 10, "number"),
    Column("登录名", 30),
    Column("姓名", 18),
    Column("手机", 24),
    Column("岗位", 18),
    Column("门店/大区"),
    Column("部门", 16),
    Column("状态", 11),
    Column("入职日期", 20),
]


def _roster_table(rows: tuple[RosterRow, ...]):
    return data_table(
        ROSTER_COLUMNS,
        [(i, r.login, r.full_name, r.phone, r.position, r.place, r.department, "在职" if r.active else "停用",
          r.joined.isoformat()) for i, r in enumerate(rows, start=1)],
        width=PAGE.frame_width,
    )


def _headcount(rows) -> str:
    active = sum(1 for r in rows if r.active)
    return f"{len(rows)} 人（在职 {active}，停用 {len(rows) - active}）"


def build_roster(roster: Roster, header: DocumentHeader) -> list[Flowable]:
    styles = document_styles()
    everyone = [r for g in roster.groups for r in g.rows]
    story: list[Flowable] = [
        _fields(f"范围：{roster.scope_label}", f"人数：{_headcount(everyone)}", widths_mm=(None, 70)),
        text_paragraph("入职日期按员工账号的创建日期计；只列出打印人有权查看的员工。", styles.small),
        Spacer(0, 2 * mm),
    ]
    if not roster.whole_company:
        story.append(_roster_table(everyone))
        return story
    heading = _heading_style()
    for group in roster.groups:
        story += [
            text_paragraph(f"{group.title}：{_headcount(group.rows)}", heading),
            _roster_table(group.rows),
        ]
    return story


def roster_numbers(conn: Connection) -> list[str]:
    stores = conn.execute(text(
        "SELECT DISTINCT store_code FROM yiwei.employee_list WHERE store_code IS NOT NULL ORDER BY store_code")).scalars()
    return [ALL, *stores]


# --- 岗位权限表 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionPermissions:
    module: str          # module key, e.g. "customers"
    names: tuple[str, ...]

    @property
    def module_title(self) -> str:
        return MODULE_TITLES.get(self.module, self.module)


@dataclass(frozen=True)
class PositionSheetEntry:
    code: str
    name: str
    scope: str
    description: str
    holders: int         # active employees in this position that the printing login can see
    modules: tuple[PositionPermissions, ...]

    @property
    def permission_count(self) -> int:
        return sum(len(m.names) for m in self.modules)


@dataclass(frozen=True)
class PositionSheet:
    number: str
    positions: tuple[PositionSheetEntry, ...]
    whole_company: bool
    draft: bool = False

    @property
    def row_count(self) -> int:
        return len(self.positions)


_POSITIONS_SQL = """
SELECT p.id, p.code, p.name, p.scope, p.description,
       (SELECT count(*) FROM yiwei.employee e WHERE e.position_id = p.id AND e.active) AS holders
  FROM yiwei.position p
 WHERE (CAST(:code AS text) IS NULL OR p.code = :code)
 ORDER BY array_position(ARRAY['company', 'region', 'store', 'own'], p.scope), p.id
"""

_PERMISSIONS_SQL = """
SELECT pp.position_id, pm.module, pm.name
  FROM yiwei.position_permission pp JOIN yiwei.permission pm ON pm.code = pp.permission_code
 WHERE pp.position_id = ANY (CAST(:ids AS integer[]))
 ORDER BY pm.sort_order, pm.code
"""


def load_positions(conn: Connection, number: str) -> PositionSheet:
    wanted = number.strip()
    whole = wanted.upper() == ALL
    code = None if whole else wanted.lower()
    if code is not None and not _POSITION_CODE.match(code):
        raise UserFacingError(f"岗位权限表的编号应为岗位编码（如 store_manager）或 ALL：{number}", kind="not_found")
    positions = conn.execute(text(_POSITIONS_SQL), {"code": code}).all()
    if not positions:
        raise UserFacingError(f"没有岗位 {code}" if code else "还没有任何岗位", kind="not_found")

    by_position: dict[int, dict[str, list[str]]] = {p.id: {} for p in positions}
    for position_id, module, name in conn.execute(text(_PERMISSIONS_SQL), {"ids": list(by_position)}):
        by_position[position_id].setdefault(module, []).append(name)

    def modules(position_id: int) -> tuple[PositionPermissions, ...]:
        grouped = by_position[position_id]
        ordered = sorted(grouped, key=lambda m: (MODULE_ORDER.get(m, len(MODULE_ORDER) + 1), m))
        return tuple(PositionPermissions(m, tuple(grouped[m])) for m in ordered)

    return PositionSheet(
        number=f"POS-{ALL if whole else code.upper()}",
        positions=tuple(PositionSheetEntry(p.code, p.name, p.scope, p.description, p.holders, modules(p.id))
                        for p in positions),
        whole_company=whole,
    )


OVERVIEW_COLUMNS = [
    Column("序号", 10, "number"),
    Column("岗位"),
    Column("编码", 38),
    Column("数据范围", 18),
    Column("权限数", 16, "number"),
    Column("在岗人数", 18, "number"),
]

PERMISSION_COLUMNS = [
    Column("模块", 24),
    Column("权限"),
    Column("项数", 12, "number"),
]


def _position_block(entry: PositionSheetEntry) -> list[Flowable]:
    styles = document_styles()
    block: list[Flowable] = [
        text_paragraph(f"{entry.name}（{entry.code}）", _heading_style()),
        _fields(f"数据范围：{SCOPE_LABELS.get(entry.scope, entry.scope)}", f"在岗人数：{entry.holders}",
                f"权限：{entry.permission_count} 项", widths_mm=(40, 40, None)),
    ]
    if entry.description:
        block.append(text_paragraph(f"说明：{entry.description}", styles.body))
    block.append(Spacer(0, 1.5 * mm))
    if entry.modules:
        block.append(data_table(
            PERMISSION_COLUMNS,
            [(m.module_title, "、".join(m.names), len(m.names)) for m in entry.modules],
            width=PAGE.frame_width,
        ))
    else:
        block.append(text_paragraph("（该岗位未分配任何权限）", styles.body))
    # A short position stays on one page; a long one splits rather than leaving a blank page.
    return [KeepTogether(block)]


def build_positions(sheet: PositionSheet, header: DocumentHeader) -> list[Flowable]:
    styles = document_styles()
    story: list[Flowable] = [text_paragraph("在岗人数只统计打印人有权查看的在职员工。", styles.small)]
    if sheet.whole_company:
        story += [
            Spacer(0, 2 * mm),
            text_paragraph("岗位一览", _heading_style()),
            data_table(
                OVERVIEW_COLUMNS,
                [(i, p.name, p.code, SCOPE_LABELS.get(p.scope, p.scope), p.permission_count, p.holders)
                 for i, p in enumerate(sheet.positions, start=1)],
                totals=("", "合计", "", "", "", sum(p.holders for p in sheet.positions)),
                width=PAGE.frame_width,
            ),
        ]
    for entry in sheet.positions:
        story += _position_block(entry)
    return story


def position_numbers(conn: Connection) -> list[str]:
    codes = conn.execute(text(
        "SELECT code FROM yiwei.position"
        " ORDER BY array_position(ARRAY['company', 'region', 'store', 'own'], scope), id")).scalars()
    return [ALL, *codes]


register_doctype(DocType(
    name="roster",
    title="员工花名册",
    permissions=("system.employee.view", "system.employee.manage"),
    load=load_roster,
    build=build_roster,
    numbers=roster_numbers,
    number_help="门店编码（如 HZ01），或 ALL 表示全公司（按大区、门店分组）；只含您数据范围内的员工",
    page=PAGE,
))

register_doctype(DocType(
    name="positions",
    title="岗位权限表",
    permissions=("system.position.manage", "system.employee.view"),
    load=load_positions,
    build=build_positions,
    numbers=position_numbers,
    number_help="岗位编码（如 store_manager），或 ALL 表示全部岗位",
    page=PAGE,
))
