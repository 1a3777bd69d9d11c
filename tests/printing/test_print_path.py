"""The one print path with the system module's documents, as real employee logins: what the PDF
says, that prints are logged and reprints marked 补打, batches, row-level security, permissions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from reportlab.platypus import Paragraph

from client.db.errors import UserFacingError
from client.documents.layout import document_styles
from client.documents.printing import render, render_documents
from client.documents.registry import DOCTYPES, DocType, all_doctypes, get_doctype, register_doctype

from .conftest import assert_fonts_embedded, pdf_pages, pdf_text


def test_both_system_documents_are_registered():
    assert {"roster", "positions"} <= {d.name for d in all_doctypes()}
    assert get_doctype("roster").title == "员工花名册"
    assert get_doctype("positions").title == "岗位权限表"


def test_store_roster_lists_every_colleague_with_name_phone_and_number(session_of, employees):
    manager = session_of("hz01.manager")
    pdf = render_documents(manager, "roster", ["HZ01"], preview_only=True)

    text = pdf_text(pdf)
    flat = text.replace("\n", "")  # long names and logins wrap inside their cells
    staff = employees("HZ01")
    assert len(staff) >= 6
    for person in staff:
        assert person["login"] in flat
        assert person["full_name"] in flat
        assert person["phone"] in flat  # all eleven digits survive the font
    assert any(person["phone"] for person in staff)
    assert "员工花名册" in text
    assert "ROSTER-HZ01" in text
    assert "易维家居（演示公司）" in text
    assert f"打印人：{manager.full_name}" in text
    assert "UTC+08:00" in text  # print time in the company's time zone
    for column in ("序号", "登录名", "姓名", "手机", "岗位", "门店/大区", "部门", "状态", "入职日期"):
        assert column in text
    assert_fonts_embedded(pdf)


def test_number_is_normalised_so_hz01_and_HZ01_are_one_document(session_of):
    pdf = render_documents(session_of("hz01.manager"), "roster", ["hz01", " HZ01 "], preview_only=True)

    pages = pdf_pages(pdf)
    assert len(pages) == 1 and "ROSTER-HZ01" in pages[0]


def test_first_print_is_the_original_and_the_second_is_a_counted_reprint(session_of, print_log, employees):
    admin = session_of("admin")
    assert print_log("roster", "ROSTER-SH01") == []  # nobody printed it before in this database

    first = render_documents(admin, "roster", ["SH01"])
    second = render_documents(admin, "roster", ["SH01"])

    assert "补打" not in pdf_text(first)
    assert all("补打 第1次" in page for page in pdf_pages(second))
    log = print_log("roster", "ROSTER-SH01")
    assert [copy_no for copy_no, _, _ in log] == [1, 2]
    assert {who for _, who, _ in log} == {"admin"}
    assert {rows for _, _, rows in log} == {len(employees("SH01"))}  # employee records that went onto paper


def test_preview_is_neither_logged_nor_marked(session_of, print_log):
    admin = session_of("admin")
    render_documents(admin, "roster", ["NJ01"])
    preview = render_documents(admin, "roster", ["NJ01"], preview_only=True)

    assert "补打" not in pdf_text(preview)
    assert [copy_no for copy_no, _, _ in print_log("roster", "ROSTER-NJ01")] == [1]


def test_batch_of_two_numbers_is_one_pdf_holding_both_documents(session_of, print_log, employees):
    admin = session_of("admin")
    rendered = render(admin, "roster", ["HZ02", "FS01"])

    pages = pdf_pages(rendered.pdf)
    assert len(pages) == 2
    assert "ROSTER-HZ02" in pages[0] and "ROSTER-FS01" in pages[1]
    assert all("第 1 页 / 共 1 页" in page for page in pages)  # each document counts its own pages
    assert all(p["full_name"] in pages[0] for p in employees("HZ02"))
    assert all(p["full_name"] in pages[1] for p in employees("FS01"))
    assert [d.number for d in rendered.documents] == ["ROSTER-HZ02", "ROSTER-FS01"]
    assert len(print_log("roster", "ROSTER-HZ02")) == len(print_log("roster", "ROSTER-FS01")) == 1


def test_batch_is_all_or_nothing_when_one_number_fails(session_of, print_log):
    with pytest.raises(UserFacingError, match="没有门店 ZZ99"):
        render_documents(session_of("admin"), "roster", ["TJ01", "ZZ99"])

    assert print_log("roster", "ROSTER-TJ01") == []  # the good one was not counted either


def test_store_manager_printing_another_stores_roster_is_refused_with_a_reason(session_of, print_log):
    # Row-level security hides GZ01's employees from HZ01's manager; an empty roster would look
    # like a store without staff, so the print path refuses and says why.
    with pytest.raises(UserFacingError) as refused:
        render_documents(session_of("hz01.manager"), "roster", ["GZ01"])

    assert refused.value.kind == "permission"
    assert "GZ01" in refused.value.message and "数据范围" in refused.value.message
    assert print_log("roster", "ROSTER-GZ01") == []


def test_store_managers_whole_company_roster_holds_only_own_store(session_of, employees):
    pdf = render_documents(session_of("hz01.manager"), "roster", ["ALL"], preview_only=True)

    text = pdf_text(pdf)
    assert "ROSTER-ALL" in text
    everyone = employees()
    hz01 = [p for p in everyone if p["store"] == "HZ01"]
    others = [p for p in everyone if p["store"] != "HZ01"]
    assert all(p["login"] in text for p in hz01)
    assert not [p["login"] for p in others if p["login"] in text]
    assert "杭州城西展厅（HZ01）" in text


def test_whole_company_roster_is_grouped_by_region_and_store(session_of, employees):
    pdf = render_documents(session_of("hq.boss"), "roster", ["ALL"], preview_only=True)

    text = pdf_text(pdf).replace("\n", " ")
    assert all(p["login"] in text for p in employees())
    headings = ["总部", "华东大区 · 大区人员", "华东 · 杭州城西展厅（HZ01）", "华东 · 上海真北展厅（SH01）",
                "华南大区 · 大区人员", "华南 · 广州天河展厅（GZ01）", "华北 · 石家庄裕华网点（SJZ01）"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)


def test_employee_without_the_permission_is_refused(session_of, sql):
    # A guide may read its store's colleagues (RLS allows it) but holds no employee permission.
    guide = session_of("hz01.guide1")
    for doctype, number, title in (("roster", "HZ01", "员工花名册"), ("positions", "guide", "岗位权限表")):
        with pytest.raises(UserFacingError, match=f"没有权限打印“{title}”") as refused:
            render_documents(guide, doctype, [number])
        assert refused.value.kind == "permission"
    assert sql("SELECT count(*) FROM yiwei.output_log o JOIN yiwei.employee e ON e.id = o.employee_id"
                     " WHERE e.login = 'hz01.guide1' AND o.kind = 'print'") == [(0,)]


def test_position_sheet_lists_permissions_by_module_in_chinese(session_of, sql):
    pdf = render_documents(session_of("admin"), "positions", ["store_manager"], preview_only=True)

    text = pdf_text(pdf)
    holders = sql("SELECT count(*) FROM yiwei.employee e JOIN yiwei.position p ON p.id = e.position_id"
                        " WHERE p.code = 'store_manager' AND e.active")[0][0]
    assert "POS-STORE_MANAGER" in text
    assert "店长（store_manager）" in text
    assert "数据范围：门店" in text
    assert f"在岗人数：{holders}" in text and holders >= 10
    assert "门店全部数据" in text
    for module in ("客户管理", "订单管理", "售后管理", "财务管理", "库存管理", "统计报表", "系统管理"):
        assert module in text
    assert "渠道返利" not in text  # the store manager holds no rebate permission
    assert "员工信息（查看）" in text and "收据店面审核" in text
    assert_fonts_embedded(pdf)


def test_position_sheet_of_all_positions_has_an_overview_and_every_position(session_of, sql):
    pdf = render_documents(session_of("admin"), "positions", ["ALL"], preview_only=True)

    text = pdf_text(pdf)
    assert "POS-ALL" in text and "岗位一览" in text
    for code, name in sql("SELECT code, name FROM yiwei.position"):
        assert f"{name}（{code}）" in text
    for scope in ("本人", "门店", "大区", "公司"):
        assert scope in text


def test_store_manager_counts_only_the_holders_it_may_see(session_of, sql):
    # The guide position has two holders in every store; HZ01's manager sees those of HZ01.
    pdf = render_documents(session_of("hz01.manager"), "positions", ["GUIDE"], preview_only=True)

    in_hz01, everywhere = sql(
        "SELECT count(*) FILTER (WHERE s.code = 'HZ01'), count(*) FROM yiwei.employee e"
        "  JOIN yiwei.position p ON p.id = e.position_id LEFT JOIN yiwei.store s ON s.id = e.store_id"
        " WHERE p.code = 'guide' AND e.active")[0]
    assert in_hz01 < everywhere
    assert f"在岗人数：{in_hz01}" in pdf_text(pdf)


@pytest.mark.parametrize("doctype, number, message", [
    ("roster", "ZZ99", "没有门店 ZZ99"),
    ("roster", "杭州", "门店编码"),
    ("positions", "no_such_position", "没有岗位 no_such_position"),
    ("positions", "Guide Leader!", "岗位编码"),
    ("invoice", "X1", "没有这种单据类型：invoice"),
])
def test_unknown_document_or_number_is_a_clear_message(session_of, doctype, number, message):
    with pytest.raises(UserFacingError, match=message) as refused:
        render_documents(session_of("admin"), doctype, [number], preview_only=True)
    assert refused.value.kind == "not_found"


def test_no_number_is_a_clear_message(session_of):
    with pytest.raises(UserFacingError, match="请指定要打印的单据编号"):
        render_documents(session_of("admin"), "roster", [" "])


def test_numbers_for_pickers_follow_what_the_login_may_see(db, session_of):
    manager = session_of("hz01.manager")
    admin = session_of("admin")
    with manager.engine.connect() as conn:
        assert get_doctype("roster").numbers(conn) == ["ALL", "HZ01"]
    with admin.engine.connect() as conn:
        stores = get_doctype("roster").numbers(conn)
        positions = get_doctype("positions").numbers(conn)
    assert stores[0] == "ALL" and {"HZ01", "GZ01", "SJZ01"} <= set(stores)
    assert positions[0] == "ALL" and {"admin", "store_manager", "guide"} <= set(positions)
    for number in stores[:3]:  # every number offered prints
        assert render_documents(admin, "roster", [number], preview_only=True)


@dataclass(frozen=True)
class _Note:
    number: str
    draft: bool
    row_count: int | None = None


@pytest.fixture
def draft_doctype():
    """A document type whose documents are drafts (order documents will have them)."""
    doctype = DocType(
        name="test_draft_note", title="测试草稿", permissions=("system.employee.view",),
        load=lambda conn, number: _Note(f"NOTE-{number}", draft=True),
        build=lambda data, header: [Paragraph(f"草稿内容 {data.number}", document_styles().body)],
        numbers=lambda conn: [], number_help="测试用")
    register_doctype(doctype)
    yield doctype
    DOCTYPES.pop(doctype.name)


def test_drafts_print_watermarked_and_never_count_as_a_copy(draft_doctype, session_of, print_log):
    admin = session_of("admin")
    first = render(admin, draft_doctype.name, ["7"])
    second = render(admin, draft_doctype.name, ["7"])

    for rendered in (first, second):
        text = pdf_text(rendered.pdf)
        assert "草稿 — 非正式单据" in text and "补打" not in text
        assert rendered.documents[0].copy_no is None
    # Logged (who took it out, when) but under its own subject: the final print stays the original.
    assert len(print_log("test_draft_note.draft", "NOTE-7")) == 2
    assert print_log("test_draft_note", "NOTE-7") == []
