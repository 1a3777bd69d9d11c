"""What the contract editor (合同下单) reads and writes, and the arithmetic it shows while typing.

Reading goes through the contract views as the logged-in employee (row-level security decides what
is seen); every write is one of the database's checked functions — ``save_contract``,
``apply_package``, ``submit_contract``, ``sign_contract``, ``cancel_contract``,
``upload_design_file`` — which check permission, scope, state, version and every number again. The
client computes a line's price from a rate (or the rate from a price) and the totals exactly as
the database does (Decimal, half-up to the cent), so what the editor shows while typing is what the
database stores; the database remains the judge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import text

from client.db.errors import UserFacingError

from .review_data import PastReview, _reviews

CENT = Decimal("0.01")
RATE_STEP = Decimal("0.0001")
EDITABLE_STATES = ("draft", "returned")
# Before delivery a contract may be cancelled; signed ones only by those who may sign (cancel_contract).
CANCELLABLE_STATES = ("draft", "returned", "submitted", "drawing_passed", "price_passed", "signed", "in_production")
SIGNED_CANCEL_STATES = ("signed", "in_production")
PAYMENT_KINDS = (("deposit", "定金"), ("progress", "进度款"), ("final", "尾款"))
PRODUCT_LIMIT = 50
_NOT_FOUND = "合同不存在或不在您的数据范围内"


# --- exact arithmetic -------------------------------------------------------------------------------

def parse_decimal(typed) -> Decimal | None:
    """A typed number (digits, one point, an optional sign), else None; never a float."""
    if isinstance(typed, Decimal):
        return typed
    value = str(typed or "").strip().replace(",", "")
    if not re.fullmatch(r"[-+]?\d{1,12}(\.\d{1,12})?", value):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def cents(value: Decimal) -> Decimal:
    """Rounded to the cent the way PostgreSQL's round(numeric, 2) does (half away from zero)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price_from_rate(list_price: Decimal, rate: Decimal) -> Decimal:
    return cents(list_price * rate)


def rate_of(price: Decimal, list_price: Decimal) -> Decimal:
    return (price / list_price).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def money_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def decimal_text(value: Decimal | None) -> str:
    """A quantity or rate without trailing zeros: 2.000 → "2", 0.8500 → "0.85"."""
    return "" if value is None else f"{value.normalize():f}"


@dataclass
class EditLine:
    """One contract line as the editor holds it. Quantity and price are kept as typed, so a price of
    12.345 reaches the database (which refuses it, naming the line) rather than being rounded here."""

    product_id: int
    code: str
    name: str
    style: str
    colour: str
    spec: str
    unit: str
    line_id: int | None
    list_price: Decimal
    quantity: str = "1"
    price: str = ""
    id: int | None = None
    stored_amount: Decimal | None = None    # a package line's share of the package price
    package_id: int | None = None
    package_name: str = ""
    promotion_id: int | None = None
    promotion_name: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.price:
            self.price = money_text(self.list_price)

    @property
    def in_package(self) -> bool:
        return self.package_id is not None

    @property
    def description(self) -> str:
        return " / ".join(part for part in (self.style, self.colour, self.spec) if part)

    def quantity_value(self) -> Decimal | None:
        return parse_decimal(self.quantity)

    def price_value(self) -> Decimal | None:
        return parse_decimal(self.price)

    def rate(self) -> Decimal | None:
        price = self.price_value()
        return rate_of(price, self.list_price) if price is not None and self.list_price else None

    def set_rate(self, rate: Decimal) -> None:
        """A typed rate (0.85 = 八五折) becomes the price the database would compute from it."""
        self.price = money_text(price_from_rate(self.list_price, rate))

    def list_amount(self) -> Decimal | None:
        quantity = self.quantity_value()
        return cents(self.list_price * quantity) if quantity is not None else None

    def amount(self) -> Decimal | None:
        if self.in_package:
            return self.stored_amount
        quantity, price = self.quantity_value(), self.price_value()
        return cents(price * quantity) if quantity is not None and price is not None else None

    def payload(self) -> dict:
        if self.in_package:
            # sent back unchanged, so the database keeps the package's repricing
            return {"id": self.id, "product_id": self.product_id, "quantity": self.quantity, "price": self.price}
        return {"product_id": self.product_id, "quantity": self.quantity.strip(), "price": self.price.strip(),
                "promotion_id": self.promotion_id, "note": self.note.strip()}


@dataclass(frozen=True)
class Totals:
    list_total: Decimal
    total: Decimal

    @property
    def discount(self) -> Decimal:
        return self.list_total - self.total


def totals(lines: list[EditLine]) -> Totals:
    """零售价合计 and 合同金额 as the database sums them (lines that do not parse yet count 0)."""
    list_total = sum((line.list_amount() or Decimal(0) for line in lines), Decimal("0.00"))
    total = sum((line.amount() or Decimal(0) for line in lines), Decimal("0.00"))
    return Totals(list_total, total)


@dataclass
class PaymentPart:
    kind: str
    amount: str
    due_on: str = ""              # "YYYY-MM-DD" or empty
    paid_amount: Decimal = Decimal("0.00")

    def payload(self) -> dict:
        return {"kind": self.kind, "amount": self.amount.strip(), "due_on": self.due_on.strip() or None}


def parse_ratio(typed: str) -> list[Decimal] | None:
    """ "30/60/10" (or spaces, commas, ：) → [30, 60, 10] when every part is positive and they add up to
    100; else None."""
    parts = [p for p in re.split(r"[/\s,，:：、]+", typed or "") if p]
    values = [parse_decimal(p) for p in parts]
    if not values or any(v is None or v <= 0 for v in values) or sum(values) != 100:
        return None
    return values


def plan_by_ratio(total: Decimal, percents: list[Decimal]) -> list[tuple[str, Decimal]]:
    """The parts of ``total`` in the given percentages, each cut to the cent and the last taking the
    remainder, so they always sum exactly to the total. The first is the deposit, the last the final
    payment, those between progress payments (the order save_contract requires)."""
    amounts = [(total * p / 100).quantize(CENT, rounding=ROUND_DOWN) for p in percents[:-1]]
    amounts.append(total - sum(amounts, Decimal("0.00")))
    kinds = ["deposit"] + ["progress"] * (len(percents) - 2) + ["final"] if len(percents) > 1 else ["final"]
    return list(zip(kinds, amounts))


# --- reading ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DesignFileRow:
    id: int
    version: int
    file_name: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime
    current: bool


@dataclass
class ContractData:
    """A contract as the editor shows it. ``header`` holds the contract_list row (id, version,
    number, status, status_label, customer…, price_list_id, designer_id, template_id,
    expected_delivery_on, note, totals); a new contract has no id yet."""

    header: dict
    lines: list[EditLine] = field(default_factory=list)
    payments: list[PaymentPart] = field(default_factory=list)
    files: list[DesignFileRow] = field(default_factory=list)
    reviews: list[PastReview] = field(default_factory=list)

    @property
    def id(self) -> int | None:
        return self.header.get("id")

    @property
    def status(self) -> str:
        return self.header.get("status") or "draft"

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATES


_HEADER_SQL = """
SELECT c.id, c.version, c.number, c.status, c.status_label, c.customer_id, c.customer_name, c.customer_number,
       c.customer_address, c.store_id, c.store_name, c.guide_id, c.guide_name, c.designer_id, c.designer_name,
       c.price_list_id, c.price_list_name, c.template_id, c.expected_delivery_on, c.note, c.list_total, c.total,
       c.changes_total, c.cancel_reason, c.submitted_at, c.signed_at
  FROM yiwei.contract_list c WHERE c.id = :id
"""

_LINES_SQL = """
SELECT l.id, l.product_id, l.product_code, l.product_name, l.style, l.colour, l.spec, l.unit, p.line_id,
       l.list_price, l.quantity, l.price, l.amount, l.package_id, coalesce(l.package_name, '') AS package_name,
       l.promotion_id, coalesce(l.promotion_name, '') AS promotion_name, l.note
  FROM yiwei.contract_line_list l JOIN yiwei.product p ON p.id = l.product_id
 WHERE l.contract_id = :id ORDER BY l.line_no
"""


def load_contract(conn, contract_id: int) -> ContractData:
    header = conn.execute(text(_HEADER_SQL), {"id": contract_id}).mappings().first()
    if header is None:
        raise UserFacingError(_NOT_FOUND, kind="not_found")
    lines = [EditLine(product_id=r["product_id"], code=r["product_code"], name=r["product_name"], style=r["style"],
                      colour=r["colour"], spec=r["spec"], unit=r["unit"], line_id=r["line_id"],
                      list_price=r["list_price"], quantity=decimal_text(r["quantity"]), price=money_text(r["price"]),
                      id=r["id"], stored_amount=r["amount"] if r["package_id"] is not None else None,
                      package_id=r["package_id"], package_name=r["package_name"], promotion_id=r["promotion_id"],
                      promotion_name=r["promotion_name"], note=r["note"])
             for r in conn.execute(text(_LINES_SQL), {"id": contract_id}).mappings()]
    payments = [PaymentPart(kind, money_text(amount), due_on.isoformat() if due_on else "", paid)
                for kind, amount, due_on, paid in conn.execute(text(
                    "SELECT kind, amount, due_on, paid_amount FROM yiwei.contract_payment_list"
                    " WHERE contract_id = :id ORDER BY seq"), {"id": contract_id})]
    return ContractData(dict(header), lines, payments, load_design_files(conn, contract_id),
                        _reviews(conn, contract_id))


def new_contract(conn, customer: dict) -> ContractData:
    """A contract not saved yet for ``customer`` (a row of the customers picker): its people, the
    only valid price list preselected when there is just one."""
    valid = price_list_choices(conn, None)
    header = {"id": None, "version": None, "number": "", "status": "draft", "status_label": "新合同",
              "customer_id": customer["id"], "customer_name": customer["name"], "customer_number": customer["number"],
              "customer_address": customer.get("full_address") or "", "store_id": customer["store_id"],
              "store_name": customer["store_name"], "guide_id": customer["guide_id"],
              "guide_name": customer.get("guide_name") or "", "designer_id": customer.get("designer_id"),
              "designer_name": customer.get("designer_name") or "",
              "price_list_id": valid[0][0] if len(valid) == 1 else None, "template_id": None,
              "expected_delivery_on": None, "note": "", "list_total": Decimal("0.00"), "total": Decimal("0.00")}
    return ContractData(header)


def load_design_files(conn, contract_id: int) -> list[DesignFileRow]:
    rows = conn.execute(text(
        "SELECT id, version, file_name, size_bytes, coalesce(uploaded_by_name, ''), uploaded_at, current"
        "  FROM yiwei.design_file_list WHERE contract_id = :id ORDER BY version DESC"), {"id": contract_id})
    return [DesignFileRow(*row) for row in rows]


# --- choices ------------------------------------------------------------------------------------------

def price_list_choices(conn, current: int | None) -> list[tuple]:
    """The price lists valid today, and the contract's own even when it has run out since (shown so
    the contract reads right; saving with it is refused by the database)."""
    return [tuple(r) for r in conn.execute(text(
        "SELECT id, name || CASE WHEN status = '有效' THEN '' ELSE '（' || status || '）' END"
        "  FROM yiwei.price_list_list WHERE status = '有效' OR id = :current"
        " ORDER BY status <> '有效', valid_from DESC, code"), {"current": current})]


def designer_choices(conn, store_id: int, current: int | None) -> list[tuple]:
    """The store's active designers (and the contract's own)."""
    rows = conn.execute(text(
        "SELECT e.id, e.full_name FROM yiwei.employee e"
        " WHERE (e.store_id = :store AND e.active AND EXISTS (SELECT 1 FROM yiwei.position_permission pp"
        "        WHERE pp.position_id = e.position_id AND pp.permission_code = 'customers.designer_task'))"
        "    OR e.id = :current"
        " ORDER BY e.full_name"), {"store": store_id, "current": current})
    return [(None, "（未指定）"), *(tuple(r) for r in rows)]


def template_choices(conn, current: int | None) -> list[tuple]:
    """Active templates in their latest version; the contract keeps an older one it was made with."""
    rows = conn.execute(text(
        "SELECT id, name || ' 第' || version || '版' || coalesce('（' || line_name || '）', '')"
        "  FROM yiwei.contract_template_list WHERE active"
        " UNION SELECT t.id, t.name || ' 第' || t.version || '版' FROM yiwei.contract_template t WHERE t.id = :current"
        " ORDER BY 2"), {"current": current})
    return [(None, "（不用模板）"), *(tuple(r) for r in rows)]


def header_choices(conn, data: ContractData) -> dict:
    h = data.header
    return {"price_list_id": price_list_choices(conn, h.get("price_list_id")),
            "designer_id": designer_choices(conn, h["store_id"], h.get("designer_id")),
            "template_id": template_choices(conn, h.get("template_id")),
            "promotions": promotions(conn)}


@dataclass(frozen=True)
class Promotion:
    id: int
    name: str
    line_id: int | None           # None: every product line
    min_rate: Decimal

    def applies_to(self, line: EditLine) -> bool:
        return self.line_id is None or self.line_id == line.line_id


def promotions(conn) -> list[Promotion]:
    return [Promotion(*r) for r in conn.execute(text(
        "SELECT id, name, line_id, min_rate FROM yiwei.promotion_list WHERE current ORDER BY name"))]


def package_choices(conn, price_list_id: int | None) -> list[tuple]:
    """The packages valid today on the contract's price list, with their contents and price."""
    rows = conn.execute(text(
        "SELECT id, name || '　¥' || to_char(price, 'FM999,999,990.00') || '　' || coalesce(items_text, '')"
        "  FROM yiwei.package_list WHERE current AND price_list_id = :pl ORDER BY name"), {"pl": price_list_id})
    return [tuple(r) for r in rows]


def find_products(conn, term: str, price_list_id: int | None, limit: int = PRODUCT_LIMIT) -> list[EditLine]:
    """Active products on the price list whose code, name, style or style alias matches ``term``
    (yiwei.find_products), as new lines at list price; an empty term lists the first ones by code."""
    if price_list_id is None:
        raise UserFacingError("请先选择价格体系", kind="validation", detail={"field": "价格体系"})
    term = " ".join((term or "").split())[:60]
    condition = "p.id = ANY (yiwei.find_products(:term))" if term else "TRUE"
    rows = conn.execute(text(
        "SELECT p.id, p.code, p.name, p.style, p.colour, p.spec, p.unit, p.line_id, i.price"
        "  FROM yiwei.product p JOIN yiwei.price_list_item i ON i.product_id = p.id AND i.price_list_id = :pl"
        f" WHERE p.active AND {condition} ORDER BY p.code LIMIT :limit"),
        {"pl": price_list_id, "term": term, "limit": limit})
    return [EditLine(product_id=r[0], code=r[1], name=r[2], style=r[3] or "", colour=r[4] or "", spec=r[5] or "",
                     unit=r[6] or "", line_id=r[7], list_price=r[8]) for r in rows]


# --- writing ------------------------------------------------------------------------------------------

def contract_payload(header: dict, lines: list[EditLine], payments: list[PaymentPart]) -> dict:
    day = header.get("expected_delivery_on")
    data = {"designer_id": header.get("designer_id"), "price_list_id": header.get("price_list_id"),
            "template_id": header.get("template_id"),
            "expected_delivery_on": day.isoformat() if isinstance(day, date) else (day or None),
            "note": header.get("note") or "",
            "lines": [line.payload() for line in lines], "payments": [part.payload() for part in payments]}
    if header.get("id") is None:
        data["customer_id"] = header["customer_id"]
    return data


def save_contract(conn, header: dict, lines: list[EditLine], payments: list[PaymentPart]) -> int:
    """Header, lines and plan in one call of the checked function; returns the contract's id."""
    return conn.execute(text("SELECT yiwei.save_contract(:id, :version, CAST(:p AS jsonb))"),
                        {"id": header.get("id"), "version": header.get("version"),
                         "p": json.dumps(contract_payload(header, lines, payments), ensure_ascii=False)}).scalar_one()


def apply_package(conn, contract_id: int, version: int, package_id: int) -> int:
    return conn.execute(text("SELECT yiwei.apply_package(:id, :version, :package)"),
                        {"id": contract_id, "version": version, "package": package_id}).scalar_one()


def contract_step(conn, step: str, contract_id: int, version: int, reason: str | None = None) -> None:
    """提交审核 (submit), 签订 (sign) or 作废 (cancel, with a reason) through its checked function."""
    if step == "cancel":
        conn.execute(text("SELECT yiwei.cancel_contract(:id, :version, :reason)"),
                     {"id": contract_id, "version": version, "reason": reason})
        return
    function = {"submit": "yiwei.submit_contract", "sign": "yiwei.sign_contract"}[step]
    conn.execute(text(f"SELECT {function}(:id, :version)"), {"id": contract_id, "version": version})


def upload_design_file(conn, contract_id: int, file_name: str, content_type: str, data: bytes) -> int:
    return conn.execute(text("SELECT yiwei.upload_design_file(:id, :name, :type, :data)"),
                        {"id": contract_id, "name": file_name, "type": content_type, "data": data}).scalar_one()
