"""收款登记: money received against one part of a contract's payment plan, through
yiwei.record_contract_payment (permission finance.receipt). A negative amount corrects an earlier
entry; the database refuses overpaying a part, going below zero, more than two decimals, and a
contract not yet submitted or cancelled — each message beside the field it is about.

``open_payment_form(ctx, parent, contract_id)`` is the entry point for any screen that shows a
contract (可计提订单, the contract's payment plan).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel
from sqlalchemy import text

from client.db.errors import UserFacingError
from client.documents.amounts import format_money
from client.ui.forms import FieldSpec, RecordForm, alive

PERMISSION = "finance.receipt"


def _t(text_: str) -> str:
    return QCoreApplication.translate("payments", text_)


def plan_parts(conn, contract_id: int) -> list[tuple]:
    """(seq, "第 1 期 定金：应收 300.00，已收 0.00") of the contract's plan."""
    rows = conn.execute(text(
        "SELECT seq, kind_label, amount, paid_amount, due_on FROM yiwei.contract_payment_list"
        " WHERE contract_id = :id ORDER BY seq"), {"id": contract_id})
    parts = []
    for seq, kind, amount, paid, due in rows:
        label = _t("第 %1 期 %2：应收 %3，已收 %4").replace("%1", str(seq)).replace("%2", kind) \
            .replace("%3", format_money(amount)).replace("%4", format_money(paid))
        if due is not None:
            label += _t("（%1 到期）").replace("%1", due.isoformat())
        parts.append((seq, label))
    return parts


def contract_heading(conn, contract_id: int) -> dict:
    row = conn.execute(text(
        "SELECT id, number, customer_name, payable_total, paid_total, status_label FROM yiwei.contract_list WHERE id = :id"),
        {"id": contract_id}).mappings().first()
    if row is None:
        raise UserFacingError("合同不存在或不在您的数据范围内", kind="not_found")
    return dict(row)


def parse_amount(value: str) -> Decimal | None:
    try:
        amount = Decimal((value or "").replace(",", "").strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def record_payment(conn, contract_id: int, seq: int, amount: str) -> Decimal:
    """The part's new paid amount. The amount goes as text: numeric keeps every digit typed, so
    the database (not a float) decides about a third decimal."""
    return conn.execute(text("SELECT yiwei.record_contract_payment(:id, :seq, CAST(:amount AS numeric))"),
                        {"id": contract_id, "seq": seq, "amount": amount.replace(",", "").strip()}).scalar_one()


def _check(values: dict) -> dict:
    if parse_amount(values.get("amount")) is None:
        return {"amount": _t("请输入金额，例如 300 或 1250.50")}
    return {}


def payment_fields(contract_id: int) -> list[FieldSpec]:
    return [FieldSpec("seq", _t("付款期"), "choice", required=True,
                      choices=lambda conn: plan_parts(conn, contract_id)),
            FieldSpec("amount", _t("收款金额"), required=True, max_length=20,
                      placeholder=_t("负数表示冲减之前登记的收款"))]


def open_payment_form(ctx, parent, contract_id: int, on_saved=None) -> RecordForm | None:
    """The 收款登记 dialog for one contract (opened once its heading is read); None without the
    permission. ``on_saved(new_paid_amount)`` runs after a successful save."""
    if not ctx.session.can(PERMISSION):
        return None
    form = RecordForm(ctx, _t("收款登记"), payment_fields(contract_id),
                      save=lambda conn, values: record_payment(conn, contract_id, values["seq"], values["amount"]),
                      initial={"id": contract_id}, editing=False, check=_check, save_text=_t("登记收款"), parent=parent)
    form.setObjectName("payment_form")

    def heading(conn):
        return contract_heading(conn, contract_id)

    # Which contract, above the fields (the banner below it is for the database's messages).
    intro = QLabel(_t("正在读取合同…"))
    intro.setObjectName("intro")
    intro.setWordWrap(True)
    form.layout().insertWidget(0, intro)

    def show(row):
        if alive(intro):
            intro.setText(_t("合同 %1（%2，%3）：应收金额 %4（含已审核改补单），已收 %5").replace("%1", row["number"])
                          .replace("%2", row["customer_name"] or "").replace("%3", row["status_label"])
                          .replace("%4", format_money(row["payable_total"]))
                          .replace("%5", format_money(row["paid_total"])))

    ctx.run(lambda conn, token, report: heading(conn), on_done=show,
            on_error=lambda error: alive(form) and form.show_error(error.message))
    if on_saved is not None:
        form.saved.connect(on_saved)
    form.open()
    return form
