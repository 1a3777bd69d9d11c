"""`yiwei print contract` and the print path for the 销售合同, as real employee logins: the contract
is loaded through the contract views with the printer's own rights (a guide prints only own
contracts, another store none, the phone masked unless the login may see full numbers), the
template's clauses filled, unsigned contracts as drafts that never count as a copy, reprints marked
补打 and counted, several numbers in one PDF."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from psycopg2.extras import Json

from client.cli.main import main
from client.db.errors import UserFacingError
from client.demo.company import DEMO_PASSWORD
from client.documents.amounts import amount_in_chinese
from client.documents.printing import render
from client.orders.contract_document import PLACEHOLDERS
from tests.printing.conftest import assert_fonts_embedded, pdf_pages, pdf_text

from .contract_data import line, new_contract, plan, signed
from .helpers import rows, scalar

# Contracts here are hz01.guide2's: the print path tests count on hz01.guide1 never having printed.

TEMPLATE = ("第一条 甲方{客户姓名}（电话：{联系电话}）订购上列产品，合同编号{合同编号}。\n"
            "第二条 合同金额{合同金额}元（大写：{合同金额大写}），定金{定金}元，{门店}于{交货日期}前交货。")


@pytest.fixture
def admin(db):
    conn = db.admin()
    conn.autocommit = True
    return conn


@pytest.fixture
def template(db):
    return scalar(db.connect_as("admin"), "SELECT yiwei.save_contract_template(NULL, NULL, %s)",
                  (Json({"name": "橱柜合同", "body": TEMPLATE}),))


@pytest.fixture
def dsn(db, monkeypatch):
    """Where `yiwei print` connects; the demo password comes from the environment, as in a script."""
    monkeypatch.setenv("PGPASSWORD", DEMO_PASSWORD)
    p = db.profile
    return f"host={p.host} port={p.port} dbname={p.dbname} sslmode=disable"


def print_log(admin, subject: str, number: str) -> list[int | None]:
    """The copy numbers of the prints of ``number`` logged under ``subject``, in print order."""
    return [copy_no for (copy_no,) in rows(admin, "SELECT copy_no FROM yiwei.output_log WHERE kind = 'print'"
                                           " AND subject = %s AND doc_number = %s ORDER BY id", (subject, number))]


def contract_row(admin, contract_id: int) -> tuple[str, str, str]:
    """(number, customer name, full phone) as the superuser reads them."""
    return rows(admin, "SELECT c.number, cu.name, pb.phone FROM yiwei.contract c"
                       "  JOIN yiwei.customer cu ON cu.id = c.customer_id"
                       "  JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = cu.id"
                       " WHERE c.id = %s", (contract_id,))[0]


def flat(pdf: bytes) -> str:
    return pdf_text(pdf).replace("\n", "")


def test_the_template_placeholders_are_the_ones_the_database_accepts(admin):
    assert tuple(scalar(admin, "SELECT yiwei.contract_placeholders()")) == PLACEHOLDERS


def test_guide_prints_own_draft_with_the_phone_masked_and_the_clauses_filled(
        db, cat, admin, template, session_of):
    cid = new_contract(db, cat, "hz01.guide2", "HZ01", lines=[line(cat, "a1", quantity="2"), line(cat, "a3")],
                       payments=plan("2250.00", deposit="675.00"), template_id=template)
    number, customer, phone = contract_row(admin, cid)

    printed = render(session_of("hz01.guide2"), "contract", [number.lower()])

    text = flat(printed.pdf)
    masked = f"{phone[:3]}****{phone[-4:]}"
    assert number in text and "销售合同" in text and customer in text
    assert masked in text and phone not in text
    assert f"第一条 甲方{customer}（电话：{masked}）订购上列产品，合同编号{number}。" in text
    assert f"合同金额2,250.00元（大写：{amount_in_chinese(Decimal('2250.00'))}），定金675.00元" in text
    assert "合同金额（大写）：人民币贰仟贰佰伍拾元整" in text
    # a draft: watermarked, logged as a draft, never a copy of the contract
    assert "非正式单据" in text and "补打" not in text
    assert printed.documents[0].copy_no is None
    assert len(print_log(admin, "contract.draft", number)) == 1 and print_log(admin, "contract", number) == []
    assert_fonts_embedded(printed.pdf)


def test_guides_and_other_stores_cannot_print_what_they_cannot_see(db, cat, admin, session_of):
    cid = new_contract(db, cat, "hz01.guide2", "HZ01")
    number, _customer, phone = contract_row(admin, cid)

    for login in ("hz01.guide1", "hz02.manager"):
        with pytest.raises(UserFacingError, match="不存在或不在您的数据范围内"):
            render(session_of(login), "contract", [number], preview_only=True)
    # the store manager may see full numbers (customers.phone_full), and prints them
    assert phone in flat(render(session_of("hz01.manager"), "contract", [number], preview_only=True).pdf)


def test_a_login_without_contract_permissions_may_not_print_contracts(db, cat, admin, session_of):
    number = contract_row(admin, new_contract(db, cat, "hz01.guide2", "HZ01"))[0]

    with pytest.raises(UserFacingError, match="没有权限打印“销售合同”"):
        render(session_of("hq.channeldesk"), "contract", [number], preview_only=True)


def test_signed_contract_prints_as_original_then_as_counted_reprints(db, cat, admin, session_of):
    cid = signed(db, admin, cat)
    number = contract_row(admin, cid)[0]
    manager = session_of("hz01.manager")

    first = render(manager, "contract", [number])
    second = render(manager, "contract", [number])

    assert "非正式单据" not in pdf_text(first.pdf) and "补打" not in pdf_text(first.pdf)
    assert "已签订" in pdf_text(first.pdf)
    assert all("补打 第1次" in page for page in pdf_pages(second.pdf))
    assert print_log(admin, "contract", number) == [1, 2]


def test_yiwei_print_puts_several_contracts_into_one_pdf(db, cat, admin, dsn, tmp_path, capsys):
    numbers = [contract_row(admin, new_contract(db, cat, "hz01.guide2", "HZ01"))[0] for _ in range(2)]
    out = tmp_path / "contracts.pdf"

    assert main(["print", "contract", *numbers, "--dsn", dsn, "--user", "hz01.guide2", "--out", str(out)]) == 0

    pages = pdf_pages(out.read_bytes())
    assert len(pages) == 2
    for page, number in zip(pages, numbers):
        assert number in page and "第 1 页 / 共 1 页" in page
        assert set(re.findall(r"HT-HZ01-\d{6}-\d{6}", page)) == {number}  # each page is one contract
    assert numbers[0] in capsys.readouterr().out


def test_yiwei_print_list_offers_the_contracts_the_login_may_print(db, cat, admin, dsn, capsys):
    mine = contract_row(admin, new_contract(db, cat, "hz01.guide2", "HZ01"))[0]
    other = contract_row(admin, new_contract(db, cat, "sh01.guide1", "SH01"))[0]

    assert main(["print", "--list", "--dsn", dsn, "--user", "hz01.guide2"]) == 0

    out = capsys.readouterr().out
    assert "contract" in out and "销售合同" in out and "合同编号" in out
    assert mine in out and other not in out
