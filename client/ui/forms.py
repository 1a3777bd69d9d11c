"""The generic record form: a dialog built from a short declarative description of its fields.

Every module builds its edit dialogs from :class:`FieldSpec` lists and a ``save(conn, values)``
callable that calls the database's checked function. The form does what every dialog needs:

* client-side checks (required, maximum length, integer) with the message in red beside the field
  and the focus moved there;
* the save runs in the background in one transaction (``ctx.run``) — a dropped connection rolls it
  back, the dialog stays open with what the user typed and says so;
* server validation errors (SQLSTATE YW422 with the field label in DETAIL) land beside that field;
* an optimistic-lock conflict (YW409) asks "changed by X at T — reload?" and refills the fields;
* Enter or Ctrl+S saves, Esc cancels (asking first when something was changed).

:class:`RecordFields` is the field grid on its own, for panels that are not dialogs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QSizePolicy,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)
from shiboken6 import isValid

from client.db.errors import UserFacingError

translate = QCoreApplication.translate

FIELD_KINDS = ("text", "multiline", "integer", "choice", "multi_choice", "bool", "password", "date")

Choice = tuple  # (value, label) or, for grouped multi-choices, (value, label, group label)
ChoiceSource = Sequence[Choice] | Callable[[Any], Sequence[Choice]] | None

ERROR_STYLE = "color: #c62828;"
INFO_STYLE = "color: #1b5e20;"
# QDateEdit cannot be empty; its minimum date stands for "no date" and is shown blank.
NO_DATE = QDate(1900, 1, 1)


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record form.

    ``choices`` is a list of ``(value, label)`` pairs or a loader ``fn(conn) -> [(value, label)]``
    run in the background when the form opens. A multi-choice whose choices carry a third element
    (a group label) is shown as a checkable tree grouped by it. ``aliases`` are further labels the
    database may name the field by in a validation error (SQLSTATE YW422, DETAIL = label).
    """

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    choices: ChoiceSource = None
    read_only_on_edit: bool = False
    placeholder: str = ""
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"field {self.key!r}: unknown kind {self.kind!r}")
        if self.kind in ("choice", "multi_choice") and self.choices is None:
            raise ValueError(f"field {self.key!r}: a {self.kind} field needs choices")

    def names(self) -> tuple[str, ...]:
        return (self.label, self.key, *self.aliases)


def ask(parent: QWidget | None, title: str, text: str, yes: str, no: str, *, informative: str = "") -> bool:
    """A yes/no question with buttons that say what they do; No is the default (Esc, Enter)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    if informative:
        box.setInformativeText(informative)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


def inform(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> QMessageBox:
    """A message the user acknowledges; shown window-modal without blocking the caller."""
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.addButton(translate("RecordForm", "确定"), QMessageBox.ButtonRole.AcceptRole)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


_LINE_HEIGHT: list[int] = []


def _line_height() -> int:
    """Height of a one-line input in the current style (labels line up with it)."""
    if not _LINE_HEIGHT:
        _LINE_HEIGHT.append(QLineEdit().sizeHint().height())
    return _LINE_HEIGHT[0]


def alive(obj) -> bool:
    """False once Qt deleted the widget (a background result may arrive after its dialog closed)."""
    return obj is not None and isValid(obj)


class _Field:
    """A field's input widget, its error label and how to read and write its value."""

    def __init__(self, spec: FieldSpec, owner: "RecordFields"):
        self.spec = spec
        self.required = spec.required
        self.input = self._make_input(owner)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setObjectName(f"error_{spec.key}")
        self.error.hide()
        self.row = QWidget()
        layout = QVBoxLayout(self.row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.input)
        layout.addWidget(self.error)
        # only lists grow with the dialog; a short field keeps its height and its label beside it
        grows = spec.kind == "multi_choice"
        self.row.setSizePolicy(QSizePolicy.Policy.Preferred,
                               QSizePolicy.Policy.Expanding if grows else QSizePolicy.Policy.Maximum)
        self.enabled = True
        self.visible = True
        self.wanted: Any = None   # a choice value set before its choice was loaded
        self.label = QLabel()
        self.label.setBuddy(self.input)
        # labels sit level with the first line of their field, also beside tall fields
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.label.setMinimumHeight(_line_height())
        self.update_label()

    def update_label(self) -> None:
        # the mark's place is kept when a field is not required, so labels do not shift when a
        # field becomes required (e.g. the store once a store position is chosen)
        colour = "#c62828" if self.required else "transparent"
        self.label.setText(f'<span style="color:{colour}">*</span>{self.spec.label}')

    def _make_input(self, owner: "RecordFields") -> QWidget:
        spec = self.spec
        changed = lambda *_: owner._on_edited(spec.key)  # noqa: E731
        kind = spec.kind
        if kind in ("text", "integer", "password"):
            widget = QLineEdit()
            widget.setPlaceholderText(spec.placeholder)
            if kind == "password":
                widget.setEchoMode(QLineEdit.EchoMode.Password)
            if kind == "integer":
                widget.setAlignment(Qt.AlignmentFlag.AlignRight)
            widget.textEdited.connect(changed)
        elif kind == "multiline":
            widget = QPlainTextEdit()
            widget.setPlaceholderText(spec.placeholder)
            widget.setTabChangesFocus(True)
            widget.setFixedHeight(widget.fontMetrics().lineSpacing() * 4 + 12)
            widget.textChanged.connect(changed)
        elif kind == "choice":
            widget = QComboBox()
            widget.setMinimumContentsLength(16)
            widget.activated.connect(changed)
            widget.activated.connect(lambda *_: setattr(self, "wanted", None))
            widget.currentIndexChanged.connect(lambda *_: owner._on_changed(spec.key))
        elif kind == "multi_choice":
            # a checkable tree: grouped choices under their group, plain choices as a flat list
            widget = QTreeWidget()
            widget.setHeaderHidden(True)
            widget.setMinimumHeight(150)
            widget.itemChanged.connect(changed)
        elif kind == "bool":
            widget = QCheckBox()
            widget.toggled.connect(changed)
        else:  # date
            widget = QDateEdit()
            widget.setCalendarPopup(True)
            widget.setDisplayFormat("yyyy-MM-dd")
            widget.setMinimumDate(NO_DATE)
            widget.setSpecialValueText(" ")
            widget.setDate(NO_DATE)
            widget.dateChanged.connect(changed)
        widget.setObjectName(f"field_{spec.key}")
        return widget

    # values ------------------------------------------------------------------------------------
    def value(self) -> Any:
        w, kind = self.input, self.spec.kind
        if kind in ("text",):
            return w.text().strip()
        if kind == "password":
            return w.text()
        if kind == "integer":
            text = w.text().strip()
            try:
                return int(text) if text else None
            except ValueError:
                return text          # left as typed; validation names the field
        if kind == "multiline":
            return w.toPlainText().strip()
        if kind == "choice":
            return w.currentData() if w.currentIndex() >= 0 else None
        if kind == "multi_choice":
            return self._checked_values()
        if kind == "bool":
            return w.isChecked()
        date = w.date()
        return None if date == NO_DATE else date.toPython()

    def _check_items(self) -> list[QTreeWidgetItem]:
        """The checkable choice items of a multi-choice (group items only sum them up)."""
        items = []
        tree = self.input
        for i in range(tree.topLevelItemCount()):
            top = tree.topLevelItem(i)
            if top.childCount():
                items += [top.child(j) for j in range(top.childCount())]
            elif top.data(0, Qt.ItemDataRole.UserRole + 1):
                items.append(top)
        return items

    def _checked_values(self) -> list:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self._check_items()
                if item.checkState(0) == Qt.CheckState.Checked]

    def set_value(self, value: Any) -> None:
        w, kind = self.input, self.spec.kind
        blocker = w.blockSignals(True)
        try:
            if kind in ("text", "password", "integer"):
                w.setText("" if value is None else str(value))
            elif kind == "multiline":
                w.setPlainText("" if value is None else str(value))
            elif kind == "choice":
                self.wanted = value
                w.setCurrentIndex(self._index_of(value))
            elif kind == "multi_choice":
                wanted = set(value or ())
                for item in self._check_items():
                    checked = item.data(0, Qt.ItemDataRole.UserRole) in wanted
                    item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            elif kind == "bool":
                w.setChecked(bool(value))
            else:
                if isinstance(value, dt.datetime):
                    value = value.date()
                w.setDate(QDate(value.year, value.month, value.day) if value else NO_DATE)
        finally:
            w.blockSignals(blocker)

    def _index_of(self, value: Any) -> int:
        for i in range(self.input.count()):
            if self.input.itemData(i) == value:
                return i
        return 0 if self.input.count() and self.input.itemData(0) is None else -1

    def set_choices(self, choices: Sequence[Choice]) -> None:
        current = self.value()
        if current is None and self.spec.kind == "choice":
            current = self.wanted
        w = self.input
        blocker = w.blockSignals(True)
        try:
            if self.spec.kind == "choice":
                w.clear()
                if not any(c[0] is None for c in choices):
                    w.addItem("", None)   # "nothing chosen" — refused by validation when required
                for choice in choices:
                    w.addItem(str(choice[1]), choice[0])
            else:
                w.clear()
                groups: dict[str, QTreeWidgetItem] = {}
                for choice in choices:
                    parent = w
                    if len(choice) > 2:
                        parent = groups.get(str(choice[2]))
                        if parent is None:
                            parent = groups[str(choice[2])] = QTreeWidgetItem(w, [str(choice[2])])
                            parent.setFlags(parent.flags() | Qt.ItemFlag.ItemIsUserCheckable
                                            | Qt.ItemFlag.ItemIsAutoTristate)
                            parent.setCheckState(0, Qt.CheckState.Unchecked)
                    item = QTreeWidgetItem(parent, [str(choice[1])])
                    item.setData(0, Qt.ItemDataRole.UserRole, choice[0])
                    item.setData(0, Qt.ItemDataRole.UserRole + 1, True)   # a choice, not a group
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(0, Qt.CheckState.Unchecked)
                w.setRootIsDecorated(bool(groups))
                w.expandAll()
        finally:
            w.blockSignals(blocker)
        self.set_value(current)

    def is_empty(self, value: Any) -> bool:
        if self.spec.kind == "bool":
            return False
        return value is None or value == "" or value == []

    def check(self) -> str | None:
        """The client-side message for this field, or None when it is acceptable."""
        value = self.value()
        label = self.spec.label
        if self.required and self.is_empty(value):
            if self.spec.kind in ("choice", "multi_choice", "date"):
                return translate("RecordForm", "请选择%s") % label
            return translate("RecordForm", "请填写%s") % label
        if self.spec.kind == "integer" and isinstance(value, str):
            return translate("RecordForm", "%s须为整数") % label
        if self.spec.max_length and isinstance(value, str) and len(value) > self.spec.max_length:
            return translate("RecordForm", "%s不能超过 %d 个字符") % (label, self.spec.max_length)
        return None

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.apply_style()

    def apply_style(self) -> None:
        style = []
        if self.error.text() and self.spec.kind != "bool":
            style.append("border: 1px solid #c62828;")
        if not self.enabled and isinstance(self.input, (QLineEdit, QPlainTextEdit)):
            style.append("background: palette(window);")
        self.input.setStyleSheet(" ".join(style))


class RecordFields(QWidget):
    """The field grid of a record form (a QFormLayout), usable on its own in panels.

    ``values()`` returns the extra keys given to ``set_values`` (id, version, …) together with the
    fields' values, so a save function gets everything it needs from one dict.
    """

    valueChanged = Signal(str)   # a field changed (by the user or by set_values/set_choices)
    edited = Signal(str)         # the user edited a field

    def __init__(self, fields: Sequence[FieldSpec], parent: QWidget | None = None, *, editing: bool = False):
        super().__init__(parent)
        self.specs = list(fields)
        self.editing = editing
        self._extra: dict[str, Any] = {}
        self._fields: dict[str, _Field] = {}
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for spec in self.specs:
            if spec.key in self._fields:
                raise ValueError(f"field key used twice: {spec.key}")
            field = _Field(spec, self)
            self._fields[spec.key] = field
            if isinstance(spec.choices, (list, tuple)):
                field.set_choices(spec.choices)
            self.form.addRow(field.label, field.row)
            if editing and spec.read_only_on_edit:
                self.set_field_enabled(spec.key, False)

    # access ------------------------------------------------------------------------------------
    def widget(self, key: str) -> QWidget:
        return self._fields[key].input

    def error_text(self, key: str) -> str:
        field = self._fields[key]
        return field.error.text() if not field.error.isHidden() else ""

    def loaders(self) -> dict[str, Callable]:
        return {s.key: s.choices for s in self.specs if callable(s.choices)}

    def values(self) -> dict[str, Any]:
        return {**self._extra, **{key: f.value() for key, f in self._fields.items()}}

    def field_values(self) -> dict[str, Any]:
        return {key: f.value() for key, f in self._fields.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in self._fields:
                self._fields[key].set_value(value)
            else:
                self._extra[key] = value
        for key in values:
            if key in self._fields:
                self.valueChanged.emit(key)

    def set_choices(self, key: str, choices: Sequence[Choice]) -> None:
        self._fields[key].set_choices(choices)
        self.valueChanged.emit(key)

    def set_field_enabled(self, key: str, enabled: bool) -> None:
        field = self._fields[key]
        if isinstance(field.input, (QLineEdit, QPlainTextEdit)):
            field.input.setReadOnly(not enabled)
            field.input.setEnabled(True)
            field.input.setFocusPolicy(Qt.FocusPolicy.StrongFocus if enabled else Qt.FocusPolicy.ClickFocus)
        else:
            field.input.setEnabled(enabled)
        field.enabled = enabled
        field.apply_style()

    def is_field_enabled(self, key: str) -> bool:
        return self._fields[key].enabled

    def set_field_required(self, key: str, required: bool) -> None:
        field = self._fields[key]
        field.required = required
        field.update_label()

    def set_field_visible(self, key: str, visible: bool) -> None:
        field = self._fields[key]
        self.form.setRowVisible(field.row, visible)
        field.visible = visible

    def set_read_only(self) -> None:
        for key in self._fields:
            self.set_field_enabled(key, False)

    # errors ------------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for field in self._fields.values():
            field.set_error(None)

    def show_field_error(self, key: str, message: str) -> None:
        field = self._fields[key]
        field.set_error(message)
        field.input.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(field.input, QLineEdit):
            field.input.selectAll()

    def field_for_label(self, label: str | None) -> str | None:
        """The key of the (visible, editable) field the database named in a validation error."""
        if not label:
            return None
        for key, field in self._fields.items():
            if label in field.spec.names() and field.visible and self.is_field_enabled(key):
                return key
        return None

    def validate(self, check: Callable[[dict], dict] | None = None) -> bool:
        """Run the client-side checks; show each message beside its field and focus the first."""
        self.clear_errors()
        errors: dict[str, str] = {}
        for key, field in self._fields.items():
            if not field.visible or not self.is_field_enabled(key):
                continue
            message = field.check()
            if message:
                errors[key] = message
        if check and not errors:
            errors.update({k: v for k, v in (check(self.values()) or {}).items() if v})
        first = None
        for spec in self.specs:                      # in form order, so focus goes to the top-most
            if spec.key in errors:
                self._fields[spec.key].set_error(errors[spec.key])
                first = first or spec.key
        if first:
            self.show_field_error(first, errors[first])
            return False
        return True

    def show_server_error(self, error: UserFacingError) -> bool:
        """Put a validation error beside the field it names; False when no field fits."""
        key = self.field_for_label((error.detail or {}).get("field")) if error.kind == "validation" else None
        if key is None:
            return False
        self.show_field_error(key, error.message)
        return True

    def focus_first(self) -> None:
        for key, field in self._fields.items():
            if field.visible and self.is_field_enabled(key):
                field.input.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    # signals -----------------------------------------------------------------------------------
    def _on_edited(self, key: str) -> None:
        self._fields[key].set_error(None)
        self.edited.emit(key)
        if self._fields[key].spec.kind != "choice":
            self.valueChanged.emit(key)

    def _on_changed(self, key: str) -> None:
        self.valueChanged.emit(key)


class RecordForm(QDialog):
    """A dialog that edits one record and saves it through ``save(conn, values) -> result``.

    ``initial`` holds the record's values and keys such as ``id`` and ``version`` that have no
    field; ``values`` passed to ``save`` include them. ``reload(conn) -> values`` fetches the record
    again after a conflict. ``check(values) -> {key: message}`` adds client-side rules (e.g. the
    two passwords match). ``confirm`` is a question asked before saving (e.g. for disabling).
    After a successful save ``result`` holds what ``save`` returned and ``saved`` is emitted.
    A form that carries more than its fields (a lines table) adds to ``dirty_checks`` so closing
    asks before dropping what was typed there too.
    """

    saved = Signal(object)
    valueChanged = Signal(str)

    def __init__(self, ctx, title: str, fields: Sequence[FieldSpec], *, save: Callable | None,
                 initial: dict | None = None, reload: Callable | None = None,
                 check: Callable[[dict], dict] | None = None, editing: bool | None = None,
                 message: str = "", save_text: str | None = None, confirm: str | None = None,
                 read_only: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.save_function = save
        self.reload_function = reload
        self.check_function = check
        self.confirm_text = confirm
        self.read_only = read_only or save is None
        self.result = None
        self.busy = False
        self.conflict_box: QMessageBox | None = None
        self.dirty_checks: list[Callable[[], bool]] = []
        initial = dict(initial or {})
        if editing is None:
            editing = initial.get("id") is not None
        self.editing = editing
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(460)

        layout = QVBoxLayout(self)
        if message:
            intro = QLabel(message)
            intro.setWordWrap(True)
            intro.setObjectName("intro")
            layout.addWidget(intro)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        self.fields = RecordFields(fields, self, editing=editing)
        self.fields.valueChanged.connect(self.valueChanged)
        self.fields.edited.connect(self._on_edited)
        layout.addWidget(self.fields)

        bottom = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setFixedWidth(90)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel()
        bottom.addWidget(self.progress)
        bottom.addWidget(self.status, 1)
        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(save_text or self.tr("保存"))
        self.save_button.setObjectName("save")
        self.cancel_button = QPushButton(self.tr("关闭") if self.read_only else self.tr("取消"))
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.setAutoDefault(False)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        if self.read_only:
            self.save_button.hide()
            self.fields.set_read_only()
            self.cancel_button.setDefault(True)
        else:
            self.save_button.setDefault(True)
            self.save_button.setToolTip(self.tr("保存 (Enter / Ctrl+S)"))
            QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.submit)

        self.fields.set_values(initial)
        self._baseline = self.fields.field_values()
        self._loading = False
        if self.fields.loaders():
            self._load_choices()
        self.fields.focus_first()

    # public API --------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return self.fields.values()

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill the fields (and id/version) and take them as the unchanged state."""
        self.fields.set_values(values)
        self._baseline = self.fields.field_values()

    def set_choices(self, key: str, choices: Sequence[Choice]) -> None:
        self.fields.set_choices(key, choices)

    def widget(self, key: str) -> QWidget:
        return self.fields.widget(key)

    def error_text(self, key: str) -> str:
        return self.fields.error_text(key)

    def banner_text(self) -> str:
        return self.banner.text() if not self.banner.isHidden() else ""

    def is_dirty(self) -> bool:
        return self.fields.field_values() != self._baseline or any(check() for check in self.dirty_checks)

    def show_error(self, message: str) -> None:
        self._show_banner(message, ERROR_STYLE)

    # saving ------------------------------------------------------------------------------------
    def submit(self) -> None:
        """Check, then save in the background (Enter, Ctrl+S or the save button)."""
        if self.busy or self.read_only or self._loading:
            return
        self._hide_banner()
        if not self.fields.validate(self.check_function):
            return
        if self.confirm_text and not ask(self, self.windowTitle(), self.confirm_text,
                                         self.save_button.text(), self.tr("取消")):
            return
        values = self.values()
        save = self.save_function
        self._set_busy(True, self.tr("正在保存…"))
        self.ctx.run(lambda conn, token, report: save(conn, values), on_done=self._on_saved,
                     on_error=self._on_save_failed, label=self.windowTitle())

    def _on_saved(self, result) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        self.result = result
        self._baseline = self.fields.field_values()
        self.saved.emit(result)
        self.accept()

    def _on_save_failed(self, error: UserFacingError) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        if error.kind == "conflict" and (error.detail or {}).get("version") is not None:
            self._ask_reload(error)
        elif error.kind == "validation" and self.fields.show_server_error(error):
            pass
        elif error.kind == "connection":
            self.show_error(self.tr("%s，本次修改没有保存。您输入的内容仍在窗口中，请再点“保存”重试。")
                            % error.message.split("，")[0].rstrip("。"))
        else:
            self.show_error(error.message)

    def _ask_reload(self, error: UserFacingError) -> None:
        changed = error.message.split("，请重新加载")[0]
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("记录已被他人修改"), "",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("conflict")
        if self.reload_function is None:
            box.setText(error.message)
            box.addButton(self.tr("确定"), QMessageBox.ButtonRole.AcceptRole)
        else:
            box.setText(self.tr("%s — 重新加载？") % changed)
            box.setInformativeText(self.tr("重新加载会显示最新保存的内容，本窗口中尚未保存的修改将被放弃。"))
            reload_button = box.addButton(self.tr("重新加载"), QMessageBox.ButtonRole.AcceptRole)
            cancel = box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(reload_button)
            box.setEscapeButton(cancel)
            box.buttonClicked.connect(lambda button: self.reload() if button is reload_button else None)
        self.show_error(error.message)
        self.conflict_box = box
        box.open()

    def reload(self) -> None:
        """Fetch the record again and refill the fields (after a conflict)."""
        if self.reload_function is None or self.busy:
            return
        self._hide_banner()
        reload = self.reload_function
        self._set_busy(True, self.tr("正在重新加载…"))
        self.ctx.run(lambda conn, token, report: reload(conn), on_done=self._on_reloaded,
                     on_error=self._on_reload_failed, label=self.windowTitle(), retry_on_disconnect=True)

    def _on_reloaded(self, values) -> None:
        if not alive(self):
            return
        self._set_busy(False)
        self.fields.clear_errors()
        self.set_values(values or {})
        self._show_banner(self.tr("已重新加载最新内容，请检查后再保存。"), INFO_STYLE)

    def _on_reload_failed(self, error: UserFacingError) -> None:
        if alive(self):
            self._set_busy(False)
            self.show_error(error.message)

    # loading choices ---------------------------------------------------------------------------
    def _load_choices(self) -> None:
        loaders = self.fields.loaders()
        self._loading = True
        self._set_busy(True, self.tr("正在加载…"))

        def load(conn, token, report):
            return {key: list(loader(conn)) for key, loader in loaders.items()}

        self.ctx.run(load, on_done=self._on_choices, on_error=self._on_choices_failed,
                     label=self.windowTitle(), retry_on_disconnect=True)

    def _on_choices(self, choices: dict) -> None:
        if not alive(self):
            return
        self._loading = False
        self._set_busy(False)
        for key, items in choices.items():
            self.fields.set_choices(key, items)
        self._baseline = self.fields.field_values()

    def _on_choices_failed(self, error: UserFacingError) -> None:
        if alive(self):
            self._loading = False
            self._set_busy(False)
            self.save_button.setEnabled(False)
            self.show_error(error.message)

    # closing -----------------------------------------------------------------------------------
    def reject(self) -> None:
        """Esc / Cancel: ask before throwing away changes; never close under a running save."""
        if self.busy and not self._loading:
            return
        if not self.read_only and self.is_dirty() and not ask(
                self, self.windowTitle(), self.tr("放弃尚未保存的修改吗？"), self.tr("放弃修改"), self.tr("继续编辑")):
            return
        super().reject()

    def closeEvent(self, event) -> None:
        if self.busy and not self._loading:
            event.ignore()
            return
        super().closeEvent(event)

    # helpers -----------------------------------------------------------------------------------
    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.status.setText(text if busy else "")
        self.save_button.setEnabled(not busy)
        self.fields.setEnabled(not (busy and self._loading))

    def _on_edited(self, key: str) -> None:
        if self.banner.styleSheet() == INFO_STYLE:
            self._hide_banner()

    def _show_banner(self, message: str, style: str) -> None:
        self.banner.setStyleSheet(style)
        self.banner.setText(message)
        self.banner.show()

    def _hide_banner(self) -> None:
        self.banner.hide()
        self.banner.setText("")
