"""Printed documents of the orders module: the 销售合同 (``yiwei print contract HT-HZ01-202611-000001``).

The contract is read as the printing employee through the contract list views, so row-level
security decides what may be printed: a guide prints only own contracts, a store manager the
store's. The customer's phone is the full number only for logins that may see full numbers
(``customers.phone_full``: the phone book's own policy), masked for everybody else.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.engine import Connection

from client.db.errors import UserFacingError
from client.documents.registry import DocType, register_doctype

from .contract_document import PAGE, ContractDocument, ContractLine, PaymentPart, build_contract

_CONTRACT_SQL = """
SELECT l.id, i.company_name, l.number, l.status, l.status_label,
       coalesce(l.customer_name, ''), coalesce(pb.phone, l.customer_phone, ''), coalesce(l.customer_address, ''),
       l.store_name, coalesce(l.guide_name, ''), coalesce(l.designer_name, ''),
       (l.signed_at AT TIME ZONE (SELECT yiwei.company_timezone()))::date,
       l.expected_delivery_on, l.list_total, l.total,
       coalesce(t.body, ''), coalesce(t.name || ' 第' || t.version || '版', ''), coalesce(l.cancel_reason, ''),
       l.changes_total
  FROM yiwei.contract_list l
  CROSS JOIN yiwei.instance i
  LEFT JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = l.customer_id
  LEFT JOIN yiwei.contract_template t ON t.id = l.template_id
 WHERE l.number = :number
"""

_LINES_SQL = """
SELECT product_code, product_name, style, colour, spec, unit, quantity, list_price, rate, price, amount,
       coalesce(package_name, ''), note
  FROM yiwei.contract_line_list
 WHERE contract_id = :id
 ORDER BY line_no
"""

_PAYMENTS_SQL = """
SELECT kind, amount, due_on FROM yiwei.contract_payment_list WHERE contract_id = :id ORDER BY seq
"""


def load_contract(conn: Connection, number: str) -> ContractDocument:
    """The contract ``number`` (case does not matter) as the logged-in employee may see it."""
    wanted = number.strip().upper()
    row = conn.execute(text(_CONTRACT_SQL), {"number": wanted}).first()
    if row is None:
        raise UserFacingError(f"合同 {wanted} 不存在或不在您的数据范围内", kind="not_found")
    contract_id, *header = row
    lines = tuple(ContractLine(*line) for line in conn.execute(text(_LINES_SQL), {"id": contract_id}))
    payments = tuple(PaymentPart(*part) for part in conn.execute(text(_PAYMENTS_SQL), {"id": contract_id}))
    (company, number, status, status_label, customer_name, phone, address, store, guide, designer, signed_on,
     delivery_on, list_total, total, body, template_name, cancel_reason, changes_total) = header
    return ContractDocument(
        company=company, number=number, status=status, status_label=status_label, customer_name=customer_name,
        customer_phone=phone, customer_address=address, store=store, guide=guide, designer=designer,
        signed_on=signed_on, expected_delivery_on=delivery_on, lines=lines, list_total=Decimal(list_total),
        total=Decimal(total), payments=payments, template_body=body, template_name=template_name,
        cancel_reason=cancel_reason, changes_total=Decimal(changes_total))


def contract_numbers(conn: Connection) -> list[str]:
    """The latest contracts the login may see (what a picker offers)."""
    return list(conn.execute(text("SELECT number FROM yiwei.contract ORDER BY id DESC LIMIT 200")).scalars())


CONTRACT = register_doctype(DocType(
    name="contract",
    title="销售合同",
    # Whoever works on contracts may print the ones they can see: the guide for the customer, the
    # reviewers, the manager who signs, finance handing the customer a copy with the receipt.
    permissions=("orders.contract", "orders.drawing_review", "orders.price_review", "orders.sign", "finance.receipt"),
    load=load_contract,
    build=build_contract,
    numbers=contract_numbers,
    number_help="合同编号（如 HT-HZ01-202611-000001）；可写多个，合并为一个 PDF；未签订的合同带“草稿”水印",
    page=PAGE,
))
