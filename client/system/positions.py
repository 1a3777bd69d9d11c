"""岗位信息: positions with their data scope and permissions (a checkable tree grouped by module),
new/edit/delete through the checked functions, and the position/permission sheet print."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTableView,
    QToolButton,
)
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.ui.forms import FieldSpec, RecordForm, alive, ask, inform
from client.ui.registry import MODULES
from client.ui.screen import ToolbarScreen

from .organisation_data import scope_choices, scope_label
from .rows_model import RowColumn, RowsModel

translate = QCoreApplication.translate

POSITIONS_SQL = """
SELECT p.id, p.code, p.name, p.scope, p.description, p.min_discount_rate, p.version,
       (SELECT count(*) FROM yiwei.employee e WHERE e.position_id = p.id AND e.active) AS employees,
       (SELECT count(*) FROM yiwei.position_permission pp WHERE pp.position_id = p.id) AS permissions
  FROM yiwei.position p ORDER BY p.id"""


def module_title(key: str) -> str:
    return next((m.title for m in MODULES if m.key == key), key)


def load_permission_choices(conn) -> list[tuple[str, str, str]]:
    """The permission catalogue as (code, name, module title), in menu order of the modules."""
    order = {m.key: m.order for m in MODULES}
    rows = conn.execute(text("SELECT code, module, name, sort_order FROM yiwei.permission")).all()
    rows.sort(key=lambda r: (order.get(r.module, 99), r.sort_order, r.code))
    return [(r.code, r.name, module_title(r.module)) for r in rows]


def load_position(conn, position_id: int) -> dict:
    row = conn.execute(text(
        "SELECT id, version, code, name, scope, description, min_discount_rate,"
        "       ARRAY(SELECT permission_code FROM yiwei.position_permission WHERE position_id = p.id) AS permissions"
        "  FROM yiwei.position p WHERE id = :id"), {"id": position_id}).mappings().first()
    if row is None:
        raise UserFacingError(translate("positions", "岗位不存在或已被删除"), kind="not_found")
    return {**row, "permissions": list(row["permissions"]), "min_discount_rate": rate_text(row["min_discount_rate"])}


def rate_text(rate: Decimal) -> str:
    """0.8800 → "0.88", 1.0000 → "1": the rate as people write it (八八折, 不打折)."""
    return format(rate.normalize(), "f")


def discount_limit(values: dict) -> Decimal:
    """The typed 最低折扣 as an exact decimal (empty = 1, no discount); the database checks the range."""
    typed = str(values.get("min_discount_rate") or "").strip() or "1"
    try:
        rate = Decimal(typed)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        raise UserFacingError(translate("positions", "最低折扣须为小数，如 0.88 表示八八折"), kind="validation",
                              detail={"field": "最低折扣"})
    return rate


def create_position(conn, values: dict) -> int:
    return conn.execute(text("SELECT yiwei.create_position(:code, :name, :scope, :description, CAST(:perms AS text[]),"
                             " CAST(:rate AS numeric))"),
                        {"code": values["code"], "name": values["name"], "scope": values["scope"],
                         "description": values["description"], "perms": list(values["permissions"]),
                         "rate": discount_limit(values)}).scalar_one()


def update_position(conn, values: dict) -> int:
    conn.execute(text("SELECT yiwei.update_position(:id, :version, :name, :scope, :description, CAST(:perms AS text[]),"
                      " CAST(:rate AS numeric))"),
                 {"id": values["id"], "version": values["version"], "name": values["name"], "scope": values["scope"],
                  "description": values["description"], "perms": list(values["permissions"]),
                  "rate": discount_limit(values)})
    return values["id"]


def delete_position(conn, position_id: int, version: int) -> None:
    conn.execute(text("SELECT yiwei.delete_position(:id, :version)"), {"id": position_id, "version": version})


def position_fields(permission_choices) -> list[FieldSpec]:
    t = lambda s: translate("positions", s)  # noqa: E731
    return [
        FieldSpec("code", t("岗位代码"), required=True, max_length=30, read_only_on_edit=True, aliases=("代码",),
                  placeholder=t("小写字母、数字或下划线，如 store_manager")),
        FieldSpec("name", t("岗位名称"), required=True, max_length=30),
        FieldSpec("scope", t("数据范围"), "choice", required=True, choices=scope_choices()),
        FieldSpec("min_discount_rate", t("最低折扣"), max_length=6,
                  placeholder=t("该岗位可给的最低折扣，如 0.88 表示八八折，1 表示不打折")),
        FieldSpec("description", t("说明"), "multiline", max_length=200),
        FieldSpec("permissions", t("权限"), "multi_choice", choices=permission_choices),
    ]


def position_form(ctx, permission_choices, row: dict | None, parent=None) -> RecordForm:
    t = lambda s: translate("positions", s)  # noqa: E731
    if row is None:
        form = RecordForm(ctx, t("新建岗位"), position_fields(permission_choices), save=create_position,
                          initial={"scope": "store", "min_discount_rate": "1"}, editing=False, parent=parent)
    else:
        form = RecordForm(ctx, f"{t('编辑岗位')} – {row['name']}", position_fields(permission_choices), initial=row,
                          save=update_position, reload=lambda conn: load_position(conn, row["id"]), parent=parent,
                          message=t("权限和数据范围的修改对该岗位的员工在下次打开功能时生效。"))
    form.widget("permissions").setMinimumHeight(380)
    form.resize(560, 760)
    return form


class PositionsScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None
        self.message_box = None
        self.model = RowsModel([
            RowColumn(self.tr("代码"), lambda r: r.code),
            RowColumn(self.tr("岗位名称"), lambda r: r.name),
            RowColumn(self.tr("数据范围"), lambda r: scope_label(r.scope)),
            RowColumn(self.tr("最低折扣"), lambda r: rate_text(r.min_discount_rate), numeric=True),
            RowColumn(self.tr("在职员工"), lambda r: r.employees, numeric=True),
            RowColumn(self.tr("权限数"), lambda r: r.permissions, numeric=True),
            RowColumn(self.tr("说明"), lambda r: r.description),
        ], self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(lambda index: self.edit_position(self.model.row_at(index.row())))

        self.add_action("new", self.tr("新建"), self.new_position, QKeySequence.StandardKey.New)
        self.add_action("edit", self.tr("编辑"), lambda: self.edit_position(self.selected()))
        self.add_action("delete", self.tr("删除"), self.delete_selected)
        self.add_action("refresh", self.tr("刷新"), self.refresh, QKeySequence.StandardKey.Refresh)
        self.toolbar.addSeparator()
        menu = QMenu(self)
        menu.addAction(self.tr("打印所选岗位"), self.print_selected)
        menu.addAction(self.tr("打印全部岗位"), lambda: self.print_sheet("ALL"))
        self.print_button = QToolButton(self)
        self.print_button.setObjectName("print_positions")
        self.print_button.setText(self.tr("打印岗位权限表"))
        self.print_button.setMenu(menu)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(self.print_button)
        self.set_body(self.table)
        self.refresh()

    def selected(self):
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None:
            self.say(self.tr("请先选择一个岗位"))
        return row

    def select_code(self, code: str) -> None:
        row = self.model.find("code", code)
        if row >= 0:
            self.table.selectRow(row)

    # loading -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.say(self.tr("正在读取…"))
        current = self.table.currentIndex()
        keep = self.model.row_at(current.row()).code if current.isValid() else None

        def done(rows):
            if alive(self):
                self.model.set_rows(rows)
                self.say(self.tr("共 %d 个岗位") % len(rows))
                if keep:
                    self.select_code(keep)

        self.ctx.run(lambda conn, token, report: conn.execute(text(POSITIONS_SQL)).all(), on_done=done,
                     on_error=self._failed, retry_on_disconnect=True)

    def _failed(self, error) -> None:
        if alive(self):
            self.say(error.message)

    # actions -----------------------------------------------------------------------------------
    def _show(self, dialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(lambda _r: alive(self) and self.refresh())
        dialog.open()

    def new_position(self) -> None:
        self.ctx.run(lambda conn, token, report: load_permission_choices(conn),
                     on_done=lambda choices: alive(self) and self._show(position_form(self.ctx, choices, None, self)),
                     on_error=self._failed, retry_on_disconnect=True)

    def edit_position(self, row) -> None:
        if row is None:
            return
        self.ctx.run(lambda conn, token, report: (load_permission_choices(conn), load_position(conn, row.id)),
                     on_done=lambda data: alive(self) and self._show(position_form(self.ctx, data[0], data[1], self)),
                     on_error=self._failed, retry_on_disconnect=True)

    def delete_selected(self) -> None:
        row = self.selected()
        if row is None or not ask(self, self.tr("删除岗位"), self.tr("确定删除岗位“%s”吗？") % row.name,
                                  self.tr("删除"), self.tr("取消")):
            return

        def deleted(_result):
            if alive(self):
                self.say(self.tr("已删除岗位“%s”") % row.name)
                self.refresh()

        def refused(error):
            if alive(self):
                self.message_box = inform(self, self.tr("不能删除岗位"), error.message, warning=True)

        self.ctx.run(lambda conn, token, report: delete_position(conn, row.id, row.version),
                     on_done=deleted, on_error=refused)

    def print_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.print_sheet(row.code)

    def print_sheet(self, number: str) -> None:
        from client.ui.print_preview import print_documents

        print_documents(self.ctx, "positions", [number], self)
