"""客户提醒跟踪参数: the company's parameters (protection period, follow-up intervals, time zone)
with their allowed ranges; each is changed through set_parameter with its version, and the
database's range check is what decides."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
)
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.screen import ToolbarScreen

from .rows_model import RowColumn, RowsModel

translate = QCoreApplication.translate

PARAMETER_COLUMNS = ("id, key, name, value, value_type, description, min_value, max_value, version,"
                     " yiwei.role_display_name(updated_by) AS updated_by, updated_at")


def load_parameters(conn) -> list:
    return conn.execute(text(f"SELECT {PARAMETER_COLUMNS} FROM yiwei.parameter ORDER BY sort_order, key")).all()


def load_parameter(conn, key: str) -> dict:
    row = conn.execute(text(f"SELECT {PARAMETER_COLUMNS} FROM yiwei.parameter WHERE key = :key"),
                       {"key": key}).mappings().first()
    if row is None:
        raise UserFacingError(translate("parameters", "参数不存在：%s") % key, kind="not_found")
    return dict(row)


def allowed_range(value_type: str, min_value: int | None, max_value: int | None) -> str:
    if value_type == "integer":
        if min_value is not None and max_value is not None:
            return f"{min_value} – {max_value}"
        if min_value is not None:
            return f"≥ {min_value}"
        if max_value is not None:
            return f"≤ {max_value}"
        return translate("parameters", "整数")
    if value_type == "timezone":
        return translate("parameters", "时区名称，如 Asia/Shanghai")
    return translate("parameters", "文字，最多 200 字")


def save_parameter(conn, values: dict) -> str:
    conn.execute(text("SELECT yiwei.set_parameter(:key, :value, :version)"),
                 {"key": values["key"], "value": "" if values["value"] is None else str(values["value"]),
                  "version": values["version"]})
    return values["key"]


def parameter_form(ctx, row: dict, parent=None) -> RecordForm:
    t = lambda s: translate("parameters", s)  # noqa: E731
    kind = "integer" if row["value_type"] == "integer" else "text"
    limits = allowed_range(row["value_type"], row["min_value"], row["max_value"])
    message = f"{row['description']}\n{t('允许范围')}：{limits}"
    return RecordForm(ctx, f"{t('修改参数')} – {row['name']}",
                      [FieldSpec("value", t("取值"), kind, required=True, max_length=200)],
                      initial={"id": row["id"], "key": row["key"], "version": row["version"], "value": row["value"]},
                      save=save_parameter, reload=lambda conn: load_parameter(conn, row["key"]), editing=True,
                      message=message, parent=parent)


class ParametersScreen(ToolbarScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.dialog = None
        self.model = RowsModel([
            RowColumn(self.tr("参数"), lambda r: r.name),
            RowColumn(self.tr("取值"), lambda r: r.value, numeric=True),
            RowColumn(self.tr("允许范围"), lambda r: allowed_range(r.value_type, r.min_value, r.max_value)),
            RowColumn(self.tr("说明"), lambda r: r.description),
            RowColumn(self.tr("最后修改"), lambda r: f"{r.updated_by} {r.updated_at.astimezone():%Y-%m-%d %H:%M}"),
        ], self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self.edit_parameter(self.model.row_at(index.row())))

        self.add_action("edit", self.tr("修改"), self.edit_selected)
        self.add_action("refresh", self.tr("刷新"), lambda: self.refresh(), QKeySequence.StandardKey.Refresh)
        self.set_body(self.table)
        self.refresh()

    def refresh(self, message: str = "") -> None:
        """Read the parameters again; ``message`` is shown once they are there."""
        self.say(self.tr("正在读取…"))

        def done(rows):
            if alive(self):
                self.model.set_rows(rows)
                self.table.resizeRowsToContents()
                self.say(message)

        self.ctx.run(lambda conn, token, report: load_parameters(conn), on_done=done,
                     on_error=lambda error: alive(self) and self.say(error.message), retry_on_disconnect=True)

    def select_key(self, key: str) -> None:
        row = self.model.find("key", key)
        if row >= 0:
            self.table.selectRow(row)

    def edit_selected(self) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None:
            self.say(self.tr("请先选择一个参数"))
            return
        self.edit_parameter(row)

    def edit_parameter(self, row) -> None:
        if row is None:
            return
        # the row on screen may be old: the form starts from the parameter as it is now
        self.ctx.run(lambda conn, token, report: load_parameter(conn, row.key), on_done=self._open,
                     on_error=lambda error: alive(self) and self.say(error.message), retry_on_disconnect=True)

    def _open(self, row: dict) -> None:
        if not alive(self):
            return
        self.dialog = parameter_form(self.ctx, row, self)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()

    def _saved(self, key: str) -> None:
        if alive(self):
            self.refresh(message=self.tr("已保存"))
