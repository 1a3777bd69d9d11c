"""The one screen every master-data function is: its list, and a record form to add or edit a row.

A screen is described by a :class:`MasterDataKind` (which list, which permission, the form's fields
and how a record is read and saved); :class:`MasterDataScreen` does the rest the same way for all:
新增 (Ctrl+N), 编辑 on Enter or double-click, saving in the background through the checked
function, the "changed by X — reload?" question on a stale version, the database's validation
message beside the field it names, and the saved row selected in the refreshed list.

A kind may add what some master data needs beyond that: further toolbar actions (从 Excel 导入…),
删除 for rows that may go (an alias, a price), a per-login adjustment of the form and the list (the
cost price only for those who may see it), and a *detail*: the rows belonging to the selected row
(a price list's prices) shown below the list as a master-data screen of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive, ask
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

HINT_STYLE = "color: #616161;"


def _new_active(conn) -> dict:
    return {"active": True}


@dataclass(frozen=True)
class ScreenAction:
    """A further toolbar action of a screen; ``run(screen)`` does it."""

    name: str                                       # the action's objectName (tests find it by it)
    text: str                                       # Chinese source text
    run: Callable[[Any], None]
    editing: bool = True                            # offered only to logins that may edit the data


@dataclass(frozen=True)
class MasterDataKind:
    """What one master-data function maintains. Texts are Chinese source text (shown through tr)."""

    list_name: str                                  # the registered ListSpec
    permission: str                                 # maintains the data (the list itself is open to it too)
    noun: str                                       # "渠道" → 新增渠道 / 编辑渠道
    fields: Callable[[], list[FieldSpec]]
    load: Callable[[Any, int], dict]                # (conn, id) → the form's values with id and version
    save: Callable[[Any, dict], int]                # (conn, values) → id, through the checked function
    new_values: Callable[[Any], dict] = _new_active  # (conn) → what a new record starts with
    check: Callable[[dict], dict] | None = None     # client-side rules beyond required/length
    hints: tuple[tuple[str, str], ...] = ()         # (field key, explanation shown under the field)
    actions: tuple[ScreenAction, ...] = ()          # further toolbar actions
    delete: Callable[[Any, int], None] | None = None  # (conn, id): 删除 (Del) through a checked function
    prepare: Callable[[Any, RecordForm], None] | None = None  # (session, form): per-login adjustments
    hidden_columns: Callable[[Any], tuple[str, ...]] = lambda session: ()  # list columns a login never sees
    detail: "MasterDataDetail | None" = None        # the rows of the selected row, shown below the list


@dataclass(frozen=True)
class MasterDataDetail:
    """The rows that belong to the selected row of a screen, e.g. the prices of a price list.

    ``kind`` describes them like any master data; its list has a filter ``filter_key`` that the
    screen sets to the selected row's key (hidden: the selection is the filter), and a new detail
    record starts with that key in ``link_field``. ``caption(row)`` names the selected row above
    the detail list.
    """

    kind: MasterDataKind
    filter_key: str
    link_field: str
    caption: Callable[[dict], str]


def tr(text: str) -> str:
    return QCoreApplication.translate("masterdata", text)


def add_hint(form: RecordForm, key: str, hint: str) -> QLabel:
    """A grey explanation under a field (below its error line, so a message does not push it away)."""
    label = QLabel(hint)
    label.setObjectName(f"hint_{key}")
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    form.widget(key).parentWidget().layout().addWidget(label)
    return label


class MasterDataScreen(ToolbarScreen):
    def __init__(self, ctx, kind: MasterDataKind, parent=None, *, link_field: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.can_edit = ctx.session.can(kind.permission)
        self.dialog: RecordForm | None = None   # the form open now (tests and the shell look at it)
        self.link_field = link_field            # a detail screen: the field holding its master's key
        self.master_key = None                  # … and that key (None: no master row selected)
        self.master_row: dict = {}              # … and that row as its list shows it
        self.master: MasterDataScreen | None = None
        self.list = ListWindow(ctx, get_list(kind.list_name), self)
        self.list.activated.connect(self.open_record)
        self.list.message_shown.connect(self.say)
        for key in kind.hidden_columns(ctx.session):
            # not remembered: the column chooser may bring it back, the database still gives NULL
            self.list.view.setColumnHidden([c.key for c in self.list.spec.columns].index(key), True)
        noun = tr(kind.noun)
        if self.can_edit:
            self.add_action("new", self.tr("新增%s") % noun, self.new_record, QKeySequence.StandardKey.New)
            self.add_action("edit", self.tr("编辑"), self.open_selected)
            if kind.delete is not None:
                self.add_action("delete", self.tr("删除"), self.delete_selected, QKeySequence.StandardKey.Delete)
        else:
            self.add_action("view", self.tr("查看"), self.open_selected)
        for action in kind.actions:
            if self.can_edit or not action.editing:
                self.add_action(action.name, tr(action.text), lambda _checked=False, a=action: a.run(self))
        self.detail: MasterDataScreen | None = None
        if kind.detail is None:
            self.set_body(self.list)
        else:
            self.set_body(self._with_detail(kind.detail))

    # the detail --------------------------------------------------------------------------------
    def _with_detail(self, detail: MasterDataDetail) -> QWidget:
        """The list above, the selected row's detail below; Ctrl+N and Del act on the list that
        has the focus (each screen's shortcuts are bound to its own list, not to the whole)."""
        for action in self.actions_by_name.values():
            self.removeAction(action)
            self.list.addAction(action)
        self.detail = MasterDataScreen(self.ctx, detail.kind, self, link_field=detail.link_field)
        self.detail.master = self
        self.detail.setObjectName("detail")
        self.detail.list.filter_widget(detail.filter_key).hide()
        self.detail_caption = QLabel()
        self.detail_caption.setObjectName("detail_caption")
        self.detail_caption.setStyleSheet("font-weight: bold; padding: 4px 6px 0 6px;")
        lower = QWidget()
        layout = QVBoxLayout(lower)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.detail_caption)
        layout.addWidget(self.detail, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.list.view.selectionModel().selectionChanged.connect(lambda *_: self._master_changed())
        self.list.model.modelReset.connect(self._master_reset)
        self.list.model.rowsInserted.connect(lambda *_: self._master_reset())
        self._master_changed()
        return splitter

    def _master_reset(self) -> None:
        """A freshly read list selects its first row (unless one is selected already), so the
        detail always belongs to a row the user sees."""
        if not self.list.selected_keys() and self.list.model.rowCount():
            self.list.view.selectRow(0)
        self._master_changed()

    def _master_changed(self) -> None:
        """The detail follows the selected row (the first, when several are selected)."""
        detail, spec = self.detail, self.kind.detail
        keys = self.list.selected_keys()
        key = keys[0] if keys else None
        if key == detail.master_key and key is not None:
            return
        detail.master_key = key
        if key is None:
            detail.master_row = {}
            self.detail_caption.setText(self.tr("（请在上方选择一行）"))
        else:
            names = [c.key for c in self.list.spec.columns]
            detail.master_row = dict(zip(names, self.list.model.row_values(self.list.model.row_of_key(key))))
            self.detail_caption.setText(spec.caption(detail.master_row))
            detail.list.set_filter(spec.filter_key, key)
        detail.setEnabled(key is not None)   # greyed (showing the last row's) until a row is chosen

    # actions -----------------------------------------------------------------------------------
    def new_record(self) -> None:
        """新增 (Ctrl+N): a form with the kind's starting values."""
        if not self.can_edit:
            return
        if self.link_field is not None and self.master_key is None:
            return
        new_values, link, master = self.kind.new_values, self.link_field, self.master_key

        def values(conn):
            start = new_values(conn)
            return start if link is None else {**start, link: master}

        self.read(values, lambda values: self._open(self.tr("新增%s") % tr(self.kind.noun), values))

    def delete_selected(self) -> None:
        """删除 (Del) the selected row after asking; the checked function compares its version."""
        delete, keys = self.kind.delete, self.list.selected_keys()
        if delete is None or not self.can_edit:
            return
        if not keys:
            self.say(self.tr("请先在列表中选择一行"))
            return
        noun = tr(self.kind.noun)
        if not ask(self, self.tr("删除%s") % noun, self.tr("删除选中的 %d 条%s吗？") % (len(keys), noun),
                   self.tr("删除"), self.tr("取消")):
            return
        self.say(self.tr("正在删除…"))

        def done(_result):
            if alive(self):
                self.say(self.tr("已删除"))
                self.list.refresh()

        def failed(error):
            if alive(self):
                self.say(error.message)
                self.list.refresh()

        self.ctx.run(lambda conn, token, report: [delete(conn, key) for key in keys], on_done=done,
                     on_error=failed, label=self.tr("删除%s") % noun)

    def open_record(self, record_id) -> None:
        """Enter or double-click in the list: the record's form (read-only without the permission)."""
        load = self.kind.load
        title = (self.tr("编辑%s") if self.can_edit else self.tr("查看%s")) % tr(self.kind.noun)
        self.read(lambda conn: load(conn, record_id),
                  lambda values: self._open(title, values, reload=lambda conn: load(conn, record_id)))

    def open_selected(self) -> None:
        keys = self.list.selected_keys()
        if not keys:
            self.say(self.tr("请先在列表中选择一行"))
            return
        self.open_record(keys[0])

    # the form ----------------------------------------------------------------------------------
    def _open(self, title: str, values: dict, reload=None) -> RecordForm:
        kind = self.kind
        form = RecordForm(self.ctx, title, kind.fields(), save=kind.save if self.can_edit else None,
                          initial=values, reload=reload, check=kind.check, parent=self)
        form.setObjectName(f"form_{kind.list_name}")
        for key, hint in kind.hints:
            add_hint(form, key, tr(hint))
        if kind.prepare is not None:
            kind.prepare(self.ctx.session, form)
        form.saved.connect(self._saved)
        self.dialog = form
        form.open()
        return form

    def _saved(self, record_id) -> None:
        if alive(self):
            self.say(self.tr("已保存"))
            self.list.refresh(select=record_id)
