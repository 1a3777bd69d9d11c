"""The one screen every master-data function is: its list, and a record form to add or edit a row.

A screen is described by a :class:`MasterDataKind` (which list, which permission, the form's fields
and how a record is read and saved); :class:`MasterDataScreen` does the rest the same way for all:
新增 (Ctrl+N), 编辑 on Enter or double-click, saving in the background through the checked
function, the "changed by X — reload?" question on a stale version, the database's validation
message beside the field it names, and the saved row selected in the refreshed list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

HINT_STYLE = "color: #616161;"


def _new_active(conn) -> dict:
    return {"active": True}


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
    def __init__(self, ctx, kind: MasterDataKind, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.can_edit = ctx.session.can(kind.permission)
        self.dialog: RecordForm | None = None   # the form open now (tests and the shell look at it)
        self.list = ListWindow(ctx, get_list(kind.list_name), self)
        self.list.activated.connect(self.open_record)
        self.list.message_shown.connect(self.say)
        noun = tr(kind.noun)
        if self.can_edit:
            self.add_action("new", self.tr("新增%s") % noun, self.new_record, QKeySequence.StandardKey.New)
            self.add_action("edit", self.tr("编辑"), self.open_selected)
        else:
            self.add_action("view", self.tr("查看"), self.open_selected)
        self.set_body(self.list)

    # actions -----------------------------------------------------------------------------------
    def new_record(self) -> None:
        """新增 (Ctrl+N): a form with the kind's starting values."""
        if not self.can_edit:
            return
        new_values = self.kind.new_values
        self.read(lambda conn: new_values(conn),
                  lambda values: self._open(self.tr("新增%s") % tr(self.kind.noun), values))

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
        form.saved.connect(self._saved)
        self.dialog = form
        form.open()
        return form

    def _saved(self, record_id) -> None:
        if alive(self):
            self.say(self.tr("已保存"))
            self.list.refresh(select=record_id)
