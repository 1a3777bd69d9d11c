"""设计师任务跟踪: measure, design and drawing tasks with their due dates, by designer.

Tasks are planned and closed through ``yiwei.save_designer_task`` and ``yiwei.close_designer_task``;
the database checks the scope, that the designer works in the customer's store and that a
designer of the 'own' scope plans only their own tasks. The 逾期汇总 tab counts the open and the
overdue tasks per designer, so a manager sees at once who is behind.
"""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTabWidget, QTreeWidget, QTreeWidgetItem
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive, inform
from client.ui.list_view import ListWindow
from client.ui.row_marks import mark_rows
from client.ui.screen import ToolbarScreen

from .followups import learn_company_today
from .picker import describe_customer, pick_customer
from .work_lists import TASK_KINDS

translate = QCoreApplication.translate

DEFAULT_DUE_DAYS = 3
LIST_TAB, SUMMARY_TAB = 0, 1
TASK_COLUMNS = ("id, version, customer_id, customer_name, customer_number, guide_name, store_id, designer_id, kind,"
                " due_on, note, status")


def designer_choices(store_id: int):
    """A loader of the designers who may take tasks in a store; a designer of the 'own' scope
    sees only themself (the database would refuse anyone else)."""

    def load(conn) -> list[tuple]:
        return [tuple(r) for r in conn.execute(text(
            "SELECT e.id, e.full_name FROM yiwei.employee e"
            " WHERE e.active AND (e.store_id = :store OR EXISTS (SELECT 1 FROM yiwei.employee_store es"
            "                      WHERE es.employee_id = e.id AND es.store_id = :store))"
            "   AND EXISTS (SELECT 1 FROM yiwei.position_permission pp"
            "                WHERE pp.position_id = e.position_id AND pp.permission_code = 'customers.designer_task')"
            "   AND (yiwei.current_scope() <> 'own' OR e.id = yiwei.current_employee_id())"
            " ORDER BY e.id <> yiwei.current_employee_id(), e.full_name"), {"store": store_id})]

    return load


def task_fields(store_id: int) -> list[FieldSpec]:
    t = lambda s: translate("designer_tasks", s)  # noqa: E731
    return [
        FieldSpec("designer_id", t("设计师"), "choice", required=True, choices=designer_choices(store_id)),
        FieldSpec("kind", t("任务类型"), "choice", required=True, choices=list(TASK_KINDS)),
        FieldSpec("due_on", t("完成期限"), "date", required=True),
        FieldSpec("note", t("说明"), "multiline", max_length=500, placeholder=t("如：客户周六上午在家，需带激光尺")),
    ]


def save_task(conn, values: dict) -> int:
    due = values.get("due_on")
    payload = {"customer_id": values.get("customer_id"), "designer_id": values.get("designer_id"),
               "kind": values.get("kind"), "due_on": due.isoformat() if due else None,
               "note": values.get("note") or ""}
    return conn.execute(text("SELECT yiwei.save_designer_task(:id, :version, CAST(:p AS jsonb))"),
                        {"id": values.get("id"), "version": values.get("version"),
                         "p": json.dumps(payload)}).scalar()


def load_task(conn, task_id: int) -> dict:
    row = conn.execute(text(f"SELECT {TASK_COLUMNS} FROM yiwei.designer_task_list WHERE id = :id"),
                       {"id": task_id}).mappings().first()
    if row is None:
        raise UserFacingError(translate("designer_tasks", "任务不存在或不在您的数据范围内"), kind="not_found")
    return dict(row)


def close_task(conn, values: dict, done: bool) -> int:
    conn.execute(text("SELECT yiwei.close_designer_task(:id, :version, :done, :result)"),
                 {"id": values["id"], "version": values["version"], "done": done, "result": values.get("result") or ""})
    return values["id"]


def overdue_by_designer(conn) -> list[dict]:
    """Per designer in scope: open tasks, overdue ones and the oldest overdue due date."""
    return [dict(r) for r in conn.execute(text(
        "SELECT designer_id, designer_name, store_name, count(*) AS open_tasks,"
        "       count(*) FILTER (WHERE overdue) AS overdue_tasks, min(due_on) FILTER (WHERE overdue) AS oldest_due"
        "  FROM yiwei.designer_task_list WHERE status = 'open'"
        " GROUP BY designer_id, designer_name, store_name"
        " ORDER BY count(*) FILTER (WHERE overdue) DESC, designer_name")).mappings()]


class OverdueSummary(QTreeWidget):
    """逾期汇总: one row per designer; Enter or double-click shows that designer's overdue tasks."""

    designer_chosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("overdue_summary")
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHeaderLabels([self.tr("设计师"), self.tr("门店"), self.tr("逾期任务"), self.tr("进行中任务"),
                              self.tr("最早逾期期限")])
        self.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.itemActivated.connect(self._chosen)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.rows = rows
        self.clear()
        for row in rows:
            oldest = row["oldest_due"].isoformat() if row["oldest_due"] else ""
            item = QTreeWidgetItem([row["designer_name"], row["store_name"], str(row["overdue_tasks"]),
                                    str(row["open_tasks"]), oldest])
            item.setData(0, Qt.ItemDataRole.UserRole, row["designer_id"])
            for column in (2, 3):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row["overdue_tasks"]:
                for column in range(5):
                    item.setForeground(column, Qt.GlobalColor.darkRed)
            self.addTopLevelItem(item)
        if rows:
            self.setCurrentItem(self.topLevelItem(0))

    def overdue_counts(self) -> dict[str, int]:
        """Designer name → overdue tasks, as shown."""
        return {row["designer_name"]: row["overdue_tasks"] for row in self.rows}

    def _chosen(self, item: QTreeWidgetItem, _column: int) -> None:
        self.designer_chosen.emit(item.data(0, Qt.ItemDataRole.UserRole))


class DesignerTasksScreen(ToolbarScreen):
    """The task list (open tasks by due date, overdue ones in red) and the per-designer summary."""

    summary_loaded = Signal()

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: RecordForm | None = None
        self.picker = None
        self.list = ListWindow(ctx, get_list("designer_tasks"), self)
        self.marks = mark_rows(self.list, "overdue")
        self.summary = OverdueSummary(self)
        self.summary.designer_chosen.connect(self.show_overdue_of)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("task_tabs")
        self.tabs.addTab(self.list, self.tr("任务列表"))
        self.tabs.addTab(self.summary, self.tr("逾期汇总（按设计师）"))
        self.tabs.currentChanged.connect(lambda index: index == SUMMARY_TAB and self.load_summary())
        self.list.activated.connect(self.edit_task)
        self.list.message_shown.connect(self.say)
        self.add_action("new", self.tr("新建任务"), self.new_task, QKeySequence.StandardKey.New)
        self.add_action("edit", self.tr("编辑"), self.edit_current)
        self.add_action("done", self.tr("完成"), lambda: self.close_current(True), "Ctrl+D")
        self.add_action("cancel_task", self.tr("取消任务"), lambda: self.close_current(False))
        self.add_action("refresh", self.tr("刷新"), self.refresh)
        self.set_body(self.tabs)
        self.setFocusProxy(self.list.view)
        self.list.set_filter("status", "open")
        learn_company_today(self)

    # lists -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.list.refresh()
        self.load_summary()

    def load_summary(self) -> None:
        self.ctx.run(lambda conn, token, report: overdue_by_designer(conn), on_done=self._summary_arrived,
                     on_error=lambda error: alive(self) and self.say(error.message),
                     label=self.tr("逾期汇总"), retry_on_disconnect=True)

    def _summary_arrived(self, rows: list[dict]) -> None:
        if alive(self):
            self.summary.set_rows(rows)
            self.summary_loaded.emit()

    def show_overdue_of(self, designer_id: int | None) -> None:
        """The overdue open tasks of one designer (from the summary) or of everybody."""
        self.tabs.setCurrentIndex(LIST_TAB)
        self.list.set_filter("designer", designer_id)
        self.list.set_filter("status", "open")
        self.list.set_filter("overdue", True)

    def show_due_soon(self, days: int) -> None:
        """Open tasks due within ``days`` (from the start page)."""
        from client.lists.query import DateRange

        self.tabs.setCurrentIndex(LIST_TAB)
        self.list.set_filter("overdue", None)
        self.list.set_filter("status", "open")
        self.list.set_filter("due", DateRange(self.today, self.today + dt.timedelta(days=days)))

    def show_start_item(self, key: str) -> None:
        mine = self.ctx.session.employee_id if self.ctx.session.scope == "own" else None
        self.list.set_filter("designer", mine)
        if key == "tasks_overdue":
            self.show_overdue_of(mine)
        else:
            self.list.set_filter("due", None)
            self.list.set_filter("overdue", None)
            self.list.set_filter("status", "open")

    # planning ----------------------------------------------------------------------------------
    def new_task(self):
        """新建任务 (Ctrl+N): pick the customer, then plan the task."""
        self.picker = pick_customer(self.ctx, self, self.open_new_form, self.tr("新建设计任务：选择客户"))
        return self.picker

    def open_new_form(self, customer: dict) -> RecordForm:
        me = self.ctx.session.employee_id
        designer = me if self.ctx.session.scope == "own" else customer.get("designer_id")
        initial = {"customer_id": customer["id"], "designer_id": designer, "kind": "measure",
                   "due_on": self.today + dt.timedelta(days=DEFAULT_DUE_DAYS)}
        return self._open(self.tr("新建设计任务 — {0}").format(customer["name"]), customer["store_id"], initial,
                          self.tr("客户：{0}").format(describe_customer(customer)))

    def _open(self, title: str, store_id: int, initial: dict, intro: str, reload=None) -> RecordForm:
        self.dialog = RecordForm(self.ctx, title, task_fields(store_id), save=save_task, initial=initial,
                                 reload=reload, message=intro, parent=self)
        self.dialog.saved.connect(lambda _id: alive(self) and self._changed(self.tr("任务已保存")))
        self.dialog.open()
        return self.dialog

    def edit_current(self) -> None:
        if self.list.current_key() is not None:
            self.edit_task(self.list.current_key())

    def edit_task(self, task_id: int) -> None:
        """Enter on a task: edit it while it is open; a closed one is only shown."""

        def loaded(task: dict) -> None:
            if not alive(self):
                return
            intro = self.tr("客户：{0}（{1}，导购 {2}）").format(task["customer_name"], task["customer_number"],
                                                             task["guide_name"])
            if task["status"] != "open":
                self.say(self.tr("任务已完成或已取消，不能再修改"))
                self.dialog = RecordForm(self.ctx, self.tr("设计任务"), task_fields(task["store_id"]), save=None,
                                         initial=task, message=intro, parent=self)
                self.dialog.open()
                return
            self._open(self.tr("编辑设计任务 — {0}").format(task["customer_name"]), task["store_id"], task, intro,
                       reload=lambda conn: load_task(conn, task_id))

        self.ctx.run(lambda conn, token, report: load_task(conn, task_id), on_done=loaded,
                     on_error=lambda error: alive(self) and self.say(error.message))

    # closing -----------------------------------------------------------------------------------
    def close_current(self, done: bool) -> None:
        key = self.list.current_key()
        if key is None:
            self.say(self.tr("请先在列表中选择任务"))
            return
        self.close_task(key, done)

    def close_task(self, task_id: int, done: bool) -> None:
        """完成 (with what was done) or 取消 (with the reason, required)."""

        def loaded(task: dict) -> None:
            if not alive(self):
                return
            if task["status"] != "open":
                inform(self, self.tr("设计任务"), self.tr("任务已完成或已取消"))
                return
            self.open_close_form(task, done)

        self.ctx.run(lambda conn, token, report: load_task(conn, task_id), on_done=loaded,
                     on_error=lambda error: alive(self) and self.say(error.message))

    def open_close_form(self, task: dict, done: bool) -> RecordForm:
        kind = dict(TASK_KINDS).get(task["kind"], task["kind"])
        intro = self.tr("{0}：{1}（期限 {2}）").format(kind, task["customer_name"], task["due_on"].isoformat())
        if done:
            fields = [FieldSpec("result", self.tr("完成情况"), "multiline", max_length=500)]
            title, button = self.tr("完成设计任务"), self.tr("完成")
        else:
            fields = [FieldSpec("result", self.tr("取消原因"), "multiline", required=True, max_length=500)]
            title, button = self.tr("取消设计任务"), self.tr("取消任务")
        self.dialog = RecordForm(self.ctx, title, fields, save=lambda conn, values: close_task(conn, values, done),
                                 initial={"id": task["id"], "version": task["version"]}, editing=False,
                                 message=intro, save_text=button, parent=self)
        self.dialog.saved.connect(lambda _id: alive(self) and self._changed(
            self.tr("任务已完成") if done else self.tr("任务已取消")))
        self.dialog.open()
        return self.dialog

    def _changed(self, message: str) -> None:
        self.say(message)
        self.refresh()
