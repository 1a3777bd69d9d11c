"""The customer record form: the record's fields, its household contacts (a small table) and, for
a saved customer, the history of visits and follow-ups — three tabs of one RecordForm.

Field labels are the labels the database names in its validation errors (YW422 DETAIL), so a
refused value is shown beside its field; contact errors are shown under the contacts table.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.ui.forms import ERROR_STYLE, FieldSpec, RecordForm, alive

from .customer_data import COMMON_TAGS, CustomerChoices, parse_tags, save_customer
from .lists import CUSTOMER_STAGES

translate = QCoreApplication.translate

NAME_MAX, NOTE_MAX, ADDRESS_MAX, PART_MAX, COMMUNITY_MAX = 30, 1000, 200, 20, 60
TAG_MAX, TAGS_MAX = 10, 20
CONTACTS_MAX, RELATION_MAX = 10, 10
# What the database calls the contacts' values in its errors.
CONTACT_LABELS = ("联系人", "联系人姓名", "关系", "联系人电话")


def customer_field(key: str, choices=None) -> FieldSpec:
    """One field of a customer record, the same in every form that edits customers."""
    t = lambda s: translate("customers", s)  # noqa: E731
    specs = {
        "name": FieldSpec("name", t("客户姓名"), required=True, max_length=NAME_MAX),
        "phone": FieldSpec("phone", t("手机"), required=True, max_length=30, aliases=("手机号",),
                           placeholder=t("手机 11 位，或固话如 0571-88886666")),
        "store_id": FieldSpec("store_id", t("门店"), "choice", required=True, choices=choices or [],
                              read_only_on_edit=True),
        "guide_id": FieldSpec("guide_id", t("导购"), "choice", required=True, choices=choices or [],
                              read_only_on_edit=True),
        "designer_id": FieldSpec("designer_id", t("设计师"), "choice", choices=choices or []),
        "community": FieldSpec("community", t("小区"), max_length=COMMUNITY_MAX, placeholder=t("如 万科城一期")),
        "building": FieldSpec("building", t("楼栋"), max_length=PART_MAX, placeholder=t("如 3幢")),
        "unit": FieldSpec("unit", t("单元"), max_length=PART_MAX),
        "room": FieldSpec("room", t("房号"), max_length=PART_MAX, placeholder=t("如 1202")),
        "address": FieldSpec("address", t("地址"), max_length=ADDRESS_MAX, placeholder=t("小区以外的地址，或补充说明")),
        "source_id": FieldSpec("source_id", t("客户来源"), "choice", choices=choices or []),
        "channel_id": FieldSpec("channel_id", t("渠道"), "choice", choices=choices or []),
        "decoration_designer_id": FieldSpec("decoration_designer_id", t("家装设计师"), "choice", choices=choices or []),
        "stage": FieldSpec("stage", t("阶段"), "choice", required=True, choices=choices or []),
        "tags": FieldSpec("tags", t("标签"), placeholder=t("用逗号或顿号分隔，如 %s") % "、".join(COMMON_TAGS[:3])),
        "special": FieldSpec("special", t("特殊客户"), "bool"),
        "note": FieldSpec("note", t("备注"), "multiline", max_length=NOTE_MAX),
    }
    return specs[key]


def check_tags(values: dict) -> dict:
    tags = parse_tags(values.get("tags"))
    long = [tag for tag in tags if len(tag) > TAG_MAX]
    if long:
        return {"tags": translate("customers", "标签“%s”超过 %d 个字") % (long[0], TAG_MAX)}
    if len(tags) > TAGS_MAX:
        return {"tags": translate("customers", "标签最多 %d 个") % TAGS_MAX}
    return {}


def stage_choices(current: str | None) -> list[tuple]:
    """The stages a clerk may choose: 已签约 only shows on a signed customer (a contract sets it)."""
    return [(value, translate("customers", label)) for value, label in CUSTOMER_STAGES
            if value != "signed" or current == "signed"]


class ContactsEditor(QWidget):
    """家庭联系人: name, relation and phone of the household's other people, edited in place."""

    changed = Signal()
    COLUMNS = ("name", "relation", "phone")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("contacts")
        layout = QVBoxLayout(self)
        hint = QLabel(self.tr("配偶、父母等其他家庭成员；电话显示为掩码时保持原号码不变。"))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("contacts_table")
        self.table.setHorizontalHeaderLabels([self.tr("联系人姓名"), self.tr("关系"), self.tr("联系人电话")])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.itemChanged.connect(lambda _item: self._edited())
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("添加联系人"), self)
        self.add_button.setObjectName("add_contact")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button = QPushButton(self.tr("删除联系人"), self)
        self.remove_button.setObjectName("remove_contact")
        self.remove_button.clicked.connect(self.remove_current)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.error = QLabel(self)
        self.error.setObjectName("error_contacts")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

    def set_contacts(self, contacts) -> None:
        blocker = self.table.blockSignals(True)
        try:
            self.table.setRowCount(0)
            for contact in contacts or ():
                self._append(contact)
        finally:
            self.table.blockSignals(blocker)
        self.show_error(None)

    def _append(self, contact: dict) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, key in enumerate(self.COLUMNS):
            item = QTableWidgetItem(str(contact.get(key) or ""))
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, contact.get("id"))
            self.table.setItem(row, column, item)
        return row

    def add_row(self, contact: dict | None = None) -> None:
        if self.table.rowCount() >= CONTACTS_MAX:
            self.show_error(self.tr("家庭联系人最多 %d 位") % CONTACTS_MAX)
            return
        row = self._append(contact or {})
        self.table.setCurrentCell(row, 0)
        if not contact:
            self.table.editItem(self.table.item(row, 0))
        self._edited()

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._edited()

    def contacts(self) -> list[dict]:
        """The rows with anything typed in them, as save_customer takes them."""
        result = []
        for row in range(self.table.rowCount()):
            values = {key: (self.table.item(row, col).text().strip() if self.table.item(row, col) else "")
                      for col, key in enumerate(self.COLUMNS)}
            name_item = self.table.item(row, 0)
            contact_id = name_item.data(Qt.ItemDataRole.UserRole) if name_item else None
            if contact_id is None and not any(values.values()):
                continue
            result.append({"id": contact_id, **values})
        return result

    def check(self) -> str | None:
        for number, contact in enumerate(self.contacts(), start=1):
            if not contact["name"]:
                return self.tr("第 %d 位联系人：请填写联系人姓名") % number
            if len(contact["name"]) > NAME_MAX:
                return self.tr("第 %d 位联系人：姓名不能超过 %d 个字") % (number, NAME_MAX)
            if len(contact["relation"]) > RELATION_MAX:
                return self.tr("第 %d 位联系人：关系不能超过 %d 个字") % (number, RELATION_MAX)
        return None

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def _edited(self) -> None:
        self.show_error(None)
        self.changed.emit()


class HistoryView(QWidget):
    """来访与跟踪: the customer's visits and follow-ups, read-only."""

    def __init__(self, history: dict, parent=None):
        super().__init__(parent)
        self.setObjectName("history")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("来访记录")))
        self.visits = self._tree([self.tr("来访时间"), self.tr("门店"), self.tr("导购"), self.tr("人数"),
                                  self.tr("来源"), self.tr("意向"), self.tr("备注")], history.get("visits", ()))
        self.visits.setObjectName("history_visits")
        layout.addWidget(self.visits, 1)
        layout.addWidget(QLabel(self.tr("跟踪记录")))
        self.followups = self._tree([self.tr("跟踪时间"), self.tr("跟踪人"), self.tr("方式"), self.tr("内容"),
                                     self.tr("下次联系")], history.get("followups", ()))
        self.followups.setObjectName("history_followups")
        layout.addWidget(self.followups, 1)

    def _tree(self, headers: list[str], rows) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels(headers)
        tree.setAlternatingRowColors(True)
        for row in rows:
            QTreeWidgetItem(tree, [_cell(value) for value in row])
        if not rows:
            QTreeWidgetItem(tree, [self.tr("（无）")])
        return tree


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "hour") else value.isoformat()
    return str(value)


class CustomerForm(RecordForm):
    """新建客户 / 编辑客户: a RecordForm whose fields sit in the first tab, the contacts in the
    second and (for a saved customer) the visits and follow-ups in the third."""

    FIELD_ORDER = ("name", "phone", "store_id", "guide_id", "designer_id", "community", "building", "unit", "room",
                   "address", "source_id", "channel_id", "decoration_designer_id", "stage", "tags", "special", "note")

    def __init__(self, ctx, title: str, choices: CustomerChoices, *, initial: dict, reload=None,
                 history: dict | None = None, read_only: bool = False, parent=None):
        self.choices = choices
        editing = initial.get("id") is not None
        store_id = initial.get("store_id")
        field_choices = {
            "store_id": choices.stores, "guide_id": choices.staff.guides_of(store_id),
            "designer_id": choices.staff.designers_of(store_id), "source_id": choices.sources,
            "channel_id": choices.channels, "decoration_designer_id": choices.decoration_designers,
            "stage": stage_choices(initial.get("stage")),
        }
        fields = [customer_field(key, field_choices.get(key)) for key in self.FIELD_ORDER]
        super().__init__(ctx, title, fields, save=None if read_only else save_customer, initial=initial,
                         reload=reload, check=check_tags, editing=editing, read_only=read_only, parent=parent)
        self.setMinimumWidth(560)
        self.contacts = ContactsEditor(self)
        self.contacts.set_contacts(initial.get("contacts"))
        self._contacts_baseline = self.contacts.contacts()
        if read_only:
            self.contacts.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.contacts.add_button.hide()
            self.contacts.remove_button.hide()
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("customer_tabs")
        layout = self.layout()
        index = layout.indexOf(self.fields)
        layout.removeWidget(self.fields)
        self.tabs.addTab(self.fields, self.tr("客户资料"))
        self.tabs.addTab(self.contacts, self.tr("家庭联系人"))
        if history is not None:
            self.history = HistoryView(history, self)
            self.tabs.addTab(self.history, self.tr("来访与跟踪"))
        layout.insertWidget(index, self.tabs, 1)

        if ctx.session.scope == "own" and not editing:
            # a guide creates their own customers only
            self.fields.set_field_enabled("guide_id", False)
        if initial.get("stage") == "signed":
            self.fields.set_field_enabled("stage", False)
        self.valueChanged.connect(self._value_changed)

    # the store decides who can be guide and designer --------------------------------------------
    def _value_changed(self, key: str) -> None:
        if key == "store_id" and not self.editing:
            store_id = self.values().get("store_id")
            staff = self.choices.staff
            self.set_choices("guide_id", staff.guides_of(store_id))
            self.set_choices("designer_id", staff.designers_of(store_id))

    # contacts are part of the record ------------------------------------------------------------
    def values(self) -> dict:
        values = super().values()
        if hasattr(self, "contacts"):
            values["contacts"] = self.contacts.contacts()
        return values

    def set_values(self, values: dict) -> None:
        super().set_values(values)
        if "contacts" in values and hasattr(self, "contacts"):
            self.contacts.set_contacts(values["contacts"])
            self._contacts_baseline = self.contacts.contacts()

    def is_dirty(self) -> bool:
        return super().is_dirty() or self.contacts.contacts() != self._contacts_baseline

    def submit(self) -> None:
        if not (self.busy or self.read_only or self._loading):
            message = self.contacts.check()
            if message:
                self.contacts.show_error(message)
                self.tabs.setCurrentWidget(self.contacts)
                return
        self.tabs.setCurrentWidget(self.fields)
        super().submit()

    def _on_save_failed(self, error) -> None:
        if not alive(self):
            return
        detail = error.detail or {}
        label = detail.get("field")
        if error.kind in ("validation", "conflict") and detail.get("version") is None:
            if label in CONTACT_LABELS:
                self._set_busy(False)
                self.contacts.show_error(error.message)
                self.tabs.setCurrentWidget(self.contacts)
                return
            key = self.fields.field_for_label(label)
            if key is not None:
                # e.g. the phone already belongs to another customer: say so beside the phone
                self._set_busy(False)
                self.tabs.setCurrentWidget(self.fields)
                self.fields.show_field_error(key, error.message)
                return
        super()._on_save_failed(error)
