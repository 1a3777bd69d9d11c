"""销售合同 as printed: a plain data object and the PDF body the shared page layout puts on pages.

Nothing here reads the database (see ``client.orders.documents`` for the loader and the print
registration), so the contract can be laid out and checked from any source: the print path, a test,
the benchmark.

The clauses come from the contract's template version, with its ``{占位符}`` filled from the same
data the rest of the page shows, so the clause text and the tables can never disagree. A contract
that is not signed (or was cancelled) is not a contract the company stands by: it carries the
layout's draft watermark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Mapping

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from client.documents.amounts import amount_in_chinese, format_money
from client.documents.fonts import register_fonts
from client.documents.layout import Column, DocumentHeader, PageSetup, data_table, document_styles, text_paragraph

PAGE = PageSetup()

# The states in which the company is bound by the contract; every other one prints as a draft.
SIGNED_STATUSES = frozenset({"signed", "in_production", "delivered", "installed", "completed"})

PAYMENT_KINDS = {"deposit": "定金", "progress": "进度款", "final": "尾款"}

# The names yiwei.contract_placeholders() accepts in a template, in the order the template screen
# lists them.
PLACEHOLDERS = ("合同编号", "客户姓名", "联系电话", "地址", "合同金额", "合同金额大写", "定金", "交货日期",
                "门店", "导购", "设计师", "签订日期")

# A date not known yet is left as a line to write it in by hand (paragraphs collapse runs of
# blanks, so the gaps are underscores).
BLANK_DATE = "______年____月____日"
_NONE = "—"
_PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")


def format_date(day: date | None) -> str:
    """``date(2026, 11, 3)`` → ``"2026年11月3日"``, as contracts write dates; None → a blank."""
    return f"{day.year}年{day.month}月{day.day}日" if day is not None else BLANK_DATE


def format_quantity(quantity: Decimal) -> str:
    """Quantities are stored with three decimals; paper shows only the ones that mean something."""
    return f"{quantity.normalize():f}"


def format_rate(rate: Decimal) -> str:
    """A rate (price ÷ list price) the way a Chinese customer reads a discount: 0.85 → 8.5折."""
    if rate == 1:
        return _NONE
    if rate == 0:
        return "赠送"
    return f"{(rate * 10).normalize():f}折"


@dataclass(frozen=True)
class ContractLine:
    """One line as it was quoted (the catalogue may have changed since)."""

    code: str
    name: str
    style: str
    colour: str
    spec: str
    unit: str
    quantity: Decimal
    list_price: Decimal
    rate: Decimal
    price: Decimal
    amount: Decimal
    package_name: str = ""
    note: str = ""

    @property
    def description(self) -> str:
        """Style and colour, then the spec on a line of its own, in one cell: three narrow columns
        would squeeze the name, and a spec such as 800×600×720mm must not break in the middle."""
        looks = " / ".join(part for part in (self.style, self.colour) if part)
        return "\n".join(part for part in (looks, self.spec) if part)


@dataclass(frozen=True)
class PaymentPart:
    kind: str                # deposit, progress, final
    amount: Decimal
    due_on: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in PAYMENT_KINDS:
            raise ValueError(f"未知的付款类型：{self.kind}")

    @property
    def label(self) -> str:
        return PAYMENT_KINDS[self.kind]


@dataclass(frozen=True)
class ContractDocument:
    """Everything a printed contract shows, as the printing employee may see it (the phone is
    masked unless the login may see full numbers)."""

    company: str
    number: str
    status: str
    status_label: str
    customer_name: str
    customer_phone: str
    customer_address: str
    store: str
    guide: str
    designer: str
    signed_on: date | None
    expected_delivery_on: date | None
    lines: tuple[ContractLine, ...]
    list_total: Decimal
    total: Decimal
    payments: tuple[PaymentPart, ...] = ()
    template_body: str = ""  # the clause text with its {占位符}, as the contract's template version has it
    template_name: str = ""
    cancel_reason: str = ""
    # approved change orders (改补单): the contract stays as signed, the plan follows what is owed
    changes_total: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        # Paper whose lines do not add up to its total must never leave the printer, whatever the
        # source of the data; the database keeps them equal, this catches any other source.
        line_sum = sum((line.amount for line in self.lines), Decimal(0))
        if line_sum != self.total:
            raise ValueError(f"合同 {self.number} 明细合计 {line_sum} 与合同金额 {self.total} 不符")

    @property
    def draft(self) -> bool:
        return self.status not in SIGNED_STATUSES

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def row_count(self) -> int:
        return len(self.lines)

    @property
    def discount_total(self) -> Decimal:
        return self.list_total - self.total

    @property
    def deposit(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.kind == "deposit"), Decimal(0))

    @property
    def clauses(self) -> str:
        return fill_placeholders(self.template_body, placeholder_values(self))


def placeholder_values(doc: ContractDocument) -> dict[str, str]:
    """The text each template placeholder stands for in this contract."""
    return {
        "合同编号": doc.number,
        "客户姓名": doc.customer_name,
        "联系电话": doc.customer_phone,
        "地址": doc.customer_address,
        "合同金额": format_money(doc.total),
        "合同金额大写": amount_in_chinese(doc.total),
        "定金": format_money(doc.deposit),
        "交货日期": format_date(doc.expected_delivery_on),
        "门店": doc.store,
        "导购": doc.guide,
        "设计师": doc.designer or _NONE,
        "签订日期": format_date(doc.signed_on),
    }


def fill_placeholders(body: str, values: Mapping[str, str]) -> str:
    """Replace every ``{名称}`` that ``values`` knows. An unknown one stays as it is, so whoever
    reads the draft sees the template's mistake instead of a silent gap; a value that itself
    contains braces is not expanded again (one pass)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


# --- layout ------------------------------------------------------------------------------------

_LABEL_WIDTH = 24 * mm
_SECTION_MIN_SPACE = 30 * mm  # a heading, a table's title row and two of its lines


def _parties(doc: ContractDocument) -> Table:
    """Who contracts with whom: label/value pairs two to a row; the address gets a row of its own."""
    styles = document_styles()
    rows = [
        ("合同编号", doc.number, "合同状态", doc.status_label),
        ("甲方（客户）", doc.customer_name, "联系电话", doc.customer_phone),
        ("客户地址", doc.customer_address, None, None),
        ("乙方", doc.company, "门店", doc.store),
        ("导购", doc.guide, "设计师", doc.designer or _NONE),
        ("签订日期", format_date(doc.signed_on), "预计交货日期", format_date(doc.expected_delivery_on)),
    ]
    data = []
    commands: list[tuple] = [
        # Tables set a font for every cell, even for paragraphs; the default one is not embedded.
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),
        ("GRID", (0, 0), (-1, -1), 0.5, "#606060"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BACKGROUND", (0, 0), (0, -1), "#EDEDED"),
    ]
    for i, (label1, value1, label2, value2) in enumerate(rows):
        cells = [text_paragraph(label1, styles.cell), text_paragraph(value1 or "", styles.cell)]
        if label2 is None:
            cells += ["", ""]
            commands.append(("SPAN", (1, i), (3, i)))
        else:
            cells += [text_paragraph(label2, styles.cell), text_paragraph(value2 or "", styles.cell)]
            # Shaded per row: a whole-column shade would also paint under the spanned address.
            commands.append(("BACKGROUND", (2, i), (2, i), "#EDEDED"))
        data.append(cells)
    value_width = PAGE.frame_width / 2 - _LABEL_WIDTH
    return Table(data, colWidths=[_LABEL_WIDTH, value_width] * 2, style=TableStyle(commands), hAlign="LEFT")


LINE_COLUMNS = [
    Column("序号", 9, "number"),
    Column("产品编码", 25),
    Column("产品名称"),
    Column("款型 / 颜色 / 规格", 30),
    Column("单位", 9),
    Column("数量", 13, "number"),
    Column("标价", 18, "money"),
    Column("折扣", 12, "number"),
    Column("单价", 18, "money"),
    Column("金额", 21, "money"),
]


def _line_row(no: int, line: ContractLine) -> tuple:
    name = line.name
    package = f"套餐：{line.package_name}" if line.package_name else ""
    if package:
        name += "\n" + package
    if line.note and line.note != package:   # applying a package notes it on its lines: said once
        name += f"\n备注：{line.note}"
    return (no, line.code, name, line.description, line.unit, format_quantity(line.quantity), line.list_price,
            format_rate(line.rate), line.price, line.amount)


def _lines_table(doc: ContractDocument) -> Flowable:
    totals = (None, f"合计 {len(doc.lines)} 项", None, None, None, None, None, None, None, doc.total)
    return data_table(LINE_COLUMNS, [_line_row(i, line) for i, line in enumerate(doc.lines, start=1)],
                      totals=totals, width=PAGE.frame_width)


def _amounts(doc: ContractDocument) -> Table:
    """The totals in figures and the contract amount in 大写, the form a bank or court reads."""
    styles = document_styles()
    rows = [
        [text_paragraph(f"标价合计：¥{format_money(doc.list_total)}", styles.body),
         text_paragraph(f"优惠金额：¥{format_money(doc.discount_total)}", styles.body),
         text_paragraph(f"合同金额：¥{format_money(doc.total)}", styles.body)],
        [text_paragraph(f"合同金额（大写）：人民币{amount_in_chinese(doc.total)}", styles.body), "", ""],
    ]
    third = PAGE.frame_width / 3
    return Table(rows, colWidths=[third] * 3, hAlign="LEFT", style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),
        ("SPAN", (0, 1), (2, 1)),
        ("BOX", (0, 0), (-1, -1), 0.8, "#606060"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))


PAYMENT_COLUMNS = [
    Column("期次", 11, "number"),
    Column("款项", 20),
    Column("金额", 28, "money"),
    Column("金额大写"),
    Column("约定付款日期", 36),
]


def _payments(doc: ContractDocument) -> list[Flowable]:
    styles = document_styles()
    if not doc.payments:
        return [text_paragraph("未约定付款计划。", styles.body)]
    planned = sum((p.amount for p in doc.payments), Decimal(0))
    rows = [(i, p.label, p.amount, amount_in_chinese(p.amount), format_date(p.due_on) if p.due_on else "按约定")
            for i, p in enumerate(doc.payments, start=1)]
    story: list[Flowable] = [data_table(PAYMENT_COLUMNS, rows, totals=(None, "合计", planned, None, None),
                                        width=PAGE.frame_width)]
    owed = doc.total + doc.changes_total
    if doc.changes_total:
        story.append(text_paragraph(
            f"付款计划已按已审核的改补单调整：改补金额 ¥{format_money(doc.changes_total)}，"
            f"应付合计 ¥{format_money(owed)}（人民币{amount_in_chinese(owed)}）。", styles.body))
    if planned != owed:
        # A draft may still be unbalanced (the database checks the plan at submit); say so on paper.
        story.append(text_paragraph(
            f"注意：付款计划合计 ¥{format_money(planned)} 与合同金额 ¥{format_money(owed)} 不符。", styles.body))
    return story


def _clauses(doc: ContractDocument) -> list[Flowable]:
    styles = document_styles()
    if not doc.template_body.strip():
        return [text_paragraph("本合同未选用合同模板，无附加条款。", styles.body)]
    story: list[Flowable] = []
    if doc.template_name:
        # Templates are versioned; the version tells which wording this contract was made with.
        story.append(text_paragraph(f"（条款依据合同模板：{doc.template_name}）", styles.small))
    # One paragraph per line of the template: long clauses still wrap and split across pages, and
    # an empty line in the template stays a visible gap between clauses.
    for text in doc.clauses.splitlines():
        story.append(text_paragraph(text, styles.body) if text.strip() else Spacer(0, 2 * mm))
    return story


def _signatures(doc: ContractDocument) -> Table:
    """甲方 signs, 乙方 signs and stamps; dates are the signing date once signed, else blanks."""
    styles = document_styles()
    day = format_date(doc.signed_on)
    left = [f"甲方（客户）：{doc.customer_name}", "签字：", "", f"日期：{day}"]
    right = [f"乙方：{doc.company}", "盖章：", f"经办人（导购）：{doc.guide}", f"日期：{day}"]
    rows = [[text_paragraph(a, styles.body), text_paragraph(b, styles.body)] for a, b in zip(left, right)]
    half = PAGE.frame_width / 2
    return Table(rows, colWidths=[half, half], hAlign="LEFT", style=TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        # Room to sign and stamp above the 签字/盖章 line.
        ("TOPPADDING", (0, 1), (-1, 1), 12 * mm),
        ("TOPPADDING", (0, 3), (-1, 3), 4 * mm),
        ("LINEBELOW", (0, 1), (0, 1), 0.5, "#000000"),
        ("LINEBELOW", (1, 1), (1, 1), 0.5, "#000000"),
        ("RIGHTPADDING", (0, 0), (-1, -1), 10 * mm),
    ]))


def build_contract(doc: ContractDocument, header: DocumentHeader) -> list[Flowable]:
    """The body of a printed contract; the page header, footer, 补打 stamp and draft watermark
    come from the shared layout through ``header``."""
    styles = document_styles()

    def section(title: str) -> list[Flowable]:
        # A section title never ends a page without a few lines of its content under it. (Not
        # keepWithNext: glued to a table longer than the page, it would push both onto a new page
        # and leave the rest of this one empty.)
        return [CondPageBreak(_SECTION_MIN_SPACE), text_paragraph(title, styles.heading)]

    story: list[Flowable] = []
    if doc.cancelled:
        reason = f"：{doc.cancel_reason}" if doc.cancel_reason else ""
        story.append(text_paragraph(f"本合同已作废{reason}", styles.heading))
    story += [
        _parties(doc),
        Spacer(0, 2 * mm),
        *section("一、产品明细"),
        _lines_table(doc),
        Spacer(0, 2 * mm),
        _amounts(doc),
        *section("二、付款计划"),
        *_payments(doc),
        *section("三、合同条款"),
        *_clauses(doc),
        Spacer(0, 6 * mm),
        KeepTogether([text_paragraph("四、签署", styles.heading), _signatures(doc)]),
    ]
    return story
