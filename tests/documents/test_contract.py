"""The printed 销售合同 laid out from a ContractDocument and read back with pypdf: long contracts flow
over pages with the table header on each, totals in figures and 大写, the template's placeholders
filled (unknown ones left visible), the draft watermark on unsigned contracts and 补打 on reprints."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal as D

import pytest

from client.documents.layout import build_pdf
from client.documents.amounts import format_money
from client.orders.contract_document import (
    PLACEHOLDERS,
    ContractDocument,
    ContractLine,
    PaymentPart,
    build_contract,
    fill_placeholders,
    format_quantity,
    format_rate,
    placeholder_values,
)

NUMBER = "HT-HZ01-202611-000123"
TEMPLATE = (
    "第一条 甲方{客户姓名}（电话：{联系电话}）向乙方{门店}订购上列产品，合同编号{合同编号}，安装地址：{地址}。\n"
    "第二条 合同金额人民币{合同金额}元（大写：{合同金额大写}），签订当日付定金{定金}元。\n"
    "\n"
    "第三条 交货日期{交货日期}；导购{导购}，设计师{设计师}；签订日期{签订日期}。\n"
    "第四条 保修{保修年限}年。"
)


def make_line(i: int, **overrides) -> ContractLine:
    quantity = D("2.500") if i % 3 == 0 else D(1 + i % 4)
    list_price = D("1288.00") + i
    rate = D("0.9000") if i % 2 else D("1.0000")
    price = (list_price * rate).quantize(D("0.01"))
    values = dict(code=f"CG-{1000 + i}", name=f"地柜{i:03d}", style="简欧", colour="象牙白", spec="800×600",
                  unit="件", quantity=quantity, list_price=list_price, rate=rate, price=price,
                  amount=(price * quantity).quantize(D("0.01")))
    values.update(overrides)
    return ContractLine(**values)


def make_contract(lines=None, **overrides) -> ContractDocument:
    lines = tuple(lines if lines is not None else [make_line(i) for i in range(3)])
    total = sum((line.amount for line in lines), D(0))
    list_total = sum(((line.list_price * line.quantity).quantize(D("0.01")) for line in lines), D(0))
    deposit = (total * D("0.3")).quantize(D("0.01"))
    values = dict(
        company="杭州易维家居有限公司", number=NUMBER, status="signed", status_label="已签订",
        customer_name="林晓梅", customer_phone="138****5678", customer_address="融创玉兰公馆 5幢 2单元 601",
        store="杭州城西展厅", guide="王导购", designer="陈设计", signed_on=date(2026, 11, 3),
        expected_delivery_on=date(2026, 12, 20), lines=lines, list_total=list_total, total=total,
        payments=(PaymentPart("deposit", deposit, date(2026, 11, 3)), PaymentPart("final", total - deposit)),
        template_body=TEMPLATE, template_name="橱柜合同 第2版",
    )
    values.update(overrides)
    return ContractDocument(**values)


def render(doc: ContractDocument, make_header, reprint_count: int = 0) -> bytes:
    header = make_header(title="销售合同", number=doc.number, draft=doc.draft, reprint_count=reprint_count)
    out = io.BytesIO()
    build_pdf(out, header, build_contract(doc, header))
    return out.getvalue()


def flat(pages: list[str]) -> str:
    """All text without line breaks: cells and clauses wrap wherever the width ends."""
    return "".join(pages).replace("\n", "")


def test_two_hundred_lines_flow_over_pages_with_header_and_page_numbers(make_header, read_pdf):
    doc = make_contract([make_line(i) for i in range(200)])

    _, pages = read_pdf(render(doc, make_header))

    count = len(pages)
    assert count >= 5
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {count} 页" in text
        assert NUMBER in text
    # the table's title row is repeated on every page the line table runs over
    table_pages = [t for t in pages if re.search(r"CG-1\d{3}", t)]
    assert len(table_pages) >= 5 and all("产品编码" in t and "金额" in t for t in table_pages)
    # every line is printed, once, in order
    codes = re.findall(r"CG-(1\d{3})", "".join(pages))
    assert codes == [str(1000 + i) for i in range(200)]
    assert "合计 200 项" in flat(pages)


def test_totals_in_figures_and_in_chinese(make_header, read_pdf):
    lines = [make_line(1, quantity=D("1"), list_price=D("10000.00"), rate=D("0.9000"), price=D("9000.00"),
                       amount=D("9000.00")),
             make_line(2, quantity=D("2"), list_price=D("601.53"), rate=D("1.0000"), price=D("601.53"),
                       amount=D("1203.06"))]
    doc = make_contract(lines, payments=(PaymentPart("deposit", D("3000.00"), date(2026, 11, 3)),
                                         PaymentPart("progress", D("5000.00")),
                                         PaymentPart("final", D("2203.06"), date(2026, 12, 20))))

    text = flat(read_pdf(render(doc, make_header))[1])

    assert doc.list_total == D("11203.06") and doc.discount_total == D("1000.00")
    assert "标价合计：¥11,203.06" in text and "优惠金额：¥1,000.00" in text and "合同金额：¥10,203.06" in text
    assert "合同金额（大写）：人民币壹万零贰佰零叁元零陆分" in text
    # the payment plan: each part in figures and 大写, with its due date (pypdf puts blanks before
    # right-aligned cells)
    cells = re.sub(r"\s+", "", text)
    assert "1定金3,000.00叁仟元整2026年11月3日" in cells
    assert "2进度款5,000.00伍仟元整按约定" in cells
    assert "3尾款2,203.06贰仟贰佰零叁元零陆分2026年12月20日" in cells
    assert "合计10,203.06三、合同条款" in cells
    assert "9折" in text and "10,000.00" in text and "9,000.00" in text


def test_clauses_have_their_placeholders_filled(make_header, read_pdf):
    doc = make_contract()
    total = doc.total

    text = flat(read_pdf(render(doc, make_header))[1])

    from client.documents.amounts import amount_in_chinese, format_money

    assert f"甲方林晓梅（电话：138****5678）向乙方杭州城西展厅订购上列产品，合同编号{NUMBER}" in text
    assert f"合同金额人民币{format_money(total)}元（大写：{amount_in_chinese(total)}）" in text
    assert f"签订当日付定金{format_money(doc.payments[0].amount)}元" in text
    assert "交货日期2026年12月20日；导购王导购，设计师陈设计；签订日期2026年11月3日" in text
    assert "第四条 保修{保修年限}年" in text  # an unknown placeholder stays visible
    assert "条款依据合同模板：橱柜合同 第2版" in text
    for part in ("甲方（客户）：林晓梅", "乙方：杭州易维家居有限公司", "签字：", "盖章：", "经办人（导购）：王导购",
                 "日期：2026年11月3日"):
        assert part in text


def test_fill_placeholders_replaces_known_names_once_and_keeps_unknown_ones():
    values = {"客户姓名": "张{门店}三", "门店": "城西"}

    assert fill_placeholders("{客户姓名}在{门店}，{未知}、{ 门店 }、{}", values) == "张{门店}三在城西，{未知}、{ 门店 }、{}"


def test_every_template_placeholder_has_a_value():
    values = placeholder_values(make_contract(designer="", signed_on=None, expected_delivery_on=None))

    assert set(values) == set(PLACEHOLDERS)
    assert values["设计师"] == "—"
    assert values["签订日期"] == values["交货日期"] == "______年____月____日"  # written in by hand


def test_unsigned_contract_prints_as_draft(make_header, read_pdf):
    doc = make_contract(status="price_passed", status_label="待签订", signed_on=None)

    assert doc.draft
    _, pages = read_pdf(render(doc, make_header))
    text = flat(pages)

    # the layout's watermark, on every page, and no date pretending the contract was signed
    assert all("草稿" in page and "非正式单据" in page for page in pages)
    assert "签订日期______年____月____日" in text and "日期：______年____月____日" in text
    assert "签订日期2026" not in text and "日期：2026" not in text


def test_signed_contract_has_no_draft_mark_and_a_reprint_is_marked(make_header, read_pdf):
    doc = make_contract([make_line(i) for i in range(60)])
    assert not doc.draft

    _, original = read_pdf(render(doc, make_header))
    _, reprint = read_pdf(render(doc, make_header, reprint_count=2))

    assert not any("草稿" in page or "补打" in page for page in original)
    assert len(reprint) > 1 and all("补打 第2次" in page for page in reprint)


def test_cancelled_contract_says_so_and_prints_as_draft(make_header, read_pdf):
    doc = make_contract(status="cancelled", status_label="已作废", cancel_reason="客户退订")

    assert doc.draft
    text = flat(read_pdf(render(doc, make_header))[1])
    assert "本合同已作废：客户退订" in text and "非正式单据" in text


def test_long_names_wrap_inside_their_cells(make_header, read_pdf):
    long_name = "实木复合多层地板（北美白橡木·锁扣款·环保E0级·地暖适用）加长加宽型"
    doc = make_contract([make_line(1, name=long_name, package_name="全屋定制焕新套餐A", note="加高10cm")])

    text = flat(read_pdf(render(doc, make_header))[1])

    assert long_name in text and "套餐：全屋定制焕新套餐A" in text and "备注：加高10cm" in text


def test_lines_that_do_not_add_up_to_the_total_are_refused():
    with pytest.raises(ValueError, match="明细合计"):
        make_contract(total=D("1.00"))


def test_quantities_and_rates_read_as_on_a_shop_counter():
    assert format_quantity(D("2.500")) == "2.5"
    assert format_quantity(D("100.000")) == "100"
    assert format_rate(D("0.8500")) == "8.5折"
    assert format_rate(D("0.9000")) == "9折"
    assert format_rate(D("1.0000")) == "—"
    assert format_rate(D("0")) == "赠送"


def test_no_template_and_no_plan_print_a_clear_sentence(make_header, read_pdf):
    doc = make_contract(template_body="", template_name="", payments=())

    text = flat(read_pdf(render(doc, make_header))[1])

    assert "未约定付款计划。" in text and "本合同未选用合同模板，无附加条款。" in text


def test_a_package_line_names_its_package_once(make_header, read_pdf):
    """apply_package notes 套餐：… on the lines it writes; the PDF does not print it a second time."""
    doc = make_contract([make_line(1, package_name="全屋定制焕新套餐A", note="套餐：全屋定制焕新套餐A")])

    text = flat(read_pdf(render(doc, make_header))[1])

    assert text.count("全屋定制焕新套餐A") == 1 and "备注：" not in text


def test_a_plan_moved_by_change_orders_says_so_and_adds_up_to_what_is_owed(make_header, read_pdf):
    """The signed lines and total stay; the plan carries the approved 改补单 and the paper says why."""
    base = make_contract()
    deposit, final = base.payments
    doc = make_contract(changes_total=D("1487.70"),
                        payments=(deposit, PaymentPart("final", final.amount + D("1487.70"))))

    text = flat(read_pdf(render(doc, make_header))[1])

    assert f"合同金额：¥{format_money(doc.total)}" in text
    assert f"改补金额 ¥1,487.70，应付合计 ¥{format_money(doc.total + D('1487.70'))}" in text
    assert "不符" not in text
