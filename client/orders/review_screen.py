"""图审 and 审价: the queue of contracts and change orders awaiting the review; the selected one side by
side with its lines, its current drawing (打开图纸), the order-completeness checklist (图审) and the
reviews it had before; 通过 / 退回 with a comment (required for a return).

The database decides every step (yiwei.review_drawing / review_price / review_change_order): it
refuses reviewing one's own contract, a contract no longer awaiting this review, one changed since it
was read, a 图审 pass with an unticked checklist item, and a 审价 pass of a discount beyond the
reviewer's own limit ("需要更高岗位审价") — the dialog shows its sentence as it is.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QVBoxLayout, QWidget

from client.lists.catalog import get_list
from client.ui.forms import FieldSpec, RecordForm, alive
from client.ui.list_view import ListWindow
from client.ui.screen import ToolbarScreen

from . import review_data
from .review_data import ReviewItem
from .review_widgets import ChecklistWidget, PastReviewsTable, ReviewDetailPanel, ReviewLinesTable, rate_text

translate = QCoreApplication.translate

STAGES = {
    # stage: (queue list, title)
    "drawing": ("drawing_review_queue", "图审"),
    "price": ("price_review_queue", "审价"),
}


def _t(text: str) -> str:
    return translate("reviews", text)


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 4, 4, 0)
    layout.setSpacing(2)
    caption = QLabel(title)
    caption.setStyleSheet("font-weight: bold;")
    layout.addWidget(caption)
    layout.addWidget(widget, 1)
    return box


class ReviewScreen(ToolbarScreen):
    def __init__(self, ctx, stage: str, parent=None):
        super().__init__(parent)
        if stage not in STAGES:
            raise ValueError(f"unknown review stage {stage!r}")
        self.ctx = ctx
        self.stage = stage
        list_name, self.title = STAGES[stage]
        self.setObjectName(f"review_{stage}")
        self.item: ReviewItem | None = None
        self.limit: Decimal | None = None     # the reviewer's own 审价 limit (price stage)
        self.dialog: RecordForm | None = None
        self.opened_path: Path | None = None  # the drawing last opened (tests look at it)
        # How a drawing is shown; tests replace it.
        self.open_path = lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self._generation = 0

        self.list = ListWindow(ctx, get_list(list_name), self)
        self.list.message_shown.connect(self.say)
        self.list.activated.connect(lambda _key: self.lines.setFocus())
        self.list.view.selectionModel().currentRowChanged.connect(lambda *_: self._selection_changed())
        self.list.model.modelReset.connect(self._selection_changed)

        self.pass_action = self.add_action("pass", self.tr("通过"), self.pass_current, "Ctrl+Shift+A")
        self.return_action = self.add_action("return", self.tr("退回"), self.return_current, "Ctrl+Shift+R")
        self.open_action = self.add_action("open_drawing", self.tr("打开图纸"), self.open_drawing, "Ctrl+O")
        self.add_action("history", self.tr("审核记录"), lambda: ctx.open_function("orders.review_history"))

        self.detail = ReviewDetailPanel()
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setWidget(self.detail)
        self.lines = ReviewLinesTable()
        self.lines_title = QLabel()
        self.checklist = ChecklistWidget()
        self.past_reviews = PastReviewsTable()
        right = QSplitter(Qt.Orientation.Vertical)
        if stage == "drawing":
            right.addWidget(_titled(_t("订单完整性检查（逐项勾选）"), self.checklist))
        right.addWidget(_titled(_t("审核记录"), self.past_reviews))
        side_by_side = QSplitter(Qt.Orientation.Horizontal)
        side_by_side.setObjectName("side_by_side")
        side_by_side.addWidget(detail_scroll)
        side_by_side.addWidget(_titled(_t("明细"), self.lines))
        side_by_side.addWidget(right)
        side_by_side.setStretchFactor(0, 2)
        side_by_side.setStretchFactor(1, 5)
        side_by_side.setStretchFactor(2, 2)
        # the contract's number, customer and drawing read whole, the lines take what is left
        detail_scroll.setMinimumWidth(300)
        side_by_side.setSizes([320, 760, 300])
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.list)
        body.addWidget(side_by_side)
        body.setStretchFactor(0, 2)
        body.setStretchFactor(1, 3)
        self.set_body(body)
        self._update_actions()
        if stage == "price":
            self.read(review_data.my_discount_limit, self._limit_arrived)

    def _limit_arrived(self, limit: Decimal) -> None:
        self.limit = limit
        if self.item is not None:
            self._fill(self.item)

    # the selected item -------------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        key = self.list.current_key()
        self._generation += 1
        generation = self._generation
        if key is None:
            self._show(generation, None)
            return
        self.ctx.run(lambda conn, token, report: review_data.load_item(conn, key),
                     on_done=lambda item: self._show(generation, item),
                     on_error=lambda error: self._show_failed(generation, error), retry_on_disconnect=True)

    def select_item(self, key: str) -> None:
        """Make the row with this queue key current (as clicking it would)."""
        row = self.list.model.row_of_key(key)
        if row < 0:
            raise LookupError(f"{key} is not in the queue")
        self.list.view.selectRow(row)
        self.list.view.setCurrentIndex(self.list.model.index(row, 0))

    def _show(self, generation: int, item: ReviewItem | None) -> None:
        if not alive(self) or generation != self._generation:
            return
        self.item = item
        if item is None:
            self.detail.clear()
            self.lines.set_lines([])
            self.checklist.set_items([])
            self.past_reviews.set_reviews([])
        else:
            self._fill(item)
        self._update_actions()

    def _fill(self, item: ReviewItem) -> None:
        self.detail.set_item(item, self.limit_text(item))
        self.lines.set_lines(item.lines, self.limit if self.stage == "price" else None)
        self.checklist.set_items(item.checklist)
        self.past_reviews.set_reviews(item.reviews)

    def limit_text(self, item: ReviewItem) -> str:
        """审价: the lowest discount no package or promotion explains, against the reviewer's limit."""
        if self.stage != "price" or self.limit is None:
            return ""
        lowest = item.lowest_unexplained_rate()
        text = _t("您的审价权限 %1；本单最低折扣 %2").replace("%1", rate_text(self.limit)).replace("%2", rate_text(lowest))
        if lowest is not None and lowest < self.limit:
            text += _t("，需要更高岗位审价")
        return text

    def _show_failed(self, generation: int, error) -> None:
        if alive(self) and generation == self._generation:
            self.item = None
            self.detail.clear(error.message)
            self.lines.set_lines([])
            self.checklist.set_items([])
            self.past_reviews.set_reviews([])
            self._update_actions()

    def _update_actions(self) -> None:
        waiting = self.item is not None and self.item.stage == self.stage
        self.pass_action.setEnabled(waiting)
        self.return_action.setEnabled(waiting)
        self.open_action.setEnabled(self.item is not None and self.item.design_file is not None)

    def _reload(self) -> None:
        self.list.refresh()
        self._selection_changed()

    # review steps ------------------------------------------------------------------------------------
    def _review(self, passed: bool) -> RecordForm | None:
        item = self.item
        if item is None:
            self.say(self.tr("请先选择一张待审核的单据"))
            return None
        checklist = self.checklist.values() if self.stage == "drawing" else None
        verb = self.tr("通过") if passed else self.tr("退回")
        field = FieldSpec("comment", _t("审核意见"), "multiline", required=not passed, max_length=1000,
                          placeholder="" if passed else _t("退回须说明原因，经手人据此修改"))
        stage = self.stage
        form = RecordForm(
            self.ctx, f"{self.title} {verb}", [field],
            save=lambda conn, values: review_data.review(conn, item, stage, passed, values["comment"], checklist),
            initial={"id": item.id, "version": item.version}, save_text=verb, parent=self,
            message=_t("%1 %2：%3，%4").replace("%1", self.title).replace("%2", item.number)
            .replace("%3", item.customer_name).replace("%4", item.store_name))
        form.setObjectName("review_pass" if passed else "review_return")
        done = self.tr("%1 %2：已%3").replace("%1", self.title).replace("%2", item.number).replace("%3", verb)
        form.saved.connect(lambda _result: alive(self) and (self.say(done), self._reload()))
        self.dialog = form
        form.open()
        return form

    def pass_current(self) -> RecordForm | None:
        """通过: the comment is optional; 图审 needs every checklist item ticked (the database checks)."""
        return self._review(True)

    def return_current(self) -> RecordForm | None:
        """退回: a comment is required — the guide or designer fixes what it says and resubmits."""
        return self._review(False)

    # the drawing -------------------------------------------------------------------------------------
    def open_drawing(self) -> None:
        """打开图纸 (Ctrl+O): the current design file, fetched and opened with its program."""
        design = self.item.design_file if self.item is not None else None
        if design is None:
            self.say(self.tr("这张单据没有设计图纸"))
            return

        def opened(loaded) -> None:
            name, data = loaded
            # A folder of its own per file: two contracts' "平面图.pdf" must not overwrite each other.
            path = Path(tempfile.mkdtemp(prefix="yiwei-drawing-")) / Path(name).name
            path.write_bytes(data)
            self.opened_path = path
            self.say(self.tr("已打开图纸 %1").replace("%1", name))
            self.open_path(path)

        self.read(lambda conn: review_data.load_design_file_data(conn, design.id), opened)
