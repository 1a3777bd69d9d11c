"""Reading what a reviewer looks at, and the checked review steps (图审 / 审价 of contracts and change
orders). Every function runs on the caller's connection as the logged-in employee: row-level
security decides what is seen, yiwei.review_drawing / review_price / review_change_order what is
allowed (own contract, wrong state, stale version, a discount beyond the reviewer's limit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text

from client.db.errors import UserFacingError

_NOT_FOUND = "单据不存在或不在您的数据范围内"


@dataclass(frozen=True)
class ReviewLine:
    line_no: int
    code: str
    name: str
    description: str           # style / colour / spec
    unit: str
    quantity: Decimal
    list_price: Decimal
    rate: Decimal               # price ÷ list price
    price: Decimal
    amount: Decimal
    deal: str                   # the package or promotion that explains the rate, or ""
    explained: bool             # a package or a valid promotion allows the rate whatever the limit
    note: str = ""


@dataclass(frozen=True)
class DesignFile:
    id: int
    version: int
    file_name: str
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class ChecklistItem:
    id: int
    name: str
    line_name: str              # "" for an item that applies to every contract


@dataclass(frozen=True)
class PastReview:
    kind_label: str
    result_label: str
    reviewer: str
    at: datetime
    comment: str
    subject: str                # 合同 or the change order's number


@dataclass(frozen=True)
class ReviewItem:
    """A contract or a change order as the reviewer sees it."""

    key: str                    # the queue's key: "C<id>" or "G<id>"
    kind: str                   # contract / change_order
    id: int
    version: int
    number: str
    status: str
    status_label: str
    contract_id: int
    contract_number: str
    customer_name: str
    customer_address: str
    store_name: str
    guide_name: str
    designer_name: str
    amount: Decimal             # the contract total, or the change order's amount_delta
    list_total: Decimal | None
    expected_delivery_on: date | None
    note: str                   # the contract's note, or the change order's reason
    change_kind_label: str = ""
    lines: list[ReviewLine] = field(default_factory=list)
    design_file: DesignFile | None = None
    checklist: list[ChecklistItem] = field(default_factory=list)
    reviews: list[PastReview] = field(default_factory=list)

    @property
    def is_change_order(self) -> bool:
        return self.kind == "change_order"

    @property
    def stage(self) -> str | None:
        """The review this item waits for: drawing, price, or None."""
        return {"submitted": "drawing", "drawing_passed": "price"}.get(self.status)

    def lowest_unexplained_rate(self) -> Decimal | None:
        rates = [line.rate for line in self.lines if not line.explained]
        return min(rates) if rates else None


def parse_key(key: str) -> tuple[str, int]:
    if not key or key[0] not in "CG" or not key[1:].isdigit():
        raise ValueError(f"not a review queue key: {key!r}")
    return ("contract" if key[0] == "C" else "change_order"), int(key[1:])


def contract_key(contract_id: int) -> str:
    return f"C{contract_id}"


def change_order_key(change_order_id: int) -> str:
    return f"G{change_order_id}"


def my_discount_limit(conn) -> Decimal:
    """The lowest rate the login's position may grant or pass in 审价 (1 = none)."""
    return conn.execute(text("SELECT yiwei.my_min_discount_rate()")).scalar_one()


# --- reading ----------------------------------------------------------------------------------------

_REVIEW_DAY = "(coalesce(c.submitted_at, now()) AT TIME ZONE yiwei.company_timezone())::date"


def load_item(conn, key: str) -> ReviewItem:
    kind, item_id = parse_key(key)
    if kind == "contract":
        row = conn.execute(text(
            "SELECT c.id, c.version, c.number, c.status, c.status_label, c.id AS contract_id, c.number AS contract_number,"
            "       c.customer_name, c.customer_address, c.store_name, c.guide_name, c.designer_name, c.total AS amount,"
            "       c.list_total, c.expected_delivery_on, c.note, '' AS change_kind_label"
            "  FROM yiwei.contract_list c WHERE c.id = :id"), {"id": item_id}).mappings().first()
    else:
        row = conn.execute(text(
            "SELECT o.id, o.version, o.number, o.status, o.status_label, o.contract_id, o.contract_number,"
            "       c.customer_name, c.customer_address, c.store_name, c.guide_name, c.designer_name,"
            "       o.amount_delta AS amount, NULL::numeric AS list_total, c.expected_delivery_on, o.reason AS note,"
            "       o.kind_label AS change_kind_label"
            "  FROM yiwei.change_order_list o JOIN yiwei.contract_list c ON c.id = o.contract_id"
            " WHERE o.id = :id"), {"id": item_id}).mappings().first()
    if row is None:
        raise UserFacingError(_NOT_FOUND, kind="not_found")
    values = {k: ("" if v is None and k in _TEXTS else v) for k, v in row.items()}
    return ReviewItem(key=key, kind=kind, lines=_lines(conn, kind, item_id),
                      design_file=_design_file(conn, values["contract_id"]),
                      checklist=_checklist(conn, kind, item_id, values["contract_id"]),
                      reviews=_reviews(conn, values["contract_id"]), **values)


_TEXTS = {"customer_name", "customer_address", "guide_name", "designer_name", "note", "change_kind_label"}


def _lines(conn, kind: str, item_id: int) -> list[ReviewLine]:
    if kind == "contract":
        # Explained as review_price sees it: a package line, or a promotion valid on the day the
        # contract was submitted that allows this rate for the product's line.
        rows = conn.execute(text(
            "SELECT l.line_no, l.product_code, l.product_name,"
            "       concat_ws(' / ', nullif(l.style, ''), nullif(l.colour, ''), nullif(l.spec, '')), l.unit,"
            "       l.quantity, l.list_price, round(l.price / l.list_price, 6), l.price, l.amount,"
            "       coalesce(l.package_name, l.promotion_name, ''),"
            "       l.package_id IS NOT NULL OR (l.promotion_id IS NOT NULL AND yiwei.promotion_allows("
            f"           l.promotion_id, l.product_id, l.price / l.list_price, {_REVIEW_DAY})), l.note"
            "  FROM yiwei.contract_line_list l JOIN yiwei.contract c ON c.id = l.contract_id"
            " WHERE l.contract_id = :id ORDER BY l.line_no"), {"id": item_id})
    else:
        # Goods taken off a contract go at the price paid for them: only added goods carry a discount
        # (review_change_order looks at the same lines).
        rows = conn.execute(text(
            "SELECT ol.line_no, ol.product_code, ol.product_name,"
            "       concat_ws(' / ', nullif(ol.style, ''), nullif(ol.colour, ''), nullif(ol.spec, '')), ol.unit,"
            "       ol.quantity, ol.list_price, round(ol.price / ol.list_price, 6), ol.price, ol.amount,"
            "       CASE WHEN ol.quantity < 0 THEN '减少' ELSE '' END, ol.quantity < 0, ol.note"
            "  FROM yiwei.change_order_line ol WHERE ol.change_order_id = :id ORDER BY ol.line_no"), {"id": item_id})
    return [ReviewLine(*row) for row in rows]


def _design_file(conn, contract_id: int) -> DesignFile | None:
    row = conn.execute(text(
        "SELECT id, version, file_name, size_bytes, coalesce(uploaded_by_name, ''), uploaded_at"
        "  FROM yiwei.design_file_list WHERE contract_id = :id AND current"), {"id": contract_id}).first()
    return DesignFile(*row) if row else None


def _checklist(conn, kind: str, item_id: int, contract_id: int) -> list[ChecklistItem]:
    """The active checklist items that apply: those for every contract and those of a product line on
    the contract (for a change order also the lines of the goods it adds)."""
    extra = ("UNION SELECT pd.line_id FROM yiwei.change_order_line ol JOIN yiwei.product pd ON pd.id = ol.product_id"
             " WHERE ol.change_order_id = :item") if kind == "change_order" else ""
    rows = conn.execute(text(
        "SELECT ci.id, ci.name, coalesce(pl.name, '')"
        "  FROM yiwei.checklist_item ci LEFT JOIN yiwei.product_line pl ON pl.id = ci.line_id"
        " WHERE ci.active AND (ci.line_id IS NULL OR ci.line_id IN ("
        "       SELECT pd.line_id FROM yiwei.contract_line l JOIN yiwei.product pd ON pd.id = l.product_id"
        f"       WHERE l.contract_id = :contract {extra}))"
        " ORDER BY ci.sort_order, ci.id"), {"contract": contract_id, "item": item_id})
    return [ChecklistItem(*row) for row in rows]


def _reviews(conn, contract_id: int) -> list[PastReview]:
    rows = conn.execute(text(
        "SELECT kind_label, result_label, coalesce(reviewer_name, ''), created_at, comment,"
        "       coalesce(change_order_number, '合同')"
        "  FROM yiwei.contract_review_list WHERE contract_id = :id ORDER BY id"), {"id": contract_id})
    return [PastReview(*row) for row in rows]


def load_design_file_data(conn, file_id: int) -> tuple[str, bytes]:
    """The name and content of a design file (whoever may see the contract may open its drawings)."""
    row = conn.execute(text("SELECT file_name, data FROM yiwei.design_file WHERE id = :id"), {"id": file_id}).first()
    if row is None:
        raise UserFacingError("设计文件不存在或不在您的数据范围内", kind="not_found")
    return row[0], bytes(row[1])


# --- the checked steps --------------------------------------------------------------------------------


def review(conn, item: ReviewItem, stage: str, passed: bool, comment: str, checklist: list[dict] | None = None) -> None:
    """The ``stage`` review (drawing / price) of ``item`` at the version it was read.

    ``checklist``: [{"item_id", "ok"}] of the 图审 (ignored by 审价). A change order's step follows
    its state in the database; its version makes sure that is the state the reviewer saw."""
    params = {"id": item.id, "version": item.version, "passed": passed, "comment": comment or "",
              "checklist": json.dumps(checklist or [])}
    if item.is_change_order:
        conn.execute(text("SELECT yiwei.review_change_order(:id, :version, :passed, :comment,"
                          " CAST(:checklist AS jsonb))"), params)
    elif stage == "price":
        conn.execute(text("SELECT yiwei.review_price(:id, :version, :passed, :comment)"), params)
    else:
        conn.execute(text("SELECT yiwei.review_drawing(:id, :version, :passed, :comment, CAST(:checklist AS jsonb))"),
                     params)
