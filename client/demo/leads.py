"""Demo channel leads (渠道报备) of the last six months, with the conflicts that make auditing them
real work: the same phone reported by two or three channels, the same flat written differently
("7栋2单元1203" and "七幢二单元1203室" at an alias of the community), and leads for customers who
had already been to the showroom. Every state occurs: pending, approved (protected), rejected with
a reason, converted (the customer signed) and expired.

The leads that collide — and a share of the others — are reported through yiwei.report_lead as
the employees who take them (the channel clerk hq.channeldesk, the channel's own login ch.wanjia,
guides), so the conflicts are the ones the database finds; they are audited through approve_lead /
reject_lead as the auditors, and the customers arrive through customer_from_lead as guides, all in
the order the events happened. Their times are then moved into the past. The bulk of clean leads
(no phone or flat in common with anything) is loaded directly.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg2
from psycopg2.extras import execute_values

from . import business_seeder
from .business import (
    Address,
    AddressBook,
    Channel,
    DemoCompany,
    Employees,
    Numbering,
    Store,
    copy_rows,
    later,
    load_company,
    mask_phone,
    moment,
    new_phone,
    person_name,
    prefetch_ids,
    replica,
    require_superuser,
    sync_counters,
)
from .customers import (
    CustomerPlan,
    history_rows,
    plan_history,
    write_customers,
    write_history,
)
from .masterdata import WANJIA_CHANNEL, WANJIA_LOGIN

LEADS = 1500                 # per scale
HISTORY_DAYS = 180
PHONE_PAIRS = 40             # per scale: one household reported by two channels
PHONE_TRIPLES = 5            # … by three
ADDRESS_PAIRS = 25           # the same flat written differently, another family member's phone
CUSTOMER_LEADS = 30          # reports of people already registered in a showroom
CHECKED_CLEAN = 55           # clean leads also reported through the checked function

PRODUCTS = ["全屋定制", "整体橱柜", "衣柜+橱柜", "榻榻米、书柜", "衣帽间", "全屋定制（含木门）", "橱柜、阳台柜",
            "儿童房家具", "酒柜、电视柜"]
LEAD_NOTES = ["", "", "", "客户本周六下午到店", "装修公司设计师陪同到店", "硬装进行中，预计下月量尺", "客户急装，月底前要安装",
              "二手房翻新，旧柜需拆除", "客户只接受微信联系"]
REJECT_REASONS = ["客户电话无法接通，信息无法核实", "客户表示未委托该渠道报备", "超出合作区域", "客户信息不完整（缺少房号）",
                  "客户已购买竞品，无效报备"]
CONFLICT_REJECT = "同一客户已有有效报备，先到先得"
SHOWROOM_REJECT = "客户已在展厅登记，非渠道带客"
APPROVE_NOTES = ["", "", "信息核实无误", "已电话核实客户意向"]
DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """7 → 七, 12 → 十二, 23 → 二十三 (how some people write building numbers)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


@dataclass
class LeadPlan:
    reported_at: datetime
    store: Store
    channel: Channel
    reporter: int
    name: str
    phone: str
    address: Address           # as written in the report
    deco_id: int | None = None
    products: str = ""
    note: str = ""
    outcome: str = "pending"   # pending | approve | reject
    reason: str = ""
    decided_at: datetime | None = None
    auditor: int | None = None
    arrive_at: datetime | None = None
    guide_id: int | None = None
    sign_at: datetime | None = None
    checked: bool = False      # reported and audited through the checked functions
    duplicate: bool = False    # a later report of a household another channel reported first
    id: int | None = None
    approved: bool = False
    customer_id: int | None = None


class LeadPlanner:
    def __init__(self, rng: random.Random, company: DemoCompany, addresses: AddressBook, protection_days: int):
        self.rng = rng
        self.company = company
        self.addresses = addresses
        self.protection = timedelta(days=protection_days)
        self.desk = company.logins["hq.channeldesk"]
        self.wanjia_login = company.logins.get(WANJIA_LOGIN)
        self.auditors = [company.logins["hq.channel"]]
        self.active = [ch for ch in company.channels if ch.active]

    def channel(self, age_days: float, region: str | None = None, active: bool = False) -> Channel:
        rng = self.rng
        pool = [ch for ch in self.company.channels if (ch.active or (age_days > 125 and not active))
                and (region is None or ch.region in (region, None))]
        weights = [{"decoration_company": 4.5, "designer": 3.5, "agent": 2.5, "old_customer": 1.8}[ch.kind]
                   * (5 if ch.name == WANJIA_CHANNEL else 1) for ch in pool]
        return rng.choices(pool, weights)[0]

    def store_for(self, channel: Channel) -> Store:
        stores = self.company.stores_in(channel.region)
        if channel.name == WANJIA_CHANNEL:
            return self.rng.choices(stores, [5 if s.code == "HZ01" else 3 if s.code == "HZ02" else 1 for s in stores])[0]
        return self.rng.choice(stores)

    def reporter_for(self, channel: Channel, store: Store) -> int:
        rng = self.rng
        if channel.name == WANJIA_CHANNEL and self.wanjia_login and rng.random() < 0.85:
            return self.wanjia_login
        if rng.random() < 0.14 and store.guides:
            return rng.choice(store.guides)
        return self.desk

    def lead(self, age_days: float, *, channel: Channel | None = None, store: Store | None = None,
             region: str | None = None, address: Address | None = None, phone: str | None = None,
             name: str | None = None, at: datetime | None = None, checked: bool = False,
             duplicate: bool = False) -> LeadPlan:
        """A lead reported `age_days` ago (or `at`); `checked` ones go through the checked functions,
        so only to channels still active."""
        rng, company = self.rng, self.company
        channel = channel or self.channel(age_days, region or (store.region if store else None), checked)
        store = store or self.store_for(channel)
        if store.region != channel.region and channel.region is not None:
            raise AssertionError("a channel reports to the stores of its region")
        reported = at or moment(company, rng, age_days)
        plan = LeadPlan(reported, store, channel, self.reporter_for(channel, store), name or person_name(rng),
                        phone or new_phone(rng, company), address or self.addresses.new(company, store.region, known=True),
                        rng.choice(channel.designers) if channel.designers and rng.random() < 0.7 else None,
                        rng.choice(PRODUCTS), rng.choice(LEAD_NOTES))
        plan.checked = checked
        plan.duplicate = duplicate
        self.decide(plan)
        return plan

    def decide(self, plan: LeadPlan, outcome: str | None = None) -> None:
        """When and how the auditor decides, and what happens to the customer afterwards."""
        rng, company = self.rng, self.company
        plan.reason, plan.arrive_at, plan.guide_id, plan.sign_at = "", None, None, None
        decided = later(company, rng, plan.reported_at, 0.05, 3)
        recent = plan.reported_at > company.now - timedelta(days=7)
        if decided >= company.now or (recent and rng.random() < 0.25):
            plan.outcome, plan.decided_at = "pending", None
            return
        plan.decided_at = decided
        plan.auditor = rng.choice(self.auditors) if rng.random() < 0.85 or not plan.store.manager else plan.store.manager
        plan.outcome = outcome or ("approve" if rng.random() < 0.75 else "reject")
        if plan.outcome == "reject":
            plan.reason = CONFLICT_REJECT if plan.duplicate else rng.choice(REJECT_REASONS)
            return
        plan.reason = rng.choice(APPROVE_NOTES)
        if rng.random() < 0.45 and plan.store.guides:
            arrive = later(company, rng, decided, 1, 20)
            if arrive < company.now:
                plan.arrive_at, plan.guide_id = arrive, rng.choice(plan.store.guides)
                sign = later(company, rng, arrive, 3, 40)
                if rng.random() < 0.55 and sign < min(company.now, decided + self.protection):
                    plan.sign_at = sign


def _rewrite(address: Address, community_alias: str | None, rng: random.Random) -> Address:
    """The same flat as another person writes it: Chinese numerals, 幢/号楼, 室, the community's
    other name."""
    building = int(re.search(r"\d+", address.building).group())
    unit = int(re.search(r"\d+", address.unit).group()) if address.unit else 0
    b = rng.choice([f"{chinese_number(building)}幢", f"{chinese_number(building)}栋", f"第{building}栋", f"{building}号楼"])
    u = f"{chinese_number(unit)}单元" if unit else ""
    return Address(address.community_id, community_alias or address.community + "小区", b, u, address.room + "室")


@business_seeder("leads")
def seed_leads(cur, rng: random.Random, scale: int) -> int:
    cur.execute("SELECT count(*) FROM yiwei.channel_lead")
    if cur.fetchone()[0] > 0:
        return 0
    require_superuser(cur)
    company = load_company(cur)
    if "hq.channeldesk" not in company.logins or "hq.channel" not in company.logins or not company.channels:
        return 0
    cur.execute("SELECT yiwei.parameter_int('lead.protection_days')")
    protection_days = cur.fetchone()[0]
    cur.execute("SELECT address_key FROM yiwei.customer WHERE address_key IS NOT NULL")
    addresses = AddressBook(rng, {row[0] for row in cur.fetchall()})
    planner = LeadPlanner(rng, company, addresses, protection_days)
    plans = _plan_conflicts(cur, rng, company, planner, scale)
    plans += [planner.lead(HISTORY_DAYS * rng.random(), checked=True) for _ in range(CHECKED_CLEAN * scale)]
    while len(plans) < LEADS * scale:
        plans.append(planner.lead(HISTORY_DAYS * rng.random() ** 1.15))
    lead_numbers = Numbering(cur, "BB", company.zone)
    customer_numbers = Numbering(cur, "KH", company.zone)  # as before the checked steps issue any
    # Bulk leads share no phone or flat with anything, so they may be loaded after the checked ones.
    checked = [p for p in plans if p.checked]
    _run_checked(cur, company, checked)
    made = [p for p in plans if p.id or not p.checked]
    with replica(cur):
        _back_date(cur, rng, company, [p for p in checked if p.id], protection_days)
        _load_bulk(cur, rng, company, made, lead_numbers, customer_numbers, protection_days)
        sync_counters(cur, "channel_lead", "BB")
        sync_counters(cur, "customer", "KH")
    return len(made)


def _plan_conflicts(cur, rng, company: DemoCompany, planner: LeadPlanner, scale: int) -> list[LeadPlan]:
    plans = []
    for copies, count in ((2, PHONE_PAIRS), (3, PHONE_TRIPLES)):
        for _ in range(count * scale):
            first = planner.lead(rng.uniform(3, HISTORY_DAYS - 5), channel=rng.choice(planner.active), checked=True)
            group = [first]
            for _n in range(copies - 1):
                at = _after(company, rng, group[-1].reported_at)
                others = [ch for ch in planner.active if ch.region in (first.store.region, None)
                          and ch.id not in {p.channel.id for p in group}]
                name = first.name if rng.random() < 0.6 else first.name[0] + rng.choice(["先生", "女士"])
                # mostly the same flat; now and then another flat of the same community (a second home,
                # or the building misheard on the phone)
                community = next((c for c in company.communities if c.id == first.address.community_id), None)
                address = first.address if rng.random() < 0.7 or community is None else \
                    planner.addresses.new(company, first.store.region, community=community)
                group.append(planner.lead(0, channel=rng.choice(others), store=first.store, at=at, phone=first.phone,
                                          name=name, address=address, checked=True, duplicate=True))
            plans += _no_signing_before(group)
    for _ in range(ADDRESS_PAIRS * scale):
        community = rng.choice([c for c in company.communities if c.aliases])
        first = planner.lead(rng.uniform(3, HISTORY_DAYS - 5), region=community.region, checked=True,
                             address=planner.addresses.new(company, community.region, community=community))
        others = [ch for ch in planner.active if ch.region in (first.store.region, None) and ch.id != first.channel.id]
        at = _after(company, rng, first.reported_at)
        alias = rng.choice(community.aliases + [None])
        plans += _no_signing_before([first, planner.lead(0, channel=rng.choice(others), store=first.store, at=at,
                                                         address=_rewrite(first.address, alias, rng), checked=True,
                                                         duplicate=True)])
    # People already registered in a showroom, reported afterwards by a channel: by the same phone,
    # or by the flat (written their way) with another family member's phone.
    cur.execute("""SELECT c.id, c.store_id, c.name, pb.phone, c.community_id, c.community, c.building, c.unit,
                          c.room, c.created_at
                     FROM yiwei.customer c
                     JOIN yiwei.phone_book pb ON pb.subject = 'customer' AND pb.ref_id = c.id
                    WHERE c.status = 'active' AND c.stage NOT IN ('signed', 'new') AND c.lead_id IS NULL
                      AND c.community_id IS NOT NULL AND c.room <> '' AND c.unit <> ''
                      AND c.created_at < now() - interval '10 days' AND c.created_at > now() - interval '170 days'
                    ORDER BY c.id""")
    candidates = cur.fetchall()
    aliases = {c.id: c.aliases for c in company.communities}
    for row in rng.sample(candidates, min(len(candidates), CUSTOMER_LEADS * scale)):
        _cid, store_id, name, phone, community_id, community, building, unit, room, created = row
        store = company.store(store_id)
        age_at = (company.now - created).total_seconds() / 86400
        at = later(company, rng, created, 1, max(1.5, min(60, age_at - 1)))
        address = Address(community_id, community, building, unit, room)
        if rng.random() < 0.65:
            plan = planner.lead(0, store=store, at=at, phone=phone, name=name, address=address, checked=True)
        else:
            alias = rng.choice(aliases.get(community_id) or [None])
            plan = planner.lead(0, store=store, at=at, address=_rewrite(address, alias, rng), checked=True)
        if plan.outcome != "pending":
            planner.decide(plan, "reject" if rng.random() < 0.65 else "approve")
            if plan.outcome == "reject":
                plan.reason = SHOWROOM_REJECT
            plan.arrive_at = plan.sign_at = None  # already a customer: nobody creates one again
        plans.append(plan)
    return plans


def _after(company: DemoCompany, rng, start: datetime) -> datetime:
    """When another channel reports the same household: some hours to weeks later, before now."""
    at = later(company, rng, start, 0.3, 25)
    if at >= company.now - timedelta(minutes=5):  # `start` was recent: in between
        at = start + (company.now - start) * rng.uniform(0.3, 0.9)
    return at


def _no_signing_before(group: list[LeadPlan]) -> list[LeadPlan]:
    # Once a customer has signed, nobody may report them again (report_lead refuses): a household
    # reported by several channels signs, if at all, after the last report.
    last = max(p.reported_at for p in group)
    for p in group:
        if p.sign_at and p.sign_at < last:
            p.sign_at = None
    return group


def _load_bulk(cur, rng, company: DemoCompany, plans: list[LeadPlan], lead_numbers: Numbering,
               customer_numbers: Numbering, protection_days: int) -> None:
    """Number every lead and every customer a lead brought by the month it was made; load the clean
    leads (no phone or flat in common with anything) and their customers. Inside ``replica``."""
    roles = company.roles
    protection = timedelta(days=protection_days)
    bulk = [p for p in plans if not p.checked]
    for plan, lead_id in zip(bulk, prefetch_ids(cur, "channel_lead", len(bulk))):
        plan.id = lead_id
    arrived = [p for p in bulk if p.outcome == "approve" and p.arrive_at]
    for plan, customer_id in zip(arrived, prefetch_ids(cur, "customer", len(arrived))):
        plan.customer_id = customer_id
    numbers = {p.id: lead_numbers.take(p.store, p.reported_at) for p in sorted(plans, key=lambda p: (p.reported_at, p.id))}
    brought = sorted([p for p in plans if p.customer_id and p.arrive_at], key=lambda p: (p.arrive_at, p.customer_id))
    customer_number = {p.customer_id: customer_numbers.take(p.store, p.arrive_at) for p in brought}
    # the checked rows first become '~id' (their numbers were issued today, and may be another's now)
    checked_leads = [(p.id, numbers[p.id]) for p in plans if p.checked]
    checked_customers = [(p.customer_id, customer_number[p.customer_id]) for p in brought if p.checked]
    for table, pairs in (("channel_lead", checked_leads), ("customer", checked_customers)):
        if pairs:
            cur.execute(f"UPDATE yiwei.{table} SET number = '~' || id WHERE id = ANY (%s)", ([i for i, _n in pairs],))
            execute_values(cur, f"""UPDATE yiwei.{table} t SET number = x.number FROM (VALUES %s) AS x(id, number)
                                    WHERE t.id = x.id""", pairs, page_size=5000)
    customers, leads, phones = [], [], []
    for plan in bulk:
        if plan.customer_id:
            customers.append(_customer_of(rng, company, plan, customer_number[plan.customer_id]))
        status = {"pending": "pending", "reject": "rejected", "approve": "approved"}[plan.outcome]
        if plan.sign_at:
            status = "converted"
        a = plan.address
        decided = plan.decided_at is not None
        changed = plan.sign_at or plan.decided_at or plan.reported_at
        leads.append((plan.id, numbers[plan.id], plan.store.id, plan.channel.id, plan.deco_id, plan.reporter,
                      plan.reported_at, plan.name, mask_phone(plan.phone), a.community_id, a.community, a.building,
                      a.unit, a.room, a.key, plan.products, plan.note, status, plan.auditor if decided else None,
                      plan.decided_at, plan.reason, plan.decided_at + protection if plan.outcome == "approve" else None,
                      plan.customer_id, plan.sign_at, 1 if status == "pending" else 2 if status != "converted" else 3,
                      plan.reported_at, roles[plan.reporter], changed,
                      roles[plan.auditor] if decided else roles[plan.reporter]))
        phones.append(("lead", plan.id, plan.store.id, plan.reporter, None, plan.phone))
    copy_rows(cur, "channel_lead", [
        "id", "number", "store_id", "channel_id", "decoration_designer_id", "reported_by", "reported_at",
        "customer_name", "phone_masked", "community_id", "community", "building", "unit", "room", "address_key",
        "products", "note", "status", "decided_by", "decided_at", "decision_reason", "protected_until", "customer_id",
        "converted_at", "version", "created_at", "created_by", "updated_at", "updated_by"], leads)
    copy_rows(cur, "phone_book", ["subject", "ref_id", "store_id", "owner_id", "designer_id", "phone"], phones)
    write_customers(cur, rng, company, customers)
    # The evidence kept with each lead names the other lead or customer as it is known now.
    cur.execute("""UPDATE yiwei.lead_conflict k
                      SET evidence = k.evidence || jsonb_build_object('number', o.number, 'reported_at', o.reported_at)
                                  || CASE WHEN k.evidence ->> 'protected_until' IS NOT NULL
                                          THEN jsonb_build_object('protected_until', o.protected_until)
                                          ELSE '{}'::jsonb END
                     FROM yiwei.channel_lead o WHERE o.id = k.other_lead_id""")
    cur.execute("""UPDATE yiwei.lead_conflict k
                      SET evidence = k.evidence || jsonb_build_object('number', c.number, 'created_at', c.created_at)
                     FROM yiwei.customer c WHERE c.id = k.other_customer_id""")


def _customer_of(rng, company: DemoCompany, plan: LeadPlan, number: str) -> CustomerPlan:
    """The customer a lead brought to the showroom, with the sale since then."""
    signed = plan.sign_at is not None
    stage = "signed" if signed else rng.choice(["contacted", "contacted", "measured", "designing", "quoted", "lost"])
    customer = CustomerPlan(plan.customer_id, plan.store, plan.guide_id, plan.name, plan.phone, plan.address,
                            company.sources.get("渠道报备"), plan.arrive_at, stage, channel_id=plan.channel.id,
                            deco_id=plan.deco_id, lead_id=plan.id, signed_at=plan.sign_at, note=plan.products,
                            number=number)
    if stage not in ("contacted", "lost"):
        customer.designer_id = plan.store.designer
    plan_history(rng, company, customer)
    return customer


def _run_checked(cur, company: DemoCompany, plans: list[LeadPlan]) -> None:
    """Report, audit, receive and sign the checked leads in the order it happened, as the people
    who did it."""
    events = []
    for p in plans:
        events.append((p.reported_at, 0, "report", p))
        if p.decided_at:
            events.append((p.decided_at, 1, "decide", p))
        if p.arrive_at:
            events.append((p.arrive_at, 2, "arrive", p))
        if p.sign_at:
            events.append((p.sign_at, 3, "sign", p))
    events.sort(key=lambda e: (e[0], e[1]))
    staff = Employees(cur, company)
    try:
        for _at, _order, kind, p in events:
            if kind == "report":
                # refused only if planned against the rules (a signed customer): then it is not recorded
                result = staff.try_call(p.reporter, "SELECT yiwei.report_lead(%s)", (json.dumps(_report(company, p)),))
                p.id = result if isinstance(result, int) else None
            elif p.id is None:
                continue
            elif kind == "decide":
                p.approved = _decide(staff, p)
            elif kind == "arrive" and p.approved:
                result = staff.try_call(p.guide_id, "SELECT yiwei.customer_from_lead(%s, %s)", (p.id, p.guide_id))
                if isinstance(result, int):
                    p.customer_id = result
            elif kind == "sign" and p.customer_id:
                staff.reset()  # the contract module signs, as the owner
                cur.execute("UPDATE yiwei.customer SET stage = 'signed' WHERE id = %s", (p.customer_id,))
    finally:
        staff.reset()


def _report(company: DemoCompany, p: LeadPlan) -> dict:
    phone = p.phone
    if p.reporter == company.logins["hq.channeldesk"] and int(phone[-1]) % 4 == 0:
        phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"  # typed from a WeChat message
    a = p.address
    return {"store_id": p.store.id, "channel_id": p.channel.id, "decoration_designer_id": p.deco_id,
            "customer_name": p.name, "phone": phone, "community": a.community, "building": a.building,
            "unit": a.unit, "room": a.room, "products": p.products, "note": p.note}


def _decide(staff: Employees, p: LeadPlan) -> bool:
    """Approve (unless the database refuses: another report is protected — then reject) or reject."""
    version = "(SELECT version FROM yiwei.channel_lead WHERE id = %s)"
    if p.outcome == "approve":
        refused = staff.try_call(p.auditor, f"SELECT yiwei.approve_lead(%s, {version}, %s)", (p.id, p.id, p.reason))
        if not isinstance(refused, psycopg2.Error):
            return True
        p.reason = CONFLICT_REJECT if "先到先得" in str(refused) else "客户已签约，报备无效"
    staff.call(p.auditor, f"SELECT yiwei.reject_lead(%s, {version}, %s)", (p.id, p.id, p.reason))
    return False


def _back_date(cur, rng, company: DemoCompany, plans: list[LeadPlan], protection_days: int) -> None:
    """Move the checked leads and the customers they brought to the times they happened, with the
    sale since then (inside ``replica``)."""
    rows = [(p.id, p.reported_at, p.decided_at, p.sign_at if p.customer_id else None) for p in plans]
    if not rows:
        return
    execute_values(cur, f"""
        UPDATE yiwei.channel_lead l
           SET reported_at = x.reported_at, created_at = x.reported_at,
               decided_at = CASE WHEN l.decided_at IS NOT NULL THEN x.decided_at END,
               protected_until = CASE WHEN l.protected_until IS NOT NULL
                                      THEN x.decided_at + make_interval(days => {int(protection_days)}) END,
               converted_at = CASE WHEN l.converted_at IS NOT NULL THEN x.signed_at END,
               updated_at = greatest(x.reported_at, x.decided_at, CASE WHEN l.converted_at IS NOT NULL THEN x.signed_at END)
          FROM (VALUES %s) AS x(id, reported_at, decided_at, signed_at)
         WHERE l.id = x.id""", rows, template="(%s, %s::timestamptz, %s::timestamptz, %s::timestamptz)", page_size=5000)
    cur.execute("""UPDATE yiwei.lead_conflict k SET found_at = l.reported_at
                     FROM yiwei.channel_lead l WHERE l.id = k.lead_id""")
    history = []
    for p in plans:
        if not (p.customer_id and p.arrive_at):
            continue
        customer = CustomerPlan(p.customer_id, p.store, p.guide_id, p.name, p.phone, p.address, None, p.arrive_at,
                                "signed" if p.sign_at else rng.choice(["contacted", "measured", "quoted", "lost"]),
                                signed_at=p.sign_at)
        if customer.stage in ("measured", "quoted", "signed"):
            customer.designer_id = p.store.designer
        plan_history(rng, company, customer)
        history.append(customer)
        last = customer.followups[-1][0] if customer.followups else None
        cur.execute("""UPDATE yiwei.customer
                          SET created_at = %(created)s, signed_at = %(signed)s, designer_id = %(designer)s,
                              stage = CASE WHEN stage = 'signed' THEN stage ELSE %(stage)s END,
                              last_followup_at = %(last)s, next_contact_on = %(next)s,
                              updated_at = greatest(%(created)s, %(signed)s, %(last)s)
                        WHERE id = %(id)s;
                       UPDATE yiwei.phone_book SET designer_id = %(designer)s
                        WHERE subject = 'customer' AND ref_id = %(id)s""",
                    {"id": p.customer_id, "created": p.arrive_at, "signed": p.sign_at, "designer": customer.designer_id,
                     "stage": customer.stage, "last": last, "next": customer.next_contact_on})
    write_history(cur, *history_rows(rng, company, history))
