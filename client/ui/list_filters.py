"""The typed filter widgets of a list's filter bar, and the flow layout that wraps them.

Each widget edits one FilterSpec and hands back the typed value ListQuery expects (text, a
DateRange, a store or person id, a choice value, a bool), or None for "any".
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QLayout, QLineEdit, QMenu, QToolButton, QWidget

from client.lists.query import DateRange
from client.lists.spec import FilterKind, FilterSpec

ANY_DATE = QDate(2000, 1, 1)     # the minimum of a date edit, shown as "不限"
LAST_DATE = QDate(2099, 12, 31)


class FilterWidget(QWidget):
    """Base of the filter widgets: a label and an editor."""

    changed = Signal()
    # Whether a change should apply at once (a combo) or after typing pauses (text, dates).
    immediate = False
    needs_choices = False

    def __init__(self, spec_filter: FilterSpec, parent=None):
        super().__init__(parent)
        self.spec_filter = spec_filter
        self.setObjectName(f"filter_{spec_filter.key}")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.label = QLabel(spec_filter.label, self)
        self._layout.addWidget(self.label)

    @property
    def key(self) -> str:
        return self.spec_filter.key

    def value(self):
        raise NotImplementedError

    def set_value(self, value) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        self.set_value(None)

    def set_choices(self, choices) -> None:
        """Choices read from the database (combos only)."""


class TextFilter(FilterWidget):
    def __init__(self, spec_filter: FilterSpec, parent=None):
        super().__init__(spec_filter, parent)
        self.edit = QLineEdit(self)
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaxLength(100)
        self.edit.setPlaceholderText(self.tr("包含…"))
        self.edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 14)
        self.label.setBuddy(self.edit)
        self._layout.addWidget(self.edit)
        self.edit.textChanged.connect(lambda _text: self.changed.emit())

    def value(self):
        text = " ".join(self.edit.text().split())
        return text or None

    def set_value(self, value) -> None:
        self.edit.setText(value or "")


class _AnyDateEdit(QDateEdit):
    """A date edit whose minimum stands for "no bound" (不限); its calendar opens on today's
    month rather than on the year 2000."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setDateRange(ANY_DATE, LAST_DATE)
        self.setSpecialValueText(self.tr("不限"))
        self.setDate(ANY_DATE)
        self.calendarWidget().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.calendarWidget() and event.type() == QEvent.Type.Show and self.date() == ANY_DATE:
            today = QDate.currentDate()
            self.calendarWidget().setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)

    def value(self) -> date | None:
        current = self.date()
        return None if current == ANY_DATE else date(current.year(), current.month(), current.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(ANY_DATE if value is None else QDate(value.year, value.month, value.day))


class DateRangeFilter(FilterWidget):
    """From/to dates, each may be "不限", plus common ranges (今天, 本月, …) in a menu."""

    def __init__(self, spec_filter: FilterSpec, parent=None):
        super().__init__(spec_filter, parent)
        self.start = _AnyDateEdit(self)
        self.end = _AnyDateEdit(self)
        self.start.setObjectName(f"filter_{spec_filter.key}_from")
        self.end.setObjectName(f"filter_{spec_filter.key}_to")
        self.label.setBuddy(self.start)
        self._layout.addWidget(self.start)
        self._layout.addWidget(QLabel(self.tr("至"), self))
        self._layout.addWidget(self.end)
        self.presets = QToolButton(self)
        self.presets.setText("…")
        self.presets.setToolTip(self.tr("常用日期范围"))
        self.presets.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets.setMenu(self._preset_menu())
        self._layout.addWidget(self.presets)
        self.start.dateChanged.connect(lambda _d: self.changed.emit())
        self.end.dateChanged.connect(lambda _d: self.changed.emit())

    def _preset_menu(self) -> QMenu:
        menu = QMenu(self)
        for text, make in ((self.tr("今天"), _today), (self.tr("昨天"), _yesterday), (self.tr("本周"), _this_week),
                           (self.tr("本月"), _this_month), (self.tr("上月"), _last_month),
                           (self.tr("近 7 天"), lambda: _last_days(7)), (self.tr("近 30 天"), lambda: _last_days(30)),
                           (self.tr("今年"), _this_year)):
            menu.addAction(text, lambda make=make: self.set_value(make()))
        menu.addSeparator()
        menu.addAction(self.tr("不限"), self.clear)
        return menu

    def value(self):
        start, end = self.start.value(), self.end.value()
        if start is None and end is None:
            return None
        if start and end and start > end:
            start, end = end, start  # a range typed backwards still means the days between
        return DateRange(start, end)

    def set_value(self, value) -> None:
        value = value or DateRange()
        before = (self.start.value(), self.end.value())
        # One change signal for the pair, not one per edit.
        for edit, day in ((self.start, value.start), (self.end, value.end)):
            edit.blockSignals(True)
            edit.set_value(day)
            edit.blockSignals(False)
        if (self.start.value(), self.end.value()) != before:
            self.changed.emit()


def _today() -> DateRange:
    today = date.today()
    return DateRange(today, today)


def _yesterday() -> DateRange:
    day = date.today() - timedelta(days=1)
    return DateRange(day, day)


def _this_week() -> DateRange:
    today = date.today()
    return DateRange(today - timedelta(days=today.weekday()), today)


def _this_month() -> DateRange:
    today = date.today()
    return DateRange(today.replace(day=1), today)


def _last_month() -> DateRange:
    end = date.today().replace(day=1) - timedelta(days=1)
    return DateRange(end.replace(day=1), end)


def _last_days(days: int) -> DateRange:
    today = date.today()
    return DateRange(today - timedelta(days=days - 1), today)


def _this_year() -> DateRange:
    today = date.today()
    return DateRange(today.replace(month=1, day=1), today)


class ComboFilter(FilterWidget):
    """One of a set of values — a store, a person, a status, yes/no — or 全部."""

    immediate = True

    def __init__(self, spec_filter: FilterSpec, parent=None):
        super().__init__(spec_filter, parent)
        self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(_combo_width(spec_filter.kind))
        self.combo.setMaxVisibleItems(20)
        self.label.setBuddy(self.combo)
        self._layout.addWidget(self.combo)
        self._values: list = [None]
        self._pending = None
        self.combo.addItem(self.tr("全部"))
        kind = spec_filter.kind
        self.needs_choices = kind in (FilterKind.STORE, FilterKind.PERSON) or (
            kind is FilterKind.CHOICE and bool(spec_filter.choices_sql))
        if kind is FilterKind.BOOL:
            labels = dict(spec_filter.choices)
            self._fill([(True, labels.get("true", self.tr("是"))), (False, labels.get("false", self.tr("否")))])
        elif kind is FilterKind.CHOICE and not spec_filter.choices_sql:
            self._fill(spec_filter.choices)
        self.combo.currentIndexChanged.connect(self._index_changed)

    def _fill(self, choices) -> None:
        for value, label in choices:
            self._values.append(value)
            self.combo.addItem(label)

    def _index_changed(self, _index: int) -> None:
        self._pending = None
        self.changed.emit()

    def set_choices(self, choices) -> None:
        wanted = self._pending if self._pending is not None else self.value()
        self.combo.blockSignals(True)
        self.combo.clear()
        self._values = [None]
        self.combo.addItem(self.tr("全部"))
        self._fill(choices)
        index = self._index_of(wanted)
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)
        self._pending = None
        if wanted is not None and index < 0:
            # The chosen value is not among what this login may see (any more): the combo shows
            # 全部, and so must the list.
            self.changed.emit()

    def _index_of(self, value) -> int:
        for index, candidate in enumerate(self._values):
            if index and candidate == value and type(candidate) is type(value):
                return index
        return -1

    def value(self):
        if self._pending is not None:
            return self._pending
        return self._values[self.combo.currentIndex()] if self.combo.currentIndex() > 0 else None

    def set_value(self, value) -> None:
        if value is None:
            self._pending = None
            self.combo.setCurrentIndex(0)
            return
        index = self._index_of(value)
        if index < 0:
            # Choices not loaded yet: keep the value and select it when they arrive.
            self._pending = value
            self.changed.emit()
            return
        if index == self.combo.currentIndex():
            self._pending = None
            self.changed.emit()
        else:
            self.combo.setCurrentIndex(index)


def _combo_width(kind: FilterKind) -> int:
    return {FilterKind.STORE: 12, FilterKind.PERSON: 10, FilterKind.BOOL: 4}.get(kind, 6)


def make_filter_widget(spec_filter: FilterSpec, parent=None) -> FilterWidget:
    if spec_filter.kind is FilterKind.TEXT:
        return TextFilter(spec_filter, parent)
    if spec_filter.kind is FilterKind.DATE_RANGE:
        return DateRangeFilter(spec_filter, parent)
    return ComboFilter(spec_filter, parent)


class FlowLayout(QLayout):
    """Lays widgets out left to right and wraps to the next line when the dock is narrow."""

    def __init__(self, parent=None, spacing: int = 12, line_spacing: int = 6):
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self._line_spacing = line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            if item.widget() is not None and item.widget().isHidden():
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line_height > 0:
                x = area.x()
                y += line_height + self._line_spacing
                line_height = 0
            if apply:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()
