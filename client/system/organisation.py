"""网点及部门信息: the organisation tree — company → regions → stores/outlets → departments and
warehouses, head-office departments under the company — with add, edit and deactivate through
save_region / save_store / save_department / save_warehouse and the company name."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
)
from sqlalchemy import text

from client.ui.forms import FieldSpec, RecordForm, alive, ask, inform
from client.ui.screen import ToolbarScreen

from .organisation_data import Organisation, load_organisation, store_kind_label

translate = QCoreApplication.translate
KEY = Qt.ItemDataRole.UserRole          # (kind, id) of a node
INACTIVE = QBrush(QColor("#8a8a8a"))


def t(source: str) -> str:
    return translate("organisation", source)


# --- saving: one function per kind, values as the forms produce them ---------------------------
def save_company(conn, v):
    conn.execute(text("SELECT yiwei.set_company_name(:name)"), {"name": v["name"]})


def save_region(conn, v):
    return conn.execute(text("SELECT yiwei.save_region(:id, :version, :code, :name, :active)"),
                        {"id": v.get("id"), "version": v.get("version"), "code": v["code"], "name": v["name"],
                         "active": v.get("active")}).scalar_one()


def save_store(conn, v):
    return conn.execute(text(
        "SELECT yiwei.save_store(:id, :version, :code, :name, :region_id, :kind, :address, :phone, :mall_name, :active)"),
        {"id": v.get("id"), "version": v.get("version"), "code": v["code"], "name": v["name"],
         "region_id": v["region_id"], "kind": v["kind"], "address": v["address"], "phone": v["phone"],
         "mall_name": v["mall_name"], "active": v.get("active")}).scalar_one()


def save_department(conn, v):
    return conn.execute(text("SELECT yiwei.save_department(:id, :version, :store_id, :name, :active)"),
                        {"id": v.get("id"), "version": v.get("version"), "store_id": v["store_id"],
                         "name": v["name"], "active": v.get("active")}).scalar_one()


def save_warehouse(conn, v):
    return conn.execute(text("SELECT yiwei.save_warehouse(:id, :version, :store_id, :code, :name, :address, :active)"),
                        {"id": v.get("id"), "version": v.get("version"), "store_id": v["store_id"], "code": v["code"],
                         "name": v["name"], "address": v["address"], "active": v.get("active")}).scalar_one()


SAVE = {"region": save_region, "store": save_store, "department": save_department, "warehouse": save_warehouse}
TABLE = {"region": "yiwei.region", "store": "yiwei.store", "department": "yiwei.department",
         "warehouse": "yiwei.warehouse"}
COLUMNS = {"region": "id, version, code, name, active",
           "store": "id, version, code, name, region_id, kind, address, phone, mall_name, active",
           "department": "id, version, store_id, name, active",
           "warehouse": "id, version, store_id, code, name, address, active"}
KIND_TITLE = {"region": QT_TRANSLATE_NOOP("organisation", "大区"), "store": QT_TRANSLATE_NOOP("organisation", "门店"),
              "department": QT_TRANSLATE_NOOP("organisation", "部门"),
              "warehouse": QT_TRANSLATE_NOOP("organisation", "库房")}


def load_node(conn, kind: str, node_id: int) -> dict:
    row = conn.execute(text(f"SELECT {COLUMNS[kind]} FROM {TABLE[kind]} WHERE id = :id"), {"id": node_id}).mappings().one()
    # edits leave the active flag alone (NULL keeps it); deactivating is its own action
    return {**row, "active": None}


def node_fields(kind: str, org: Organisation) -> list[FieldSpec]:
    inactive = t("（已停用）")
    stores = [(s.id, f"{s.code} {s.name}{'' if s.active else inactive}") for s in org.stores]
    if kind == "company":
        return [FieldSpec("name", t("公司名称"), required=True, max_length=60)]
    if kind == "region":
        return [FieldSpec("code", t("大区代码"), required=True, max_length=10, read_only_on_edit=True,
                          placeholder=t("2–10 位大写字母或数字，如 HD")),
                FieldSpec("name", t("大区名称"), required=True, max_length=30)]
    if kind == "store":
        return [FieldSpec("code", t("门店代码"), required=True, max_length=10, read_only_on_edit=True,
                          placeholder=t("2–10 位大写字母或数字，如 HZ03")),
                FieldSpec("name", t("门店名称"), required=True, max_length=40),
                FieldSpec("region_id", t("大区"), "choice", required=True,
                          choices=[(r.id, r.name if r.active else f"{r.name}{inactive}") for r in org.regions]),
                FieldSpec("kind", t("类型"), "choice", required=True,
                          choices=[("showroom", store_kind_label("showroom")), ("outlet", store_kind_label("outlet"))]),
                FieldSpec("address", t("地址"), max_length=200),
                FieldSpec("phone", t("电话"), max_length=30),
                FieldSpec("mall_name", t("建材城"), max_length=60, placeholder=t("由建材城代收款时填写"))]
    if kind == "department":
        return [FieldSpec("store_id", t("门店"), "choice", read_only_on_edit=True,
                          choices=[(None, t("总部（不属于门店）"))] + stores),
                FieldSpec("name", t("部门名称"), required=True, max_length=30)]
    return [FieldSpec("store_id", t("门店"), "choice", required=True, choices=stores),
            FieldSpec("code", t("库房代码"), required=True, max_length=15, read_only_on_edit=True,
                      placeholder=t("2–15 位大写字母、数字或横线，如 WH-HZ03")),
            FieldSpec("name", t("库房名称"), required=True, max_length=40),
            FieldSpec("address", t("地址"), max_length=200)]


class OrganisationScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.org: Organisation | None = None
        self.dialog = None
        self.message_box = None
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([self.tr("名称"), self.tr("代码"), self.tr("类型"), self.tr("地址")])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemActivated.connect(lambda item, _column: self.edit_selected())
        self.tree.currentItemChanged.connect(lambda *_: self._update_actions())

        self.add_action("new_region", self.tr("新建大区"), lambda: self.new_node("region"))
        self.add_action("new_store", self.tr("新建门店"), lambda: self.new_node("store"))
        self.add_action("new_department", self.tr("新建部门"), lambda: self.new_node("department"))
        self.add_action("new_warehouse", self.tr("新建库房"), lambda: self.new_node("warehouse"))
        self.toolbar.addSeparator()
        self.add_action("edit", self.tr("编辑"), self.edit_selected)
        self.add_action("deactivate", self.tr("停用"), lambda: self.set_active(False))
        self.add_action("activate", self.tr("启用"), lambda: self.set_active(True))
        self.add_action("refresh", self.tr("刷新"), self.refresh, QKeySequence.StandardKey.Refresh)
        self.set_body(self.tree)
        self._update_actions()
        self.refresh()

    # the tree ----------------------------------------------------------------------------------
    def refresh(self, select: tuple | None = None) -> None:
        current = self.current_key()
        self.say(self.tr("正在读取…"))

        def done(org):
            if alive(self):
                self.say("")
                self._fill(org)
                self.select(select or current or ("company", None))

        self.ctx.run(lambda conn, token, report: load_organisation(conn), on_done=done, on_error=self._failed,
                     retry_on_disconnect=True)

    def _failed(self, error) -> None:
        if alive(self):
            self.say(error.message)

    def _node(self, parent, kind, node_id, name, code="", kind_text="", address="", active=True) -> QTreeWidgetItem:
        suffix = "" if active else self.tr("（已停用）")
        item = QTreeWidgetItem(parent, [f"{name}{suffix}", code, kind_text, address])
        item.setData(0, KEY, (kind, node_id))
        item.setData(0, KEY + 1, active)
        item.setData(0, KEY + 2, name)
        if not active:
            for column in range(4):
                item.setForeground(column, INACTIVE)
        return item

    def _fill(self, org: Organisation) -> None:
        self.org = org
        self.tree.clear()
        company = self._node(self.tree, "company", None, org.company_name, kind_text=self.tr("公司"))
        bold = QFont(company.font(0))
        bold.setBold(True)
        company.setFont(0, bold)
        department = self.tr("部门")
        warehouse = self.tr("库房")
        for d in org.departments:
            if d.store_id is None:
                self._node(company, "department", d.id, d.name, kind_text=self.tr("总部部门"), active=d.active)
        for r in org.regions:
            region = self._node(company, "region", r.id, r.name, r.code, self.tr("大区"), active=r.active)
            for s in org.stores:
                if s.region_id != r.id:
                    continue
                store = self._node(region, "store", s.id, s.name, s.code, store_kind_label(s.kind), s.address,
                                   active=s.active)
                for d in org.departments:
                    if d.store_id == s.id:
                        self._node(store, "department", d.id, d.name, kind_text=department, active=d.active)
                for w in org.warehouses:
                    if w.store_id == s.id:
                        self._node(store, "warehouse", w.id, w.name, w.code, warehouse, w.address, active=w.active)
        self.tree.expandToDepth(1)

    def items(self, kind: str | None = None) -> list[QTreeWidgetItem]:
        found = []

        def walk(item):
            if kind is None or item.data(0, KEY)[0] == kind:
                found.append(item)
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i))
        return found

    def select(self, key: tuple) -> bool:
        for item in self.items(key[0]):
            if tuple(item.data(0, KEY)) == tuple(key):
                self.tree.setCurrentItem(item)
                self.tree.scrollToItem(item)
                return True
        return False

    def current_key(self) -> tuple | None:
        item = self.tree.currentItem()
        return tuple(item.data(0, KEY)) if item is not None else None

    def _update_actions(self) -> None:
        key = self.current_key()
        kind = key[0] if key else None
        item = self.tree.currentItem()
        active = bool(item.data(0, KEY + 1)) if item is not None else True
        enable = self.actions_by_name
        enable["new_store"].setEnabled(kind in ("region", "store"))
        enable["new_department"].setEnabled(kind in ("company", "store", "department"))
        enable["new_warehouse"].setEnabled(kind in ("store", "warehouse"))
        enable["edit"].setEnabled(kind is not None)
        enable["deactivate"].setEnabled(kind not in (None, "company") and active)
        enable["activate"].setEnabled(kind not in (None, "company") and not active)

    # context of the selection ------------------------------------------------------------------
    def _context_store(self) -> int | None:
        """The store the selected node belongs to (for new departments and warehouses)."""
        key = self.current_key()
        if not key or self.org is None:
            return None
        kind, node_id = key
        if kind == "store":
            return node_id
        if kind == "department":
            return next((d.store_id for d in self.org.departments if d.id == node_id), None)
        if kind == "warehouse":
            return next((w.store_id for w in self.org.warehouses if w.id == node_id), None)
        return None

    def _context_region(self) -> int | None:
        key = self.current_key()
        if not key or self.org is None:
            return None
        if key[0] == "region":
            return key[1]
        store = self.org.store(self._context_store())
        return store.region_id if store else None

    # actions -----------------------------------------------------------------------------------
    def _open(self, kind: str, title: str, initial: dict, editing: bool, reload=None) -> RecordForm:
        save = save_company if kind == "company" else SAVE[kind]
        form = RecordForm(self.ctx, title, node_fields(kind, self.org), save=save, initial=initial, editing=editing,
                          reload=reload, parent=self)

        def saved(result):
            if alive(self):
                self.say(self.tr("已保存"))
                self.refresh(select=(kind, result if kind != "company" else None) if not editing else None)

        form.saved.connect(saved)
        self.dialog = form
        form.open()
        return form

    def new_node(self, kind: str) -> None:
        if self.org is None:
            return
        initial = {"region": {}, "store": {"region_id": self._context_region(), "kind": "showroom"},
                   "department": {"store_id": self._context_store()},
                   "warehouse": {"store_id": self._context_store()}}[kind]
        self._open(kind, self.tr("新建%s") % translate("organisation", KIND_TITLE[kind]), initial, False)

    def edit_selected(self) -> None:
        key = self.current_key()
        if key is None or self.org is None:
            return
        kind, node_id = key
        if kind == "company":
            self._open("company", self.tr("公司名称"), {"name": self.org.company_name}, True)
            return
        title = self.tr("编辑%s") % translate("organisation", KIND_TITLE[kind])

        def opened(row):
            if alive(self):
                self._open(kind, f"{title} – {row['name']}", row, True, reload=lambda conn: load_node(conn, kind, node_id))

        self.ctx.run(lambda conn, token, report: load_node(conn, kind, node_id), on_done=opened,
                     on_error=self._failed, retry_on_disconnect=True)

    def set_active(self, active: bool) -> None:
        key = self.current_key()
        if key is None or key[0] == "company":
            return
        kind, node_id = key
        name = self.tree.currentItem().data(0, KEY + 2)
        verb = self.tr("启用") if active else self.tr("停用")
        what = translate("organisation", KIND_TITLE[kind])
        if not ask(self, f"{verb}{what}", self.tr("确定%s%s“%s”吗？") % (verb, what, name), verb, self.tr("取消"),
                   informative="" if active else self.tr("停用后不能再选用，已有的单据和员工不受影响。")):
            return
        version = next(row.version for row in getattr(self.org, {"region": "regions", "store": "stores",
                                                                  "department": "departments",
                                                                  "warehouse": "warehouses"}[kind])
                       if row.id == node_id)

        def change(conn, token, report):
            # the version shown in the tree: a change made meanwhile by someone else is a conflict
            row = {**load_node(conn, kind, node_id), "version": version, "active": active}
            return SAVE[kind](conn, row)

        def done(_result):
            if alive(self):
                self.say(self.tr("已%s%s“%s”") % (verb, what, name))
                self.refresh()

        def refused(error):
            if alive(self):
                self.message_box = inform(self, f"{verb}{what}", error.message, warning=True)
                self.refresh()

        self.ctx.run(change, on_done=done, on_error=refused)
