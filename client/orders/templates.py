"""合同模块管理: the clause text of the printed contract, one template per product line (or for all
lines), with ``{占位符}`` the print fills in. The placeholders the database accepts
(yiwei.contract_placeholders()) are listed under the text and inserted at the cursor by a click.

Saving never overwrites: yiwei.save_contract_template adds version n+1 of the template (a contract
keeps printing the version it was made with) and refuses saving over a version someone else saved
meanwhile. 版本历史 shows every version of the selected template, each readable.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.lists.catalog import get_list
from client.masterdata.screen import MasterDataKind, MasterDataScreen, ScreenAction
from client.ui.forms import FieldSpec, RecordForm
from client.ui.list_view import ListWindow

PERMISSION = "orders.template"


def _t(text_: str) -> str:
    return QCoreApplication.translate("templates", text_)


def placeholders(conn) -> list[str]:
    return list(conn.execute(text("SELECT unnest(yiwei.contract_placeholders())")).scalars())


def line_choices(conn) -> list[tuple]:
    return [(None, _t("全部系列"))] + [tuple(r) for r in conn.execute(text(
        "SELECT id, name FROM yiwei.product_line WHERE active ORDER BY sort_order, code"))]


def load_template(conn, template_id: int) -> dict:
    """The latest version of the template's family (what a new version is saved over)."""
    row = conn.execute(text(
        "SELECT id, version, name, line_id, body, active FROM yiwei.contract_template_list"
        " WHERE family_id = (SELECT family_id FROM yiwei.contract_template WHERE id = :id)"),
        {"id": template_id}).mappings().first()
    if row is None:
        raise UserFacingError("合同模板不存在", kind="not_found")
    return dict(row)


def save_template(conn, values: dict) -> int:
    payload = {key: values.get(key) for key in ("name", "line_id", "body", "active")}
    return conn.execute(text("SELECT yiwei.save_contract_template(:id, :version, CAST(:p AS jsonb))"),
                        {"id": values.get("id"), "version": values.get("version"),
                         "p": json.dumps(payload, ensure_ascii=False)}).scalar_one()


def template_fields() -> list[FieldSpec]:
    return [FieldSpec("name", _t("模板名称"), required=True, max_length=40),
            FieldSpec("line_id", _t("产品系列"), "choice", choices=line_choices),
            FieldSpec("active", _t("启用"), "bool"),
            FieldSpec("body", _t("合同条款"), "multiline", required=True, max_length=20000)]


def _prepare(session, form: RecordForm) -> None:
    """A tall clause editor and, under it, a button per placeholder that inserts it at the cursor."""
    body: QPlainTextEdit = form.widget("body")
    body.setMinimumHeight(320)
    body.setMaximumHeight(16777215)
    body.setTabChangesFocus(True)
    form.resize(760, 640)
    bar = QWidget()
    bar.setObjectName("placeholders")
    layout = QHBoxLayout(bar)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(QLabel(_t("插入占位符：")))
    body.parentWidget().layout().addWidget(bar)
    form.placeholder_buttons = {}

    def insert(name: str) -> None:
        body.insertPlainText("{" + name + "}")
        body.setFocus(Qt.FocusReason.OtherFocusReason)

    def arrived(names: list[str]) -> None:
        rows = QVBoxLayout()
        line = None
        for index, name in enumerate(names):
            if index % 6 == 0:
                line = QHBoxLayout()
                line.setSpacing(4)
                rows.addLayout(line)
            button = QPushButton("{" + name + "}")
            button.setObjectName(f"placeholder_{name}")
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)    # the cursor stays in the clause text
            button.setEnabled(not form.read_only)             # 查看 only: nothing to insert into
            button.setToolTip(_t("在光标处插入 {%1}").replace("%1", name))
            button.clicked.connect(lambda _checked=False, n=name: insert(n))
            line.addWidget(button)
            form.placeholder_buttons[name] = button
        if line is not None:
            line.addStretch(1)
        layout.addLayout(rows, 1)

    form.ctx.run(lambda conn, token, report: placeholders(conn), on_done=arrived,
                 on_error=lambda error: form.show_error(error.message), retry_on_disconnect=True)


class VersionHistory(QDialog):
    """Every version of one template, newest first; the selected version's text below."""

    def __init__(self, ctx, family_id: int, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName("template_history")
        self.setWindowTitle(_t("版本历史：%1").replace("%1", name))
        self.resize(820, 600)
        self.list = ListWindow(ctx, get_list("contract_template_versions"), self)
        self.list.filter_widget("family").hide()    # the template is the filter
        self.list.set_filter("family", family_id)
        self.body = QPlainTextEdit(self)
        self.body.setObjectName("version_body")
        self.body.setReadOnly(True)
        self.list.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_body())
        self.list.model.modelReset.connect(self._first)
        # the rows arrive after the reset (a page appended): the newest version is shown once read
        self.list.model.rowsInserted.connect(lambda *_: self._first())
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _first(self) -> None:
        if self.list.model.rowCount() and not self.list.view.currentIndex().isValid():
            self.list.view.setCurrentIndex(self.list.model.index(0, 0))
        self._show_body()

    def _show_body(self) -> None:
        index = self.list.view.currentIndex()
        if not index.isValid():
            self.body.clear()
            return
        values = dict(zip((c.key for c in self.list.spec.columns), self.list.model.row_values(index.row())))
        self.body.setPlainText(values["body"])


def show_history(screen: MasterDataScreen) -> None:
    keys = screen.list.selected_keys()
    if not keys:
        screen.say(screen.tr("请先在列表中选择一行"))
        return

    def opened(row):
        dialog = VersionHistory(screen.ctx, row["family_id"], row["name"], screen)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        screen.dialog = dialog
        dialog.open()

    screen.read(lambda conn: dict(conn.execute(text(
        "SELECT family_id, name FROM yiwei.contract_template WHERE id = :id"), {"id": keys[0]}).mappings().one()), opened)


TEMPLATE = MasterDataKind(
    list_name="contract_templates", permission=PERMISSION, noun="合同模板", fields=template_fields,
    load=load_template, save=save_template, new_values=lambda conn: {"active": True, "line_id": None},
    hints=(("body", "保存时生成新版本，旧版本保留；已下的合同仍按其当时的版本打印。"),),
    actions=(ScreenAction("history", "版本历史", show_history, editing=False),),
    prepare=_prepare,
)


class TemplatesScreen(MasterDataScreen):
    def __init__(self, ctx, parent=None):
        super().__init__(ctx, TEMPLATE, parent)
