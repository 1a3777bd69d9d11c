"""The page layout shared by every printed document (contracts, receipts, dispatch sheets, ...).

A document module only builds its body as platypus flowables; this module puts them on pages that
all look alike:

* header on every page: logo and company name, document title, the number as text, Code128 barcode
  and QR code (so a scanner finds the document from any page of it);
* footer on every page: printing user, print time with its UTC offset, and 第 x 页 / 共 y 页;
* a red 补打 stamp with the reprint count on reprints, a diagonal watermark on drafts, so neither a
  copy nor a draft can pass for the original.

Several documents can go into one PDF (batch printing is one print job); each starts on a new page
and keeps its own header and its own page count.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Literal, Sequence
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from client.documents.amounts import format_money
from client.documents.fonts import register_fonts

Target = str | os.PathLike[str] | BinaryIO

# Vertical budget of the page furniture. The header band is 25 mm (the QR code is the tallest item)
# plus a gap before the body; the footer is one line of small text under a rule.
HEADER_HEIGHT = 28 * mm
FOOTER_HEIGHT = 10 * mm
_HEADER_RULE = 25 * mm
_QR_SIZE = 22 * mm
_BARCODE_HEIGHT = 11 * mm
_BARCODE_MAX_WIDTH = 60 * mm
# 0.25 mm bars stay readable from cheap laser and inkjet prints; long numbers get thinner bars
# rather than a barcode that runs into the title.
_BARCODE_BAR_WIDTH = 0.25 * mm
_LOGO_MAX = (30 * mm, 20 * mm)
_GAP = 3 * mm

_RULE_COLOR = colors.HexColor("#606060")
_STAMP_COLOR = colors.HexColor("#C00000")
_STAMP_FONT_SIZE = 12
_STAMP_PADDING = 1.5 * mm
_WATERMARK_TEXT = "草稿 — 非正式单据"


@dataclass(frozen=True)
class PageSetup:
    """Paper size and margins (in mm) of a PDF; the body frame is what header and footer leave."""

    pagesize: tuple[float, float] = A4
    top_mm: float = 10
    bottom_mm: float = 10
    left_mm: float = 15
    right_mm: float = 15

    @property
    def frame_width(self) -> float:
        """Width of the body in points, e.g. for ``data_table(width=...)``."""
        return self.pagesize[0] - (self.left_mm + self.right_mm) * mm

    @property
    def frame_height(self) -> float:
        page_height = self.pagesize[1] - (self.top_mm + self.bottom_mm) * mm
        return page_height - HEADER_HEIGHT - FOOTER_HEIGHT


@dataclass(frozen=True)
class DocumentHeader:
    """What the page furniture of one document shows."""

    company_name: str
    title: str
    number: str
    printed_by: str
    printed_at: datetime
    logo: Path | None = None
    reprint_count: int = 0
    draft: bool = False

    def __post_init__(self) -> None:
        # The barcode can only carry printable ASCII; a number it would silently shorten must not
        # reach the page, or the scanned and the printed number differ.
        if not self.number or not (self.number.isascii() and self.number.isprintable()):
            raise ValueError(f"单据编号只能包含英文字母、数字和符号：{self.number!r}")
        if self.printed_at.utcoffset() is None:
            raise ValueError("打印时间必须带时区")
        if self.reprint_count < 0:
            raise ValueError(f"补打次数不能为负数：{self.reprint_count}")


# --- text styles -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentStyles:
    """Paragraph styles in the embedded CJK font; wordWrap='CJK' lets Chinese break between
    characters (the default only breaks at spaces, which Chinese text does not have)."""

    body: ParagraphStyle
    small: ParagraphStyle
    heading: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_header: ParagraphStyle


def document_styles() -> DocumentStyles:
    """Fresh styles for one document (styles are mutable; sharing them would leak tweaks)."""
    font = register_fonts()
    body = ParagraphStyle("yiwei-body", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("yiwei-cell", parent=body, fontSize=9, leading=12)
    return DocumentStyles(
        body=body,
        small=ParagraphStyle("yiwei-small", parent=body, fontSize=8.5, leading=11),
        heading=ParagraphStyle(
            "yiwei-heading", parent=body, fontSize=12, leading=16, spaceBefore=6, spaceAfter=3
        ),
        cell=cell,
        cell_right=ParagraphStyle("yiwei-cell-right", parent=cell, alignment=TA_RIGHT),
        cell_header=ParagraphStyle("yiwei-cell-header", parent=cell, alignment=TA_CENTER),
    )


def text_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: data such as "A&B <定制>" is escaped rather than read as markup,
    and line breaks (addresses, remarks) are kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class BoldText(Flowable):
    """One line of bold text, simulated: the shipped font has no bold face, so the glyphs are filled
    and stroked (PDF text render mode 2), as word processors do for fonts without bold."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = text
        self.style = style

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = stringWidth(self.text, self.style.fontName, self.style.fontSize)
        self.height = self.style.leading
        return self.width, self.height

    def draw(self) -> None:
        text = self.canv.beginText(0, self.height - self.style.fontSize)
        text.setFont(self.style.fontName, self.style.fontSize)
        text.setTextRenderMode(2)
        self.canv.setFillColor(self.style.textColor)
        self.canv.setStrokeColor(self.style.textColor)
        self.canv.setLineWidth(self.style.fontSize * 0.04)
        text.textOut(self.text)
        self.canv.drawText(text)  # drawOn() wraps this in save/restoreState, resetting the mode


# --- data tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column. ``width_mm=None`` columns share the width the fixed ones leave. Number and
    money columns are right-aligned; money cells must be Decimal and print as 12,000.00."""

    title: str
    width_mm: float | None = None
    kind: Literal["text", "number", "money"] = "text"


def _cell_text(value: object, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "money":
        return format_money(value)  # type: ignore[arg-type]  # refuses anything but Decimal
    return str(value)


def _column_widths(columns: Sequence[Column], width: float) -> list[float]:
    fixed = sum(c.width_mm * mm for c in columns if c.width_mm is not None)
    flexible = sum(1 for c in columns if c.width_mm is None)
    share = (width - fixed) / flexible if flexible else 0
    # A table wider than the body would run over the margin without any error from reportlab.
    if fixed > width + 0.01 or (flexible and share < 10 * mm):
        raise ValueError("表格列宽超出页面宽度")
    return [c.width_mm * mm if c.width_mm is not None else share for c in columns]


def data_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    totals: Sequence[object] | None = None,
    width: float = PageSetup().frame_width,
) -> Table:
    """A gridded table whose title row repeats on every page and whose optional totals row is bold.

    ``width`` is the body width in points the flexible columns fill; pass ``page.frame_width`` when
    printing on anything other than portrait A4 with the default margins.
    """
    styles = document_styles()
    cell_styles = [styles.cell if c.kind == "text" else styles.cell_right for c in columns]

    def checked(row: Sequence[object]) -> Sequence[object]:
        if len(row) != len(columns):
            raise ValueError(f"表格行有 {len(row)} 个值，应为 {len(columns)} 个")
        return row

    data: list[list[Flowable]] = [[text_paragraph(c.title, styles.cell_header) for c in columns]]
    for row in rows:
        data.append(
            [
                text_paragraph(_cell_text(value, column), style)
                for value, column, style in zip(checked(row), columns, cell_styles)
            ]
        )
    if totals is not None:
        data.append(
            [
                BoldText(_cell_text(value, column), style)
                for value, column, style in zip(checked(totals), columns, cell_styles)
            ]
        )

    commands: list[tuple] = [
        # Tables set a font for every cell, even for paragraphs; the default is a non-embedded one.
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),
        ("GRID", (0, 0), (-1, -1), 0.5, _RULE_COLOR),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EDEDED")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    # Paragraph cells align themselves; ALIGN places the one-line bold cells of the totals row.
    commands += [
        ("ALIGN", (i, 0), (i, -1), "RIGHT") for i, c in enumerate(columns) if c.kind != "text"
    ]
    if totals is not None:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1, colors.black))
    return Table(
        data,
        colWidths=_column_widths(columns, width),
        repeatRows=1,
        style=TableStyle(commands),
        hAlign="LEFT",
    )


# --- page furniture ----------------------------------------------------------------------------


def _fit_text(
    text: str, font: str, width: float, preferred: float, minimum: float
) -> tuple[str, float]:
    """Shrink ``text`` to ``width``, down to ``minimum`` points; past that, cut it with an ellipsis,
    since running into the barcode would make both unreadable."""
    natural = stringWidth(text, font, preferred)
    if natural <= width:
        return text, preferred
    size = max(minimum, preferred * width / natural)
    for end in range(len(text), 0, -1):
        shown = text if end == len(text) else text[:end] + "…"
        if stringWidth(shown, font, size) <= width:
            return shown, size
    return "…", size


def _format_print_time(moment: datetime) -> str:
    """Local wall time with its UTC offset: a zone abbreviation such as CST is ambiguous."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{moment:%Y-%m-%d %H:%M} UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _draw_qr(canv: Canvas, value: str, x: float, y: float) -> None:
    # Error level M survives a smudge or a staple hole; a 2-module quiet zone is enough because the
    # code sits on white paper with nothing printed around it.
    widget = QrCodeWidget(value, barLevel="M", barBorder=2, barWidth=_QR_SIZE, barHeight=_QR_SIZE)
    drawing = Drawing(_QR_SIZE, _QR_SIZE)
    drawing.initialFontName = register_fonts()  # the renderer would otherwise set Helvetica
    drawing.add(widget)
    renderPDF.draw(drawing, canv, x, y)


def _barcode(value: str) -> Code128:
    modules = Code128(value, barWidth=1, quiet=0).width
    # Quiet zones of 10 modules on each side are part of the symbol's width.
    bar_width = min(_BARCODE_BAR_WIDTH, _BARCODE_MAX_WIDTH / (modules + 20))
    return Code128(value, barWidth=bar_width, barHeight=_BARCODE_HEIGHT, quiet=1)


def _draw_logo(canv: Canvas, logo: Path, x: float, top: float) -> float:
    """Draw the logo into the top-left corner, scaled into its box; return the width it took."""
    image = ImageReader(str(logo))
    image_width, image_height = image.getSize()
    scale = min(_LOGO_MAX[0] / image_width, _LOGO_MAX[1] / image_height)
    width, height = image_width * scale, image_height * scale
    canv.drawImage(image, x, top - height, width, height, mask="auto")
    return width


def _reprint_stamp_width(font: str, text: str) -> float:
    return stringWidth(text, font, _STAMP_FONT_SIZE) + 2 * _STAMP_PADDING


def _draw_reprint_stamp(canv: Canvas, font: str, text: str, x: float, baseline: float) -> None:
    """A red framed mark like a rubber stamp, on the title's baseline."""
    height = 1.1 * _STAMP_FONT_SIZE + 2 * _STAMP_PADDING
    bottom = baseline - 0.3 * _STAMP_FONT_SIZE - _STAMP_PADDING  # centres the frame on the glyphs
    canv.setStrokeColor(_STAMP_COLOR)
    canv.setFillColor(_STAMP_COLOR)
    canv.setLineWidth(1.2)
    canv.roundRect(x, bottom, _reprint_stamp_width(font, text), height, 1 * mm)
    canv.setFont(font, _STAMP_FONT_SIZE)
    canv.drawString(x + _STAMP_PADDING, baseline, text)


def _draw_header(canv: Canvas, header: DocumentHeader, page: PageSetup) -> None:
    font = register_fonts()
    page_width, page_height = page.pagesize
    left, right = page.left_mm * mm, page_width - page.right_mm * mm
    top = page_height - page.top_mm * mm

    # Right side, right to left: QR code, then barcode with the number under it.
    _draw_qr(canv, header.number, right - _QR_SIZE, top - _QR_SIZE)
    codes_right = right - _QR_SIZE - _GAP
    barcode = _barcode(header.number)
    barcode.drawOn(canv, codes_right - barcode.width, top - _BARCODE_HEIGHT)
    number_text = f"单号：{header.number}"
    canv.setFont(font, 10)
    canv.setFillColor(colors.black)
    canv.drawRightString(codes_right, top - _BARCODE_HEIGHT - 4.5 * mm, number_text)
    codes_left = codes_right - max(barcode.width, stringWidth(number_text, font, 10))

    # Left side: logo, company name, title (shrunk to fit, never into the codes) and reprint stamp.
    x = left
    if header.logo is not None:
        x += _draw_logo(canv, header.logo, left, top) + _GAP
    text_width = codes_left - _GAP - x
    company, company_size = _fit_text(header.company_name, font, text_width, 11, 7)
    canv.setFont(font, company_size)
    canv.drawString(x, top - 5 * mm, company)

    # The stamp keeps its size; the title gives way.
    stamp = f"补打 第{header.reprint_count}次" if header.reprint_count else ""
    stamp_width = _reprint_stamp_width(font, stamp) + _GAP if stamp else 0
    title, title_size = _fit_text(header.title, font, text_width - stamp_width, 18, 10)
    title_baseline = top - 15 * mm
    canv.setFont(font, title_size)
    canv.drawString(x, title_baseline, title)
    if stamp:
        title_end = x + stringWidth(title, font, title_size) + _GAP
        _draw_reprint_stamp(canv, font, stamp, title_end, title_baseline)

    canv.setStrokeColor(_RULE_COLOR)
    canv.setLineWidth(0.8)
    canv.line(left, top - _HEADER_RULE, right, top - _HEADER_RULE)


def _draw_footer(canv: Canvas, header: DocumentHeader, page: PageSetup) -> None:
    font = register_fonts()
    left, right = page.left_mm * mm, page.pagesize[0] - page.right_mm * mm
    bottom = page.bottom_mm * mm
    canv.setStrokeColor(_RULE_COLOR)
    canv.setLineWidth(0.5)
    canv.line(left, bottom + 6 * mm, right, bottom + 6 * mm)
    canv.setFont(font, 8.5)
    canv.setFillColor(colors.black)
    canv.drawString(left, bottom + 2 * mm, f"打印人：{header.printed_by}")
    canv.drawRightString(right, bottom + 2 * mm, f"打印时间：{_format_print_time(header.printed_at)}")


def _draw_page_number(canv: Canvas, number: int, count: int, page: PageSetup) -> None:
    canv.saveState()
    canv.setFont(register_fonts(), 8.5)
    canv.setFillColor(colors.black)
    center = (page.left_mm * mm + page.pagesize[0] - page.right_mm * mm) / 2
    canv.drawCentredString(center, page.bottom_mm * mm + 2 * mm, f"第 {number} 页 / 共 {count} 页")
    canv.restoreState()


def _draw_draft_watermark(canv: Canvas, page: PageSetup) -> None:
    """Diagonal, semi-transparent and on top of the body, so no table background can hide it."""
    font = register_fonts()
    width, height = page.pagesize
    diagonal = math.hypot(width, height)
    size = 0.6 * diagonal / stringWidth(_WATERMARK_TEXT, font, 1)
    canv.saveState()
    canv.translate(width / 2, height / 2)
    canv.rotate(math.degrees(math.atan2(height, width)))
    canv.setFillColor(_STAMP_COLOR)
    canv.setFillAlpha(0.18)
    canv.setFont(font, size)
    canv.drawCentredString(0, -size / 3, _WATERMARK_TEXT)
    canv.restoreState()


PageNumberPainter = Callable[[Canvas, int, int], None]


class _NumberedCanvas(Canvas):
    """Holds every page back until save(), because 共 y 页 is only known once all pages are laid out
    (the usual two-pass "NumberedCanvas" technique). Each page is tagged with the document it
    belongs to, so in a batch every document counts its own pages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []
        self._page_owner: tuple[int, PageNumberPainter] | None = None

    def number_page(self, document: int, painter: PageNumberPainter) -> None:
        """Called by the page template: this page belongs to ``document``; ``painter`` draws its
        page number once the count is known."""
        self._page_owner = (document, painter)

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        counts = Counter(state["_page_owner"][0] for state in self._held_pages)
        numbers: Counter[int] = Counter()
        for state in self._held_pages:
            self.__dict__.update(state)
            document, painter = self._page_owner
            numbers[document] += 1
            painter(self, numbers[document], counts[document])
            super().showPage()
        super().save()


# --- building PDFs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Document:
    """One document of a PDF: its page template and the callbacks that draw its furniture."""

    index: int
    header: DocumentHeader
    page: PageSetup

    def paint_page_number(self, canv: Canvas, number: int, count: int) -> None:
        _draw_page_number(canv, number, count, self.page)

    def on_page(self, canv: _NumberedCanvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.number_page(self.index, self.paint_page_number)
        _draw_header(canv, self.header, self.page)
        _draw_footer(canv, self.header, self.page)
        canv.restoreState()

    def on_page_end(self, canv: _NumberedCanvas, doc: BaseDocTemplate) -> None:
        if self.header.draft:
            _draw_draft_watermark(canv, self.page)

    def template(self) -> PageTemplate:
        page = self.page
        frame = Frame(
            page.left_mm * mm,
            page.bottom_mm * mm + FOOTER_HEIGHT,
            page.frame_width,
            page.frame_height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        return PageTemplate(
            id=f"document-{self.index}",
            frames=[frame],
            onPage=self.on_page,
            onPageEnd=self.on_page_end,
            pagesize=page.pagesize,
        )


def build_pdf(
    target: Target,
    header: DocumentHeader,
    flowables: Sequence[Flowable],
    *,
    page: PageSetup = PageSetup(),
) -> None:
    """Write one document to ``target`` (a file path or a binary stream)."""
    build_batch_pdf(target, [(header, flowables)], page=page)


def build_batch_pdf(
    target: Target,
    documents: Sequence[tuple[DocumentHeader, Sequence[Flowable]]],
    *,
    page: PageSetup = PageSetup(),
) -> None:
    """Write several documents into one PDF (one print job). Each starts on a new page with its own
    header, and its footer counts only its own pages.

    Flowables are consumed by layout (tables split across pages); build them afresh for every PDF.
    """
    if not documents:
        raise ValueError("没有要打印的单据")
    font = register_fonts()
    parts = [_Document(i, header, page) for i, (header, _) in enumerate(documents)]
    story: list[Flowable] = []
    for part, (header, flowables) in zip(parts, documents):
        # An empty body would produce no page at all, and the document would vanish from a batch.
        if not flowables:
            raise ValueError(f"单据 {header.number} 没有内容")
        if part.index:
            story += [NextPageTemplate(f"document-{part.index}"), PageBreak()]
        story += flowables

    first = documents[0][0]
    title = f"{first.title} {first.number}" if len(documents) == 1 else f"批量打印（{len(documents)} 份）"
    doc = BaseDocTemplate(
        os.fspath(target) if isinstance(target, (str, os.PathLike)) else target,
        pagesize=page.pagesize,
        pageTemplates=[part.template() for part in parts],
        title=title,
        author=first.company_name,
        creator="易维",
        # The canvas starts every page with its initial font; keeping reportlab's default
        # (Helvetica, never embedded) would put a non-embedded font into every page.
        initialFontName=font,
    )
    doc.build(story, canvasmaker=_NumberedCanvas)
