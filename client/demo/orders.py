"""Demo contracts (合同) of the demo customers, in every state from draft to completed or cancelled,
with their lines (some at package prices, some under a promotion), payment plans and payments, design
files in several versions, drawing and price reviews (some returned, then passed), and change orders
(改补单) with responsibility decisions.

Every signed customer has the contract they signed (signed at the moment the customer was), and a
share of them a second one; quoted and designing customers have contracts still being prepared or
reviewed; some lost customers a cancelled one. Where the sale stands follows from time: a contract
signed five weeks ago has been delivered, one signed three days ago is in production.

A few contracts per store go through the whole way as the people who do it — the guide saves and
submits, the designer uploads the drawings, the region director reviews, the store manager signs,
applies change orders and decides responsibility, the dispatcher delivers, the store's finance
records the money — through the checked functions, which is also how their customers become signed.
Their times are then moved into the past. The bulk is loaded as the installer with back-dated times
(see client.demo.business); its rows satisfy the database's rules by construction: totals are the sum
of the lines, plans add up to the totals, every discount is within the guide's limit unless a
promotion valid at the time or a package explains it, package lines share the package price exactly
as apply_package shares it, and the status agrees with the reviews and the moments recorded.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal


from . import business_seeder
from .business import (
    DemoCompany,
    Employees,
    Numbering,
    Store,
    copy_rows,
    load_company,
    prefetch_ids,
    replica,
    require_superuser,
    sync_counters,
)
from .drawings import plan_pdf, sketch_png

CENT = Decimal("0.01")
SECOND_CONTRACT_SHARE = 0.25     # signed customers who later order more (doors, floors …)
QUOTED_CONTRACT_SHARE = 0.85
DESIGNING_CONTRACT_SHARE = 0.30
LOST_CONTRACT_SHARE = 0.25
CHANGE_ORDER_SHARE = 0.15
SIGNED_CANCEL_SHARE = 0.04       # signed or in production, then cancelled
PACKAGE_SHARE = 0.15
RETURN_SHARE = 0.18              # reviews that send the contract back once before it passes
CHECKED_PER_STORE = 3            # contracts made through the checked functions, per store and scale
GUIDE_LIMIT = Decimal("0.90")    # the guides' discount limit (company.POSITIONS)

MAIN_LINES = [("CG", 30), ("YG", 35), ("MM", 12), ("DB", 10), ("WY", 8), ("RZ", 5)]
PRESIGN = [("draft", 30), ("submitted", 16), ("returned", 12), ("drawing_passed", 12), ("price_passed", 14),
           ("cancelled", 8)]
NOTES = ["", "", "", "", "客户要求周末送货安装", "含旧橱柜拆除", "电梯房 18 楼，送货需预约电梯", "安装前一天电话确认",
         "台面颜色待客户到店看样后确认", "与硬装公司协调水电改造时间"]
CANCEL_BEFORE = ["客户选择了其他品牌", "预算调整，暂缓装修", "房屋出售，不再装修", "客户对设计方案不满意，未能达成一致"]
CANCEL_AFTER = ["工厂无法按期交货，客户要求退单（定金已退）", "客户家庭变故，双方协商解除合同"]
DRAWING_RETURNS = ["吊柜离地高度未标注，请补充后重新提交", "台面开孔尺寸与灶具型号不符", "门洞尺寸缺少复尺数据",
                   "衣柜顶线收口方式未与客户确认", "水电点位图缺失"]
PRICE_RETURNS = ["请核对促销活动是否适用，补充说明后重新提交", "部分产品折扣偏低，请与客户重新确认报价"]
CHANGE_REASONS = [("change", "customer", "客户变更需求", "客户要求将柜门颜色改为{colour}"),
                  ("change", "measurer", "量尺错误", "现场复尺与图纸不符，调整柜体尺寸"),
                  ("change", "designer", "设计错误", "设计图未预留插座位置，修改柜体"),
                  ("supplement", "customer", "客户变更需求", "客户追加{item}"),
                  ("supplement", "factory", "生产质量问题", "门板色差，工厂补发"),
                  ("supplement", "driver", "运输损坏", "送货途中台面边角磕损，补发"),
                  ("supplement", "installer", "安装损坏", "安装时划伤侧板，补发"),
                  ("change", "guide", "下单错误", "下单时型号选错，更正"),
                  ("change", "customer", "客户原因退货", "客户退掉{item}")]
DECISION_NOTES = {"customer": "费用由客户承担，已告知", "designer": "设计师承担补件费用的 50%", "measurer": "量尺员承担返工费用",
                  "factory": "工厂免费补发", "driver": "物流承担赔偿", "installer": "安装队承担补件费用",
                  "guide": "导购承担差价"}

# Typical days between the steps of a contract (lower, upper).
GAPS = {"upload": (0.3, 3), "submit": (0.05, 1.5), "drawing_pass": (0.1, 1.5), "drawing_fail": (0.1, 1.5),
        "price_pass": (0.05, 1), "price_fail": (0.05, 1), "sign": (0.2, 3), "pay_deposit": (0.0, 0.05),
        "produce": (1, 6), "pay_progress": (0.2, 3), "deliver": (20, 32), "install": (1, 6), "pay_final": (0, 2),
        "complete": (1, 10), "cancel": (0.5, 10), "cancel_signed": (1, 8), "co_save": (1, 8), "co_upload": (0.2, 2),
        "co_submit": (0.1, 1), "co_drawing": (0.1, 1.5), "co_drawing_fail": (0.1, 1.5), "co_price": (0.1, 1),
        "co_decide": (0.1, 2), "co_cancel": (0.5, 5)}
PRE_SIGN_STEPS = {"draft": [], "submitted": ["upload", "submit"], "returned": ["upload", "submit", "drawing_fail"],
                  "drawing_passed": ["upload", "submit", "drawing_pass"],
                  "price_passed": ["upload", "submit", "drawing_pass", "price_pass"]}
POST_SIGN = ["produce", "pay_progress", "deliver", "install", "pay_final", "complete"]
STATUS_AFTER = {"sign": "signed", "produce": "in_production", "deliver": "delivered", "install": "installed",
                "complete": "completed", "cancel": "cancelled", "cancel_signed": "cancelled", "submit": "submitted",
                "drawing_fail": "returned", "price_fail": "returned", "drawing_pass": "drawing_passed",
                "price_pass": "price_passed"}
CO_STATUS_AFTER = {"co_save": "draft", "co_submit": "submitted", "co_drawing": "drawing_passed",
                   "co_drawing_fail": "returned", "co_price": "approved", "co_cancel": "cancelled"}

# The checked contracts, one scenario each (rotating over the stores).
SCENARIOS = {
    "draft_package": ["save_package"],
    "resubmitted": ["save", "upload", "submit", "drawing_fail", "upload", "submit"],
    "returned": ["save", "upload", "submit", "drawing_pass", "price_fail"],
    "drawing_passed": ["save", "upload", "submit", "drawing_pass"],
    "price_passed": ["save", "upload", "submit", "drawing_pass", "price_pass"],
    "signed": ["save", "upload", "submit", "drawing_fail", "upload", "submit", "drawing_pass", "price_pass", "sign",
               "pay_deposit"],
    "in_production": ["save", "upload", "submit", "drawing_pass", "price_pass", "sign", "pay_deposit", "produce",
                      "pay_progress"],
    "completed_change": ["save", "upload", "submit", "drawing_pass", "price_pass", "sign", "pay_deposit", "produce",
                         "co_save", "co_upload", "co_submit", "co_drawing", "co_price", "co_decide", "pay_progress",
                         "deliver", "install", "pay_final", "complete"],
    # a change order waiting for 审价, whatever the clock cut off the bulk change orders' histories
    "change_in_review": ["save", "upload", "submit", "drawing_pass", "price_pass", "sign", "pay_deposit", "produce",
                         "co_save", "co_upload", "co_submit", "co_drawing"],
    "cancelled_signed": ["save", "upload", "submit", "drawing_pass", "price_pass", "sign", "pay_deposit",
                         "cancel_signed"],
    "cancelled": ["save", "upload", "cancel"],
}


# --- the catalogue and the people, as the database has them ----------------------------------------


@dataclass(frozen=True)
class Product:
    id: int
    code: str
    name: str
    line: str          # line code
    style: str
    colour: str
    spec: str
    unit: str
    active: bool


@dataclass(frozen=True)
class PriceList:
    id: int
    valid_from: date
    valid_to: date | None
    prices: dict       # product id → list price

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Promotion:
    id: int
    line: str | None
    min_rate: Decimal
    valid_from: date
    valid_to: date
    active: bool

    def allows(self, product: Product, *days: date) -> bool:
        return self.active and self.line in (None, product.line) and all(
            self.valid_from <= d <= self.valid_to for d in days)


@dataclass(frozen=True)
class Package:
    id: int
    name: str
    price_list_id: int
    price: Decimal
    valid_from: date
    valid_to: date | None
    items: tuple       # (product id, quantity)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass
class Catalogue:
    products: dict                      # id → Product
    lists: list[PriceList]
    promotions: list[Promotion]
    packages: list[Package]
    checklist: list[tuple]              # (id, name, line code or None), in review order
    reasons: dict                       # name → id
    templates: dict                     # line code or None → [(id, created_at)] oldest first

    def price_list_on(self, day: date) -> PriceList | None:
        # the newest list valid that day (the current one, not the one a package still refers to)
        valid = [pl for pl in self.lists if pl.valid_on(day)]
        return max(valid, key=lambda pl: pl.valid_from) if valid else None

    def template_on(self, line: str | None, at: datetime) -> int:
        versions = self.templates.get(line) or self.templates[None]
        return [tid for tid, made in versions if made <= at][-1] if any(m <= at for _t, m in versions) \
            else versions[0][0]


def load_catalogue(cur) -> Catalogue | None:
    cur.execute("""SELECT p.id, p.code, p.name, l.code, p.style, p.colour, p.spec, p.unit, p.active
                     FROM yiwei.product p JOIN yiwei.product_line l ON l.id = p.line_id
                    WHERE p.code ~ '^(CG|YG|MM|DB|WY|RZ)[0-9]' ORDER BY p.id""")
    products = {row[0]: Product(*row) for row in cur.fetchall()}
    if not products:
        return None
    cur.execute("SELECT id, valid_from, valid_to FROM yiwei.price_list WHERE active AND code LIKE 'RETAIL-%' ORDER BY valid_from")
    lists = []
    for list_id, valid_from, valid_to in cur.fetchall():
        cur.execute("SELECT product_id, price FROM yiwei.price_list_item WHERE price_list_id = %s", (list_id,))
        lists.append(PriceList(list_id, valid_from, valid_to,
                               {pid: price for pid, price in cur.fetchall() if pid in products}))
    cur.execute("""SELECT pr.id, l.code, pr.min_rate, pr.valid_from, pr.valid_to, pr.active FROM yiwei.promotion pr
                     LEFT JOIN yiwei.product_line l ON l.id = pr.line_id ORDER BY pr.id""")
    promotions = [Promotion(*row) for row in cur.fetchall()]
    cur.execute("""SELECT k.id, k.name, k.price_list_id, k.price, k.valid_from, k.valid_to,
                          array_agg(ARRAY[i.product_id::numeric, i.quantity] ORDER BY i.product_id)
                     FROM yiwei.package k JOIN yiwei.package_item i ON i.package_id = k.id
                    WHERE k.active AND i.product_id = ANY (%s) GROUP BY k.id ORDER BY k.id""", (list(products),))
    packages = [Package(pid, name, pl, price, vf, vt, tuple((int(p), q) for p, q in items))
                for pid, name, pl, price, vf, vt, items in cur.fetchall()]
    cur.execute("""SELECT ci.id, ci.name, l.code FROM yiwei.checklist_item ci
                     LEFT JOIN yiwei.product_line l ON l.id = ci.line_id
                    WHERE ci.active ORDER BY ci.sort_order, ci.id""")
    checklist = cur.fetchall()
    cur.execute("SELECT name, id FROM yiwei.responsibility_reason WHERE active")
    reasons = dict(cur.fetchall())
    cur.execute("""SELECT l.code, t.id, t.created_at FROM yiwei.contract_template t
                     LEFT JOIN yiwei.product_line l ON l.id = t.line_id
                    WHERE t.active ORDER BY t.family_id, t.version""")
    templates = defaultdict(list)
    for line, tid, made in cur.fetchall():
        templates[line].append((tid, made))
    if None not in templates or not lists or not reasons:
        return None
    return Catalogue(products, lists, promotions, packages, checklist, reasons, dict(templates))


@dataclass
class People:
    directors: dict          # region code → the region director (who reviews)
    dispatchers: dict        # region code → the dispatcher (delivers, installs)
    finance: dict            # store id → the store's finance clerk (records payments)


def load_people(cur) -> People:
    cur.execute("""SELECT p.code, e.id, r.code, e.store_id FROM yiwei.employee e
                     JOIN yiwei.position p ON p.id = e.position_id
                     LEFT JOIN yiwei.region r ON r.id = e.region_id
                    WHERE e.active AND p.code IN ('region_director', 'dispatcher', 'store_finance') ORDER BY e.id""")
    people = People({}, {}, {})
    for position, emp_id, region, store_id in cur.fetchall():
        if position == "region_director":
            people.directors.setdefault(region, emp_id)
        elif position == "dispatcher":
            people.dispatchers.setdefault(region, emp_id)
        else:
            people.finance.setdefault(store_id, emp_id)
    return people


# --- planning -------------------------------------------------------------------------------------------


def money(value: Decimal) -> Decimal:
    """round(x, 2) as PostgreSQL rounds numeric (half away from zero)."""
    return value.quantize(CENT, ROUND_HALF_UP)


def payment_plan(total: Decimal, due_from: date, delivery: date | None) -> list[list]:
    """定金 30 % (in hundreds), 进度款 40 % on contracts of 30,000 and more, the rest as 尾款:
    [kind, amount, due_on, paid]."""
    deposit = (total * Decimal("0.3") / 100).to_integral_value(ROUND_FLOOR) * 100 or money(total * Decimal("0.3"))
    parts = [["deposit", deposit, due_from, Decimal(0)]]
    if total >= 30000:
        progress = (total * Decimal("0.4") / 100).to_integral_value(ROUND_FLOOR) * 100
        parts.append(["progress", progress, due_from + timedelta(days=10), Decimal(0)])
    delivery = delivery or due_from + timedelta(days=40)
    parts.append(["final", total - sum(p[1] for p in parts), delivery + timedelta(days=7), Decimal(0)])
    return parts


@dataclass
class Line:
    product: Product
    quantity: Decimal
    list_price: Decimal
    rate: Decimal
    price: Decimal
    amount: Decimal
    package_id: int | None = None
    promotion_id: int | None = None
    note: str = ""


class History:
    """A document's steps as (name, moment) in time order; its status is where the last step that
    moves it left it."""

    events: list
    STATUS_AFTER: dict

    @property
    def status(self) -> str:
        status = "draft"
        for name, _at in self.events:
            status = self.STATUS_AFTER.get(name, status)
        return status

    def at(self, name: str) -> datetime | None:
        """The moment of the step's last occurrence (None if it never happened)."""
        return next((at for n, at in reversed(self.events) if n == name), None)


@dataclass
class ChangePlan(History):
    id: int = 0
    kind: str = "change"
    reason: str = ""
    lines: list = field(default_factory=list)    # Line (quantity may be negative)
    events: list = field(default_factory=list)   # (name, moment)
    party: str | None = None
    reason_id: int | None = None
    number: str = ""
    STATUS_AFTER = CO_STATUS_AFTER


@dataclass
class ContractPlan(History):
    customer_id: int
    store: Store
    guide_id: int
    designer_id: int | None
    region: str
    created_at: datetime
    id: int = 0
    price_list: PriceList | None = None
    template_id: int | None = None
    lines: list = field(default_factory=list)
    payments: list = field(default_factory=list)   # [kind, amount, due_on, paid]
    events: list = field(default_factory=list)     # (name, moment), in time order, the contract's history
    expected_delivery_on: date | None = None
    note: str = ""
    cancel_reason: str | None = None
    changes: list = field(default_factory=list)
    number: str = ""
    checked: bool = False
    package: Package | None = None   # checked contracts: the package applied after saving
    STATUS_AFTER = STATUS_AFTER

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def list_total(self) -> Decimal:
        return sum((money(line.list_price * line.quantity) for line in self.lines), Decimal(0))


class Planner:
    def __init__(self, rng: random.Random, company: DemoCompany, cat: Catalogue, people: People):
        self.rng = rng
        self.company = company
        self.cat = cat
        self.people = people
        self.zone = company.zone

    def day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    # timing ------------------------------------------------------------------------------------------

    def forward(self, start: datetime, names: list[str], limit: datetime) -> list[tuple[str, datetime]]:
        """Steps after `start` at their typical gaps, squeezed to end before `limit`."""
        gaps = [self.rng.uniform(*GAPS[n]) for n in names]
        span = (limit - start).total_seconds() / 86400
        if gaps and sum(gaps) > span * 0.98:
            factor = span * 0.98 / sum(gaps)
            gaps = [g * factor for g in gaps]
        events, at = [], start
        for name, gap in zip(names, gaps):
            at = at + timedelta(days=gap)
            events.append((name, at))
        return events

    def between(self, start: datetime, end: datetime, names: list[str]) -> list[tuple[str, datetime]]:
        """Steps spread over (start, end), in order."""
        span = (end - start).total_seconds()
        points = sorted(self.rng.uniform(0.05, 0.95) * span for _ in names)
        return [(n, start + timedelta(seconds=p)) for n, p in zip(names, points)]

    def review_steps(self, target: str) -> list[str]:
        """The steps from the first upload to `target` (a pre-signing state), with now and then a
        review that sent it back first."""
        steps = list(PRE_SIGN_STEPS[target])
        if target in ("submitted", "drawing_passed", "price_passed") and self.rng.random() < RETURN_SHARE:
            steps[2:2] = ["drawing_fail", "upload", "submit"]
        if target == "price_passed" and self.rng.random() < RETURN_SHARE / 3:
            steps = steps[:-1] + ["price_fail", "upload", "submit", "drawing_pass", "price_pass"]
        if target == "returned" and self.rng.random() < 0.3:  # sent back by the price review
            steps = ["upload", "submit", "drawing_pass", "price_fail"]
        return steps

    # lines -----------------------------------------------------------------------------------------------

    def quantity(self, product: Product) -> Decimal:
        rng = self.rng
        if product.unit == "米":
            low, high = (20, 80) if product.line == "DB" else (1.2, 6.0)
            return Decimal(str(round(rng.uniform(low, high), 2)))
        if product.unit == "㎡":
            low, high = (15, 120) if product.line == "DB" else (1.5, 12)
            return Decimal(str(round(rng.uniform(low, high), 2)))
        if product.unit == "樘":
            return Decimal(rng.randint(1, 6))
        return Decimal(rng.choice([1, 1, 1, 2, 2, 3]))

    def line(self, product: Product, price_list: PriceList, days: tuple[date, ...], *, limit: Decimal = GUIDE_LIMIT,
             quantity: Decimal | None = None) -> Line:
        rng = self.rng
        list_price = price_list.prices[product.id]
        promotions = [p for p in self.cat.promotions if p.allows(product, *days)]
        promotion = rng.choice(promotions) if promotions and rng.random() < 0.6 else None
        if promotion:
            rate = Decimal(rng.randint(int(promotion.min_rate * 100), 89)) / 100
        else:
            rate = Decimal(rng.choice(["1", "1", "0.98", "0.95", "0.92", "0.9"])).max(limit)
        # never below the rate granted: the price is rounded up to the cent
        price = (list_price * rate).quantize(CENT, ROUND_CEILING)
        assert promotion or price / list_price >= limit
        quantity = quantity if quantity is not None else self.quantity(product)
        return Line(product, quantity, list_price, (price / list_price).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                    price, money(price * quantity), promotion_id=promotion.id if promotion else None)

    def lines(self, price_list: PriceList, days: tuple[date, ...], *, package: bool = True) -> list[Line]:
        """Products of a main line and a few of others; now and then a package."""
        rng = self.rng
        main = rng.choices([c for c, _w in MAIN_LINES], [w for _c, w in MAIN_LINES])[0]
        on_list = [self.cat.products[pid] for pid in price_list.prices]
        deal = None
        if package:
            deals = [k for k in self.cat.packages if k.price_list_id == price_list.id and all(k.valid_on(d) for d in days)]
            deal = rng.choice(deals) if deals and rng.random() < PACKAGE_SHARE else None
        in_deal = {pid for pid, _q in deal.items} if deal else set()
        mains = [p for p in on_list if p.line == main and p.id not in in_deal]
        others = [p for p in on_list if p.line != main and p.id not in in_deal]
        chosen = rng.sample(mains, min(len(mains), rng.choice([2, 3, 4, 4, 5, 6, 7, 8, 10, 12])))
        chosen += rng.sample(others, min(len(others), rng.choice([0, 0, 0, 1, 1, 2, 3])))
        result = [self.line(p, price_list, days) for p in chosen]
        if deal:
            result += self.package_lines(deal, price_list)
        return result

    def package_lines(self, deal: Package, price_list: PriceList) -> list[Line]:
        """The package's products sharing its price as yiwei.apply_package shares it: by list value,
        cents by the largest remainder, ties by product code; ordered by code."""
        items = sorted(((self.cat.products[pid], qty) for pid, qty in deal.items), key=lambda i: (i[0].code, i[0].id))
        values = [money(price_list.prices[p.id] * qty) for p, qty in items]
        cents = int(deal.price * 100)
        exact = [Decimal(cents) * v / sum(values) for v in values]
        base = [int(e.to_integral_value(ROUND_FLOOR)) for e in exact]
        order = sorted(range(len(items)), key=lambda i: (-(exact[i] - base[i]), items[i][0].code, items[i][0].id))
        for i in order[:cents - sum(base)]:
            base[i] += 1
        result = []
        for (product, qty), share in zip(items, base):
            amount = Decimal(share) / 100
            price = money(amount / qty)
            list_price = price_list.prices[product.id]
            rate = min((price / list_price).quantize(Decimal("0.0001"), ROUND_HALF_UP), Decimal("9.9999"))
            result.append(Line(product, qty, list_price, rate, price, amount.quantize(CENT), package_id=deal.id,
                               note=f"套餐：{deal.name}"))
        return result

    # whole contracts --------------------------------------------------------------------------------------

    def contract(self, customer, created: datetime) -> ContractPlan:
        """A contract of the customer's store, guide and designer (as save_contract makes it)."""
        cid, store_id, guide_id, designer_id = customer[:4]
        store = self.company.store(store_id)
        return ContractPlan(cid, store, guide_id, designer_id, store.region, created, note=self.rng.choice(NOTES))

    def finish(self, plan: ContractPlan, *, lines: bool = True) -> None:
        """Price list, lines, template, delivery date and payment plan for the plan's history."""
        rng = self.rng
        created_day = self.day(plan.created_at)
        submitted = plan.at("submit")
        days = (created_day,) + ((self.day(submitted),) if submitted else ())
        plan.price_list = plan.price_list or self.cat.price_list_on(created_day)
        if lines:
            plan.lines = self.lines(plan.price_list, days)
        lines_by = defaultdict(Decimal)
        for line in plan.lines:
            lines_by[line.product.line] += line.amount
        main = max(lines_by, key=lines_by.get)
        general = len(lines_by) > 1 and rng.random() < 0.6
        plan.template_id = self.cat.template_on(None if general else main, plan.created_at)
        signed = plan.at("sign")
        start = self.day(signed) if signed else created_day
        plan.expected_delivery_on = plan.expected_delivery_on or start + timedelta(days=rng.randint(30, 45))
        if plan.status != "draft" or rng.random() < 0.7:  # a draft may not have its plan yet
            plan.payments = payment_plan(plan.total, start, plan.expected_delivery_on)
        self.pay(plan)

    def pay(self, plan: ContractPlan) -> None:
        """What was paid by now: the deposit at signing, progress in production, the rest on
        installation; some customers pay the deposit when the price is agreed."""
        if not plan.payments:
            return
        done = {name for name, _at in plan.events}
        for part in plan.payments:
            kind = part[0]
            if (kind == "deposit" and ("pay_deposit" in done or (plan.status == "price_passed" and self.rng.random() < 0.3))) \
                    or (kind == "progress" and "pay_progress" in done) or (kind == "final" and "pay_final" in done):
                part[3] = part[1]

    def signed_contract(self, customer, signed_at: datetime, now: datetime) -> ContractPlan:
        """The contract a signed customer signed at `signed_at`, as far as it has come since."""
        rng = self.rng
        created_floor = customer[5] + timedelta(hours=1)
        created = max(signed_at - timedelta(days=rng.uniform(2, 18)),
                      min(created_floor, customer[5] + (signed_at - customer[5]) * 0.2))
        plan = self.contract(customer, created)
        plan.events = self.between(created, signed_at, self.review_steps("price_passed")) + [("sign", signed_at)]
        plan.events.append(("pay_deposit", signed_at + timedelta(minutes=rng.randint(5, 60))))
        after = self.forward(signed_at, POST_SIGN, signed_at + timedelta(days=80))
        plan.expected_delivery_on = self.day(next(at for n, at in after if n == "deliver")) + \
            timedelta(days=rng.choice([0, 1, 2, 3, -1]))
        plan.events += [(n, at) for n, at in after if at <= now]
        if plan.status in ("signed", "in_production") and rng.random() < SIGNED_CANCEL_SHARE:
            cancel_at = plan.events[-1][1] + (now - plan.events[-1][1]) * rng.uniform(0.2, 0.9)
            plan.events.append(("cancel_signed", cancel_at))
            plan.cancel_reason = rng.choice(CANCEL_AFTER)
        plan.events = [(n, at) for n, at in plan.events if at <= now]
        self.finish(plan)
        if plan.status in ("signed", "in_production", "delivered", "installed", "completed") \
                and rng.random() < CHANGE_ORDER_SHARE:
            self.change_order(plan, now)
        return plan

    def presign_contract(self, customer, target: str, now: datetime) -> ContractPlan:
        rng = self.rng
        floor = customer[5] + timedelta(hours=2)
        created = max(now - timedelta(days=rng.uniform(0.5, 50)), floor)
        plan = self.contract(customer, created)
        if target == "cancelled":
            before = rng.choice(["draft", "submitted", "returned"])
            steps = self.review_steps(before) + ["cancel"]
            plan.cancel_reason = rng.choice(CANCEL_BEFORE)
        else:
            steps = self.review_steps(target)
            if target == "draft" and rng.random() < 0.5:
                steps = ["upload"]
        plan.events = self.forward(created, steps, now - timedelta(minutes=30))
        self.finish(plan)
        return plan

    def change_order(self, plan: ContractPlan, now: datetime) -> None:
        """A change or supplement order of a signed contract, by the store manager."""
        rng = self.rng
        signed = plan.at("sign")
        end = min(now, plan.at("install") or now) - timedelta(minutes=30)
        if end <= signed + timedelta(days=1):
            return
        kind, party, reason_name, text = rng.choice(CHANGE_REASONS)
        colours = ["暖白", "胡桃木", "橡木灰", "奶咖"]
        co = ChangePlan(kind=kind, party=party, reason_id=self.cat.reasons.get(reason_name))
        on_contract = [line for line in plan.lines if line.package_id is None and line.quantity >= 1]
        extra = [self.cat.products[pid] for pid in plan.price_list.prices]
        product = rng.choice(extra)
        co.reason = text.format(colour=rng.choice(colours), item=product.name)
        days = (self.day(signed),)
        add = self.line(product, plan.price_list, days, limit=Decimal("0.85"), quantity=Decimal(1))
        if add.promotion_id:  # change orders know no promotions: priced at the manager's own limit at most
            add = Line(product, add.quantity, add.list_price, Decimal("0.95"),
                       (add.list_price * Decimal("0.95")).quantize(CENT, ROUND_CEILING), Decimal(0))
            add.amount = money(add.price * add.quantity)
            add.rate = (add.price / add.list_price).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        co.lines.append(add)
        if kind == "change" and on_contract and rng.random() < 0.7:
            old = rng.choice(on_contract)
            same = [ln for ln in plan.lines if ln.product.id == old.product.id]
            paid = money(sum(ln.amount for ln in same) / sum(ln.quantity for ln in same))
            co.lines.insert(0, Line(old.product, Decimal(-1), old.list_price, Decimal(0), paid, money(-paid)))
        target = "approved" if plan.status == "completed" or rng.random() < 0.55 else \
            rng.choice(["draft", "submitted", "drawing_passed", "returned", "cancelled"])
        steps = {"draft": [], "submitted": ["co_upload", "co_submit"],
                 "drawing_passed": ["co_upload", "co_submit", "co_drawing"],
                 "returned": ["co_upload", "co_submit", "co_drawing_fail"],
                 "approved": ["co_upload", "co_submit", "co_drawing", "co_price"],
                 "cancelled": ["co_cancel"]}[target]
        if target == "approved" and rng.random() < 0.2:
            steps = ["co_upload", "co_submit", "co_drawing_fail", "co_upload", "co_submit", "co_drawing", "co_price"]
        # responsibility is decided while the order is open or once approved, never after cancelling
        if target not in ("draft", "cancelled") and co.reason_id and rng.random() < 0.85:
            steps.insert(rng.randint(1, len(steps)), "co_decide")
        start = signed + (end - signed) * rng.uniform(0.05, 0.5)
        co.events = [("co_save", start)] + self.forward(start, steps, end)
        if "co_decide" not in {n for n, _a in co.events}:
            co.party = co.reason_id = None
        plan.changes.append(co)


def _customers(cur) -> dict:
    cur.execute("""SELECT c.id, c.store_id, c.guide_id, c.designer_id, c.stage, c.created_at, c.signed_at, c.lead_id
                     FROM yiwei.customer c
                    WHERE c.status = 'active' AND c.stage IN ('signed', 'quoted', 'designing', 'lost')
                      AND NOT EXISTS (SELECT 1 FROM yiwei.contract k WHERE k.customer_id = c.id)
                    ORDER BY c.id""")
    by_stage = defaultdict(list)
    for row in cur.fetchall():
        by_stage[row[4]].append(row)
    return by_stage


@business_seeder("orders")
def seed_orders(cur, rng: random.Random, scale: int) -> int:
    cur.execute("SELECT count(*) FROM yiwei.contract")
    if cur.fetchone()[0] > 0:
        return 0
    require_superuser(cur)
    company = load_company(cur)
    cat = load_catalogue(cur)
    if cat is None:
        return 0
    people = load_people(cur)
    planner = Planner(rng, company, cat, people)
    now = company.now
    customers = _customers(cur)
    contract_numbers = Numbering(cur, "HT", company.zone)   # as before the checked steps issue any
    change_numbers = Numbering(cur, "GB", company.zone)

    # the checked contracts: quoted customers with a designer and no channel lead (signing one
    # converts a protected lead at the time it runs, which is today)
    candidates = [c for c in customers["quoted"] if c[3] is not None and c[7] is None
                  and c[5] < now - timedelta(days=70)]
    rng.shuffle(candidates)
    checked, used = [], set()
    names = list(SCENARIOS)
    for k in range(CHECKED_PER_STORE * scale):
        for s, store in enumerate(company.stores):
            customer = next((c for c in candidates if c[1] == store.id and c[0] not in used), None)
            if customer is None or store.manager is None or store.region not in people.directors:
                continue
            used.add(customer[0])
            checked.append(_plan_checked(planner, customer, names[(s * CHECKED_PER_STORE + k) % len(names)], now))
    _run_checked(cur, company, cat, people, checked)

    plans = []
    for customer in customers["signed"]:
        if customer[6] is None or customer[0] in used:
            continue
        first = planner.signed_contract(customer, customer[6], now)
        plans.append(first)
        # a second order (doors, floors …) once the first is in production
        later_start = first.at("produce")
        if later_start and later_start < now - timedelta(days=3) and rng.random() < SECOND_CONTRACT_SHARE:
            created = later_start + (now - later_start) * rng.uniform(0.1, 0.6)
            sign_at = created + timedelta(days=rng.uniform(3, 15))
            second = planner.signed_contract(customer, sign_at, now) if sign_at < now - timedelta(hours=2) else \
                planner.presign_contract(customer, rng.choice(["draft", "submitted", "price_passed"]), now)
            if second.created_at > first.created_at:
                plans.append(second)
    for stage, share in (("quoted", QUOTED_CONTRACT_SHARE), ("designing", DESIGNING_CONTRACT_SHARE),
                         ("lost", LOST_CONTRACT_SHARE)):
        for customer in customers[stage]:
            if customer[0] in used or rng.random() >= share or (stage == "lost" and customer[3] is None):
                continue
            # quoted: anywhere before signing; designing: a first draft; lost: given up
            target = rng.choices([s for s, _w in PRESIGN], [w for _s, w in PRESIGN])[0] if stage == "quoted" \
                else "draft" if stage == "designing" else "cancelled"
            plans.append(planner.presign_contract(customer, target, now))

    ids = prefetch_ids(cur, "contract", len(plans))
    for plan, new_id in zip(plans, ids):
        plan.id = new_id
    changes = [co for plan in plans for co in plan.changes]
    for co, new_id in zip(changes, prefetch_ids(cur, "change_order", len(changes))):
        co.id = new_id
    everything = plans + [p for p in checked if p.id]
    for plan in sorted(everything, key=lambda p: (p.created_at, p.id)):
        plan.number = contract_numbers.take(plan.store, plan.created_at)
    all_changes = [(co, plan) for plan in everything for co in plan.changes if co.id]
    for co, plan in sorted(all_changes, key=lambda x: (x[0].events[0][1], x[0].id)):
        co.number = change_numbers.take(plan.store, co.events[0][1])
    with replica(cur):
        _back_date(cur, company, [p for p in checked if p.id])
        _write(cur, rng, company, cat, people, plans)
        sync_counters(cur, "contract", "HT")
        sync_counters(cur, "change_order", "GB")
    return len(everything)


# --- the checked contracts --------------------------------------------------------------------------------


def _plan_checked(planner: Planner, customer, scenario: str, now: datetime) -> ContractPlan:
    """A timeline for a scenario, ending a little before now, within the current price list."""
    rng = planner.rng
    steps = SCENARIOS[scenario]
    gaps = [rng.uniform(*GAPS.get(step, (0.3, 2))) for step in steps[1:]]
    span = min(sum(gaps) + rng.uniform(0.5, 8), 110)
    created = max(now - timedelta(days=span), customer[5] + timedelta(hours=2))
    plan = planner.contract(customer, created)
    plan.checked = True
    plan.events = [(steps[0], created)] + planner.forward(created, steps[1:], now - timedelta(hours=2))
    plan.cancel_reason = rng.choice(CANCEL_AFTER if "cancel_signed" in steps else CANCEL_BEFORE)
    # the checked functions price against today; the contract was made on its own days
    current = planner.cat.price_list_on(planner.company.today)
    plan.price_list = current
    days = (planner.company.today, planner.day(created)) + \
        ((planner.day(plan.at("submit")),) if plan.at("submit") else ())
    plan.lines = planner.lines(current, days, package=False)
    signed = plan.at("sign")
    plan.expected_delivery_on = (planner.day(plan.at("deliver")) if plan.at("deliver") else None) or \
        planner.day(signed or created) + timedelta(days=rng.randint(30, 45))
    if scenario == "draft_package":
        plan.package = next((k for k in planner.cat.packages if k.price_list_id == current.id
                             and k.valid_on(planner.company.today) and k.valid_on(planner.day(created))), None)
    if "co_save" in steps:
        co = ChangePlan(kind="supplement", party="customer", reason_id=planner.cat.reasons.get("客户变更需求"))
        co.events = [(n, at) for n, at in plan.events if n.startswith("co_")]
        plan.changes.append(co)
    return plan


def _run_checked(cur, company: DemoCompany, cat: Catalogue, people: People, plans: list[ContractPlan]) -> None:
    """Each scenario as the people who do it, in the order of its steps (the contracts are
    independent of each other)."""
    staff = Employees(cur, company)

    def ver(table: str, row_id: int) -> int:
        # read as the installer: not everyone who takes a step may read the row (the dispatcher)
        staff.reset()
        cur.execute(f"SELECT version FROM yiwei.{table} WHERE id = %s", (row_id,))
        return cur.fetchone()[0]

    all_items = [{"item_id": item_id, "ok": True} for item_id, _n, _l in cat.checklist]
    try:
        for plan in plans:
            store = plan.store
            director, manager = people.directors[plan.region], store.manager
            designer = plan.designer_id or plan.guide_id
            finance = people.finance.get(store.id, manager)
            dispatcher = people.dispatchers.get(plan.region, manager)
            uploads = 0
            for name, _at in plan.events:
                if name in ("save", "save_package"):
                    lines = [{"product_id": ln.product.id, "quantity": str(ln.quantity), "price": str(ln.price),
                              **({"promotion_id": ln.promotion_id} if ln.promotion_id else {}), "note": ln.note}
                             for ln in plan.lines]
                    payload = {"customer_id": plan.customer_id, "price_list_id": plan.price_list.id,
                               "template_id": cat.template_on(None, company.now) if len(
                                   {ln.product.line for ln in plan.lines}) > 1 else
                               cat.template_on(plan.lines[0].product.line, company.now),
                               "expected_delivery_on": (company.today + timedelta(days=40)).isoformat(),
                               "note": plan.note, "lines": lines}
                    plan.id = staff.call(plan.guide_id, "SELECT yiwei.save_contract(NULL, NULL, %s)",
                                         (json.dumps(payload, ensure_ascii=False),))
                    if plan.package:
                        staff.call(plan.guide_id, "SELECT yiwei.apply_package(%s, %s, %s)",
                                   (plan.id, ver("contract", plan.id), plan.package.id))
                    staff.reset()
                    cur.execute("SELECT total FROM yiwei.contract WHERE id = %s", (plan.id,))
                    total = cur.fetchone()[0]
                    parts = payment_plan(total, company.today + timedelta(days=7), company.today + timedelta(days=40))
                    payments = [{"kind": k, "amount": str(a), "due_on": d.isoformat()} for k, a, d, _p in parts]
                    staff.call(plan.guide_id, "SELECT yiwei.save_contract(%s, %s, %s)",
                               (plan.id, ver("contract", plan.id), json.dumps({"payments": payments})))
                elif name == "upload":
                    uploads += 1
                    _upload(staff, designer, plan, uploads)
                elif name == "submit":
                    staff.call(plan.guide_id, "SELECT yiwei.submit_contract(%s, %s)", (plan.id, ver("contract", plan.id)))
                elif name in ("drawing_pass", "drawing_fail"):
                    passed = name == "drawing_pass"
                    items = all_items if passed else [{**all_items[0], "ok": False, "note": "未标注"}] + all_items[1:]
                    staff.call(director, "SELECT yiwei.review_drawing(%s, %s, %s, %s, %s)",
                               (plan.id, ver("contract", plan.id), passed, "" if passed else DRAWING_RETURNS[plan.id % len(DRAWING_RETURNS)],
                                json.dumps(items)))
                elif name in ("price_pass", "price_fail"):
                    passed = name == "price_pass"
                    staff.call(director, "SELECT yiwei.review_price(%s, %s, %s, %s)",
                               (plan.id, ver("contract", plan.id), passed, "" if passed else PRICE_RETURNS[0]))
                elif name == "sign":
                    staff.call(manager, "SELECT yiwei.sign_contract(%s, %s)", (plan.id, ver("contract", plan.id)))
                elif name.startswith("pay_"):
                    kind = name[4:]
                    cur.execute("SELECT seq, amount FROM yiwei.contract_payment WHERE contract_id = %s AND kind = %s",
                                (plan.id, kind))
                    for seq, amount in cur.fetchall():
                        staff.call(finance, "SELECT yiwei.record_contract_payment(%s, %s, %s)", (plan.id, seq, amount))
                elif name in ("produce", "complete"):
                    status = "in_production" if name == "produce" else "completed"
                    staff.call(manager, "SELECT yiwei.advance_contract(%s, %s, %s)", (plan.id, ver("contract", plan.id), status))
                elif name in ("deliver", "install"):
                    status = "delivered" if name == "deliver" else "installed"
                    staff.call(dispatcher, "SELECT yiwei.advance_contract(%s, %s, %s)", (plan.id, ver("contract", plan.id), status))
                elif name in ("cancel", "cancel_signed"):
                    who = manager if name == "cancel_signed" else plan.guide_id
                    staff.call(who, "SELECT yiwei.cancel_contract(%s, %s, %s)",
                               (plan.id, ver("contract", plan.id), plan.cancel_reason))
                elif name.startswith("co_"):
                    _change_step(staff, ver, plan, name, manager, director, designer, uploads)
                    if name == "co_upload":
                        uploads += 1
    finally:
        staff.reset()


def _design(plan: ContractPlan, version: int, title: str) -> tuple[bytes, str, str]:
    """The design file of a version: every third one a PNG sketch, the others a PDF plan
    (the same bytes however often it is asked for)."""
    rng = random.Random(plan.customer_id * 100 + version)
    line = plan.lines[0].product.line if plan.lines else "CG"
    if version % 3 == 2:
        return sketch_png(rng), f"立面草图 v{version}.png", "image/png"
    return plan_pdf(rng, title, version, line), f"设计平面图 v{version}.pdf", "application/pdf"


def _upload(staff: Employees, who: int, plan: ContractPlan, version: int) -> None:
    data, name, kind = _design(plan, version, f"Design, customer {plan.customer_id}")
    staff.call(who, "SELECT yiwei.upload_design_file(%s, %s, %s, %s)", (plan.id, name, kind, data))


def _change_step(staff, ver, plan, name, manager, director, designer, uploads) -> None:
    co = plan.changes[0]
    if name == "co_save":
        # one more of the contract's first product, and a product taken off if the contract has a
        # whole unit of one
        add = plan.lines[0].product
        lines = [{"product_id": add.id, "quantity": "1", "note": "客户追加"}]
        whole = next((ln for ln in plan.lines if ln.quantity >= 1 and ln.package_id is None and ln.product.id != add.id),
                     None)
        if whole:
            lines.append({"product_id": whole.product.id, "quantity": "-1", "note": "取消"})
        co.reason = f"客户追加{add.name}"
        co.id = staff.call(manager, "SELECT yiwei.save_change_order(NULL, NULL, %s)",
                           (json.dumps({"contract_id": plan.id, "kind": "supplement", "reason": co.reason,
                                        "lines": lines}, ensure_ascii=False),))
    elif name == "co_upload":
        _upload(staff, designer, plan, uploads + 1)
    elif name == "co_submit":
        staff.call(manager, "SELECT yiwei.submit_change_order(%s, %s)", (co.id, ver("change_order", co.id)))
    elif name in ("co_drawing", "co_price"):
        staff.call(director, "SELECT yiwei.review_change_order(%s, %s, true, '', NULL)", (co.id, ver("change_order", co.id)))
    elif name == "co_decide":
        staff.call(manager, "SELECT yiwei.determine_responsibility(%s, %s, %s, %s, %s)",
                   (co.id, ver("change_order", co.id), co.party, co.reason_id, DECISION_NOTES[co.party]))


def _back_date(cur, company: DemoCompany, plans: list[ContractPlan]) -> None:
    """Move the checked contracts, their files, reviews and change orders to the moments they
    happened; their customers signed then (inside ``replica``)."""
    followups = []
    # numbers issued today first step aside: a back-dated number may be another's today
    cur.execute("UPDATE yiwei.contract SET number = '~' || id WHERE id = ANY (%s)", ([p.id for p in plans],))
    cur.execute("UPDATE yiwei.change_order SET number = '~' || id WHERE id = ANY (%s)",
                ([co.id for p in plans for co in p.changes if co.id],))
    for plan in plans:
        events = plan.events
        at = dict((n, a) for n, a in events)   # the last moment of each step
        cur.execute("""UPDATE yiwei.contract SET number = %s, created_at = %s, updated_at = %s,
                              submitted_at = CASE WHEN submitted_at IS NOT NULL THEN %s::timestamptz END,
                              signed_at = CASE WHEN signed_at IS NOT NULL THEN %s::timestamptz END,
                              completed_at = CASE WHEN completed_at IS NOT NULL THEN %s::timestamptz END,
                              cancelled_at = CASE WHEN cancelled_at IS NOT NULL THEN %s::timestamptz END,
                              expected_delivery_on = %s
                        WHERE id = %s""",
                    (plan.number, plan.created_at, events[-1][1], at.get("submit"), at.get("sign"), at.get("complete"),
                     at.get("cancel") or at.get("cancel_signed"), plan.expected_delivery_on, plan.id))
        uploads = [a for n, a in events if n in ("upload", "co_upload")]
        reviews = [a for n, a in events if n in ("drawing_pass", "drawing_fail", "price_pass", "price_fail",
                                                 "co_drawing", "co_price")]
        for table, key, moments, column in (("design_file", "version", uploads, "uploaded_at"),
                                            ("contract_review", "id", reviews, "created_at")):
            cur.execute(f"SELECT id FROM yiwei.{table} WHERE contract_id = %s ORDER BY {key}", (plan.id,))
            for (row_id,), moment in zip(cur.fetchall(), moments):
                cur.execute(f"UPDATE yiwei.{table} SET {column} = %s WHERE id = %s", (moment, row_id))
        for co in plan.changes:
            if co.id:
                cur.execute("""UPDATE yiwei.change_order SET created_at = %s, updated_at = %s,
                                      submitted_at = CASE WHEN submitted_at IS NOT NULL THEN %s::timestamptz END,
                                      approved_at = CASE WHEN approved_at IS NOT NULL THEN %s::timestamptz END,
                                      decided_at = CASE WHEN decided_at IS NOT NULL THEN %s::timestamptz END
                                WHERE id = %s""",
                            (at.get("co_save"), max(a for n, a in events if n.startswith("co_")), at.get("co_submit"),
                             at.get("co_price"), at.get("co_decide"), co.id))
                cur.execute("UPDATE yiwei.change_order SET number = %s WHERE id = %s", (co.number, co.id))
        # the plan's dates as agreed on the day it was made (saving stamped them from today)
        start = (at.get("sign") or plan.created_at + timedelta(days=7)).astimezone(company.zone).date()
        cur.execute("""UPDATE yiwei.contract_payment
                          SET due_on = CASE kind WHEN 'deposit' THEN %s::date WHEN 'progress' THEN %s::date
                                                 ELSE %s::date END
                        WHERE contract_id = %s""",
                    (start, start + timedelta(days=10), plan.expected_delivery_on + timedelta(days=7), plan.id))
        signed = at.get("sign")
        if signed:
            cur.execute("""UPDATE yiwei.customer SET signed_at = %s, next_contact_on = NULL,
                                  last_followup_at = greatest(last_followup_at, %s), updated_at = greatest(%s, created_at)
                            WHERE id = %s RETURNING store_id, guide_id, designer_id""",
                        (signed, signed, signed, plan.customer_id))
            store_id, guide_id, designer_id = cur.fetchone()
            followups.append((plan.customer_id, store_id, guide_id, designer_id, guide_id, "visit",
                              f"客户到店签订合同 {plan.number}，约定 {plan.expected_delivery_on:%m月%d日} 前交货", signed,
                              None, signed, company.roles[guide_id]))
    copy_rows(cur, "customer_followup", ["customer_id", "store_id", "guide_id", "designer_id", "author_id", "kind",
                                         "content", "contacted_at", "next_contact_on", "created_at", "created_by"],
              followups)


# --- writing the bulk ----------------------------------------------------------------------------------


def _checklist(cat: Catalogue, lines: list[Line], failed: str | None = None) -> str:
    """The checklist as yiwei.checked_checklist records it: every active item of all lines or of a
    product line on the contract; a returned review leaves one item unticked."""
    on = {ln.product.line for ln in lines}
    items = [(i, n) for i, n, line in cat.checklist if line is None or line in on]
    bad = items[sum(map(ord, failed)) % len(items)][0] if failed else None
    return json.dumps([{"item_id": i, "name": n, "ok": i != bad, "note": failed if i == bad else ""} for i, n in items],
                      ensure_ascii=False)


def _lowest_rate(cat: Catalogue, lines: list[Line], on: date) -> Decimal | None:
    """yiwei.contract_lowest_unexplained_rate: the lowest rate no package or valid promotion explains."""
    promotions = {p.id: p for p in cat.promotions}
    rates = [ln.price / ln.list_price for ln in lines if ln.package_id is None and not (
        ln.promotion_id and promotions[ln.promotion_id].allows(ln.product, on)
        and ln.price / ln.list_price >= promotions[ln.promotion_id].min_rate)]
    return min(rates).quantize(Decimal("0.000001"), ROUND_HALF_UP) if rates else None


def _write(cur, rng, company: DemoCompany, cat: Catalogue, people: People, plans: list[ContractPlan]) -> None:
    roles = company.roles
    contracts, lines, payments, files, reviews, changes, change_lines = [], [], [], [], [], [], []
    paid_parts = []   # (contract, seq) paid in full, once approved change orders have moved the plan
    zone = company.zone
    for plan in plans:
        store, status = plan.store, plan.status
        director = people.directors.get(plan.region)
        manager = store.manager or plan.guide_id
        dispatcher = people.dispatchers.get(plan.region, manager)
        actor = {"upload": plan.designer_id or plan.guide_id, "submit": plan.guide_id, "sign": manager,
                 "produce": manager, "complete": manager, "deliver": dispatcher, "install": dispatcher,
                 "cancel": plan.guide_id, "cancel_signed": manager, "pay_deposit": people.finance.get(store.id, manager),
                 "pay_progress": people.finance.get(store.id, manager), "pay_final": people.finance.get(store.id, manager)}
        last_actor = plan.guide_id
        version, file_no, submitted_on = 1, 0, plan.created_at.astimezone(zone).date()
        for name, at in plan.events:
            version += 1
            if name.startswith(("drawing", "price")):
                last_actor = director
                passed = name.endswith("pass")
                comment = "" if passed else rng.choice(DRAWING_RETURNS if name.startswith("drawing") else PRICE_RETURNS)
                if name.startswith("drawing"):
                    reviews.append((plan.id, None, store.id, "drawing", director, passed, comment,
                                    _checklist(cat, plan.lines, None if passed else comment), None, at))
                else:
                    reviews.append((plan.id, None, store.id, "price", director, passed, comment, "[]",
                                    _lowest_rate(cat, plan.lines, submitted_on), at))
                continue
            if name == "submit":
                submitted_on = at.astimezone(zone).date()
            if name == "upload":
                file_no += 1
                files.append(_file_row(plan, file_no, actor["upload"], at))
            last_actor = actor.get(name, last_actor)
        for co in plan.changes:
            row, co_lines, co_reviews, co_files, file_no = _change_rows(roles, plan, co, manager, director, file_no)
            changes.append(row)
            change_lines += co_lines
            reviews += co_reviews
            files += co_files
        contracts.append((plan.id, plan.number, plan.customer_id, store.id, plan.guide_id, plan.designer_id,
                          plan.price_list.id, plan.template_id, status, plan.expected_delivery_on, plan.list_total,
                          plan.total, plan.note, plan.at("submit"), plan.at("sign"), plan.at("complete"),
                          plan.at("cancel") or plan.at("cancel_signed"),
                          plan.cancel_reason if status == "cancelled" else None, version, plan.created_at,
                          roles[plan.guide_id], plan.events[-1][1] if plan.events else plan.created_at,
                          roles[last_actor]))
        for no, ln in enumerate(plan.lines, start=1):
            p = ln.product
            lines.append((plan.id, store.id, no, p.id, p.code, p.name, p.style, p.colour, p.spec, p.unit, ln.quantity,
                          ln.list_price, ln.rate, ln.price, ln.amount, ln.package_id, ln.promotion_id, ln.note))
        for seq, (kind, amount, due_on, paid) in enumerate(plan.payments, start=1):
            payments.append((plan.id, seq, store.id, kind, amount, due_on, Decimal(0)))
            if paid:
                paid_parts.append((plan.id, seq))
    # one current design file per contract: its latest version
    latest = {}
    for row in files:
        latest[row[0]] = max(latest.get(row[0], 0), row[2])
    files = [row[:8] + (row[2] == latest[row[0]],) + row[8:] for row in files]
    copy_rows(cur, "contract", [
        "id", "number", "customer_id", "store_id", "guide_id", "designer_id", "price_list_id", "template_id", "status",
        "expected_delivery_on", "list_total", "total", "note", "submitted_at", "signed_at", "completed_at",
        "cancelled_at", "cancel_reason", "version", "created_at", "created_by", "updated_at", "updated_by"], contracts)
    copy_rows(cur, "contract_line", ["contract_id", "store_id", "line_no", "product_id", "product_code", "product_name",
                                     "style", "colour", "spec", "unit", "quantity", "list_price", "rate", "price",
                                     "amount", "package_id", "promotion_id", "note"], lines)
    copy_rows(cur, "contract_payment", ["contract_id", "seq", "store_id", "kind", "amount", "due_on", "paid_amount"],
              payments)
    copy_rows(cur, "design_file", ["contract_id", "store_id", "version", "file_name", "content_type", "size_bytes",
                                   "sha256", "data", "current", "uploaded_by", "uploaded_at"], files)
    copy_rows(cur, "change_order", [
        "id", "number", "contract_id", "store_id", "kind", "reason", "status", "amount_delta", "responsible_party",
        "responsibility_reason_id", "responsibility_note", "decided_by", "decided_at", "submitted_at", "approved_at",
        "cancelled_at", "version", "created_at", "created_by", "updated_at", "updated_by"], changes)
    copy_rows(cur, "change_order_line", ["change_order_id", "store_id", "line_no", "product_id", "product_code",
                                         "product_name", "style", "colour", "spec", "unit", "quantity", "list_price",
                                         "price", "amount", "note"], change_lines)
    copy_rows(cur, "contract_review", ["contract_id", "change_order_id", "store_id", "kind", "reviewer_id", "passed",
                                       "comment", "checklist", "lowest_rate", "created_at"], reviews)
    # approved change orders move the plan as approving one does (the trigger does not fire in
    # replica); then the instalments the history paid are paid, changes included
    cur.execute("SELECT yiwei.apply_approved_changes(%s)", ([plan.id for plan in plans],))
    cur.execute("""UPDATE yiwei.contract_payment p SET paid_amount = p.amount
                     FROM unnest(%s::bigint[], %s::integer[]) x (contract_id, seq)
                    WHERE p.contract_id = x.contract_id AND p.seq = x.seq""",
                ([c for c, _s in paid_parts], [s for _c, s in paid_parts]))


def _file_row(plan: ContractPlan, version: int, who: int, at: datetime) -> tuple:
    """A design file row without its `current` flag (set once all versions are known)."""
    data, name, kind = _design(plan, version, f"{plan.number} design")
    return (plan.id, plan.store.id, version, name, kind, len(data), hashlib.sha256(data).hexdigest(),
            "\\x" + data.hex(), who, at)


def _change_rows(roles: dict, plan: ContractPlan, co: ChangePlan, manager: int, director: int, file_no: int):
    """The rows of a bulk change order: itself, its lines, its reviews and the drawings made for it."""
    store = plan.store
    lines = [(co.id, store.id, no, ln.product.id, ln.product.code, ln.product.name, ln.product.style, ln.product.colour,
              ln.product.spec, ln.product.unit, ln.quantity, ln.list_price, ln.price, ln.amount,
              "取消" if ln.quantity < 0 else "")
             for no, ln in enumerate(co.lines, start=1)]
    reviews, files = [], []
    for name, at in co.events:
        if name in ("co_drawing", "co_drawing_fail"):
            passed = name == "co_drawing"
            reviews.append((plan.id, co.id, store.id, "drawing", director, passed,
                            "" if passed else "改补图纸缺少尺寸标注", "[]", None, at))
        elif name == "co_price":
            added = [ln.price / ln.list_price for ln in co.lines if ln.quantity > 0]
            reviews.append((plan.id, co.id, store.id, "price", director, True, "", "[]",
                            min(added).quantize(Decimal("0.000001"), ROUND_HALF_UP) if added else None, at))
        elif name == "co_upload":
            file_no += 1
            files.append(_file_row(plan, file_no, plan.designer_id or plan.guide_id, at))
    status = co.status
    decided = co.at("co_decide")
    row = (co.id, co.number, plan.id, store.id, co.kind, co.reason, status, sum(ln.amount for ln in co.lines),
           co.party if decided else None, co.reason_id if decided else None,
           DECISION_NOTES[co.party] if decided else "", manager if decided else None, decided, co.at("co_submit"),
           co.at("co_price") if status == "approved" else None, co.at("co_cancel"), 1 + len(co.events),
           co.events[0][1], roles[manager], co.events[-1][1],
           roles[director if co.events[-1][0] in ("co_drawing", "co_drawing_fail", "co_price") else manager])
    return row, lines, reviews, files, file_no
