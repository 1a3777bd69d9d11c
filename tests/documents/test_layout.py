import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak

from client.documents.layout import (
    Column,
    PageSetup,
    build_batch_pdf,
    build_pdf,
    data_table,
    document_styles,
    text_paragraph,
)

COLUMNS = [
    Column("序号", 12, "number"),
    Column("商品名称"),
    Column("数量", 20, "number"),
    Column("金额", 30, "money"),
]


def body(text="客户：张三"):
    return [text_paragraph(text, document_styles().body)]


def two_pages():
    return body("第一页内容") + [PageBreak()] + body("第二页内容")


def render(header, flowables, **kwargs) -> bytes:
    out = io.BytesIO()
    build_pdf(out, header, flowables, **kwargs)
    return out.getvalue()


def render_batch(documents, **kwargs) -> bytes:
    out = io.BytesIO()
    build_batch_pdf(out, documents, **kwargs)
    return out.getvalue()


def test_every_page_has_header_and_numbered_footer(make_header, read_pdf):
    _, pages = read_pdf(render(make_header(), two_pages()))

    assert len(pages) == 2
    for number, text in enumerate(pages, start=1):
        assert "北京易维家居建材有限公司" in text
        assert "销售合同" in text
        assert "HT-20240501-0123456789" in text  # every digit survives the font
        assert f"第 {number} 页 / 共 2 页" in text
        assert "打印人：李四" in text
        assert "2024-05-01 14:30 UTC+08:00" in text
    assert "第一页内容" in pages[0] and "第二页内容" in pages[1]


def test_print_time_is_shown_in_its_own_zone(make_header, read_pdf):
    printed_at = datetime(2024, 5, 1, 9, 5, tzinfo=ZoneInfo("America/New_York"))
    _, pages = read_pdf(render(make_header(printed_at=printed_at), body()))

    assert "2024-05-01 09:05 UTC-04:00" in pages[0]


def test_reprint_is_marked_on_every_page(make_header, read_pdf):
    _, pages = read_pdf(render(make_header(reprint_count=2), two_pages()))

    assert all("补打 第2次" in text for text in pages)


def test_original_print_has_no_reprint_mark(make_header, read_pdf):
    _, pages = read_pdf(render(make_header(), two_pages()))

    assert not any("补打" in text for text in pages)


def test_draft_is_watermarked_on_every_page(make_header, read_pdf):
    _, pages = read_pdf(render(make_header(draft=True), two_pages()))

    assert all("草稿 — 非正式单据" in text for text in pages)


def test_final_document_has_no_draft_watermark(make_header, read_pdf):
    _, pages = read_pdf(render(make_header(), two_pages()))

    assert not any("草稿" in text for text in pages)


def _fonts(resources):
    """Every font in a resource dictionary, including those of form XObjects it uses."""
    resources = resources.get_object() if resources is not None else {}
    yield from (font.get_object() for font in resources.get("/Font", {}).values())
    for xobject in resources.get("/XObject", {}).values():
        yield from _fonts(xobject.get_object().get("/Resources"))


def test_every_font_is_embedded(make_header, read_pdf, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), "navy").save(logo)
    rows = [(1, "实木餐桌", Decimal("2"), Decimal("7999.00"))]
    flowables = body() + [data_table(COLUMNS, rows, totals=("合计", None, 2, Decimal("7999.00")))]
    reader, _ = read_pdf(render(make_header(logo=logo, reprint_count=1, draft=True), flowables))

    fonts = [font for page in reader.pages for font in _fonts(page["/Resources"])]
    assert fonts
    for font in fonts:
        if font["/Subtype"] == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]


def test_logo_is_drawn(make_header, read_pdf, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), "navy").save(logo)
    reader, _ = read_pdf(render(make_header(logo=logo), body()))

    xobjects = reader.pages[0]["/Resources"]["/XObject"].values()
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects)


def test_long_table_repeats_its_title_row_and_counts_pages(make_header, read_pdf):
    rows = [(i, f"实木餐桌 北欧风格 第{i}号", Decimal("2"), Decimal("1234567.89")) for i in range(1, 81)]
    table = data_table(COLUMNS, rows, totals=("合计", None, 160, Decimal("98765431.20")))
    _, pages = read_pdf(render(make_header(), body() + [table]))

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "商品名称" in text
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
    assert "1,234,567.89" in pages[0]
    assert "98,765,431.20" in pages[-1]


def test_table_cells_are_text_not_markup(make_header, read_pdf):
    rows = [(1, "A&B <定制>\n第二行", Decimal("1"), Decimal("5"))]
    _, pages = read_pdf(render(make_header(), [data_table(COLUMNS, rows)]))

    assert "A&B <定制>" in pages[0]
    assert "第二行" in pages[0]


def test_totals_row_is_bold(make_header, read_pdf):
    table = data_table(COLUMNS, [], totals=("合计", None, None, Decimal("12000")))
    reader, pages = read_pdf(render(make_header(), [table]))

    assert "12,000.00" in pages[0]
    # The font has no bold face; bold is simulated by filling and stroking the glyphs.
    assert b"2 Tr" in reader.pages[0].get_contents().get_data()


def test_money_columns_refuse_float():
    with pytest.raises(TypeError):
        data_table(COLUMNS, [(1, "餐桌", 1, 7999.0)])


def test_rows_must_match_the_columns():
    with pytest.raises(ValueError):
        data_table(COLUMNS, [(1, "餐桌", 1)])


def test_columns_must_fit_the_page():
    with pytest.raises(ValueError, match="列宽"):
        data_table([Column("名称", 150), Column("备注", 100)], [])


def test_batch_numbers_each_document_on_its_own(make_header, read_pdf):
    first = make_header(number="HT-0001")
    second = make_header(title="送货单", number="SH-0002", draft=True)
    reader, pages = read_pdf(render_batch([(first, two_pages()), (second, body())]))

    assert len(pages) == 3
    assert "HT-0001" in pages[0] and "第 1 页 / 共 2 页" in pages[0]
    assert "HT-0001" in pages[1] and "第 2 页 / 共 2 页" in pages[1]
    assert "SH-0002" in pages[2] and "第 1 页 / 共 1 页" in pages[2]
    assert "送货单" in pages[2] and "HT-0001" not in pages[2]
    assert "草稿" in pages[2] and not any("草稿" in text for text in pages[:2])
    assert reader.metadata.title == "批量打印（2 份）"


def test_batch_needs_documents_with_content(make_header):
    with pytest.raises(ValueError):
        render_batch([])
    with pytest.raises(ValueError, match="没有内容"):
        render_batch([(make_header(), body()), (make_header(number="X-2"), [])])


def test_writes_to_a_path(make_header, tmp_path, read_pdf):
    target = tmp_path / "合同.pdf"
    build_pdf(target, make_header(), body())

    reader, pages = read_pdf(target.read_bytes())
    assert "销售合同" in pages[0]
    assert reader.metadata.title == "销售合同 HT-20240501-0123456789"


def test_page_size_and_margins_are_configurable(make_header, read_pdf):
    page = PageSetup(pagesize=landscape(A5), top_mm=8, bottom_mm=8, left_mm=10, right_mm=10)
    table = data_table(COLUMNS, [(1, "餐桌", 1, Decimal("5"))], width=page.frame_width)
    reader, pages = read_pdf(render(make_header(), [table], page=page))

    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(landscape(A5))
    assert page.frame_width == pytest.approx(landscape(A5)[0] - 20 * mm)
    assert "第 1 页 / 共 1 页" in pages[0]


@pytest.mark.parametrize(
    "overrides",
    [
        {"printed_at": datetime(2024, 5, 1, 14, 30)},
        {"number": "合同-001"},
        {"number": ""},
        {"reprint_count": -1},
    ],
)
def test_header_refuses_values_it_cannot_print_faithfully(make_header, overrides):
    with pytest.raises(ValueError):
        make_header(**overrides)


def test_overlong_header_texts_give_way_to_the_codes(make_header, read_pdf):
    header = make_header(
        company_name="广州市天河区" * 12 + "有限公司",
        title="客户定制家具安装及售后服务确认单" * 3,
        reprint_count=12,
    )
    _, pages = read_pdf(render(header, body()))

    assert "…" in pages[0]
    assert "补打 第12次" in pages[0]
    assert "HT-20240501-0123456789" in pages[0]
