"""员工信息: the employee list with the administrator's actions (new, edit, disable, enable, reset
password, extra stores) and the roster print. Logins without system.employee.manage get the list
and a read-only view of each employee; the database refuses the rest anyway."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QMenu,
    QToolButton,
)
from sqlalchemy import text

from client.lists.catalog import get_list
from client.ui.forms import alive, ask
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from . import employee_forms as forms
from .organisation_data import load_organisation

MANAGE = "system.employee.manage"


class EmployeesScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.can_manage = ctx.session.can(MANAGE)
        self.dialog = None          # the dialog currently open (tests and the shell may look at it)
        self.list = ListWindow(ctx, get_list("employees"), self)
        self.list.activated.connect(self.open_employee)
        # the employee just changed stays selected when the list has read its rows again

        if self.can_manage:
            self.add_action("new", self.tr("新建"), self.new_employee, QKeySequence.StandardKey.New)
            self.add_action("edit", self.tr("编辑"), self.edit_selected)
            self.toolbar.addSeparator()
            self.add_action("disable", self.tr("停用"), self.disable_selected)
            self.add_action("enable", self.tr("启用"), self.enable_selected)
            self.add_action("reset_password", self.tr("重置密码"), self.reset_password_selected)
            self.add_action("stores", self.tr("兼管门店"), self.extra_stores_selected)
            self.toolbar.addSeparator()
        else:
            self.add_action("view", self.tr("查看"), self.edit_selected)
        self.print_menu = QMenu(self)
        self.print_menu.addAction(self.tr("全公司花名册"), lambda: self.print_roster("ALL"))
        self.print_menu.addAction(self.tr("各店分别打印（打印队列）"), self.print_each_store)
        self.print_menu.addSeparator()
        self.print_button = QToolButton(self)
        self.print_button.setText(self.tr("打印花名册"))
        self.print_button.setObjectName("print_roster")
        self.print_button.setMenu(self.print_menu)
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(self.print_button)
        self.set_body(self.list)
        self._load_print_stores()

    # helpers -----------------------------------------------------------------------------------
    def selected_id(self):
        keys = self.list.selected_keys()
        if not keys:
            self.say(self.tr("请先在列表中选择一名员工"))
            return None
        return keys[0]

    def _failed(self, error) -> None:
        if alive(self):
            self.say(error.message)

    def _show(self, dialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(self._saved)
        dialog.open()

    def _saved(self, employee_id) -> None:
        if alive(self):
            self.say(self.tr("已保存"))
            self.refresh_list(select=employee_id)

    def refresh_list(self, select=None) -> None:
        self.list.refresh(select=select)

    # actions -----------------------------------------------------------------------------------
    def new_employee(self) -> None:
        self.read(lambda conn: load_organisation(conn),
                   lambda org: self._show(forms.new_employee_form(self.ctx, org, self)))

    def open_employee(self, employee_id) -> None:
        """Double-click / Enter in the list: edit (or view, without the manage permission)."""
        self.read(lambda conn: (load_organisation(conn), forms.load_employee(conn, employee_id)),
                   lambda data: self._show(forms.edit_employee_form(self.ctx, data[0], data[1], self,
                                                                    read_only=not self.can_manage)))

    def edit_selected(self) -> None:
        employee_id = self.selected_id()
        if employee_id is not None:
            self.open_employee(employee_id)

    def disable_selected(self) -> None:
        employee_id = self.selected_id()
        if employee_id is None:
            return

        def opened(row):
            if not row["active"]:
                self.say(self.tr("%s 已经停用") % forms.display_name(row))
                return
            self._show(forms.disable_form(self.ctx, row, self))

        self.read(lambda conn: forms.load_employee(conn, employee_id), opened)

    def enable_selected(self) -> None:
        employee_id = self.selected_id()
        if employee_id is None:
            return

        def opened(row):
            name = forms.display_name(row)
            if row["active"]:
                self.say(self.tr("%s 未停用") % name)
                return
            if not ask(self, self.tr("启用员工"), self.tr("确定重新启用员工“%s”吗？") % name, self.tr("启用"),
                       self.tr("取消"), informative=self.tr("启用后该员工可以用原来的密码登录。")):
                return
            def enabled(_result):
                if alive(self):
                    self.refresh_list(select=row["id"])
                    self.say(self.tr("已启用 %s") % name)

            self.ctx.run(lambda conn, token, report: forms.enable_employee(conn, row["id"], row["version"]),
                         on_done=enabled, on_error=self._failed)

        self.read(lambda conn: forms.load_employee(conn, employee_id), opened)

    def reset_password_selected(self) -> None:
        employee_id = self.selected_id()
        if employee_id is not None:
            self.read(lambda conn: forms.load_employee(conn, employee_id),
                       lambda row: self._show(forms.reset_password_form(self.ctx, row, self)))

    def extra_stores_selected(self) -> None:
        employee_id = self.selected_id()
        if employee_id is None:
            return
        self.read(lambda conn: (load_organisation(conn), forms.load_employee(conn, employee_id),
                                                 forms.load_extra_store_ids(conn, employee_id)),
                   lambda data: self._show(forms.extra_stores_form(self.ctx, *data, parent=self)))

    # printing ----------------------------------------------------------------------------------
    def _load_print_stores(self) -> None:
        def fill(org):
            if not alive(self):
                return
            for store in org.stores:
                if store.active:
                    self.print_menu.addAction(f"{store.code} {store.name}",
                                              lambda code=store.code: self.print_roster(code))

        self.ctx.run(lambda conn, token, report: load_organisation(conn), on_done=fill,
                     on_error=self._failed, retry_on_disconnect=True)

    def print_each_store(self) -> None:
        """One roster per store in scope, each its own job; a store that fails does not stop the rest."""
        from client.ui.print_queue import print_in_queue

        def queue(codes):
            if alive(self):
                self.queue = print_in_queue(self.ctx, [("roster", code) for code in codes], self)

        self.ctx.run(lambda conn, token, report: list(conn.execute(text(
            "SELECT code FROM yiwei.store WHERE active AND id = ANY (yiwei.visible_store_ids()) ORDER BY code")).scalars()),
            on_done=queue, on_error=self._failed)

    def print_roster(self, number: str) -> None:
        from client.ui.print_preview import print_documents

        print_documents(self.ctx, "roster", [number], self)
