"""Demo customers: several hundred per store with household contacts, addresses, sources and
channels, stages over the whole sale, follow-ups (some contacts due today, some overdue), designer
tasks (open, overdue, done) and the showroom visits they came from or came back on.

Loaded in bulk as the installer with back-dated times (see client.demo.business); customer numbers
follow the month each customer was created. Signed customers are signed as a contract would do it
(by the owner), since no clerk may set that stage.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from psycopg2.extras import execute_values

from . import business_seeder
from .business import (
    Address,
    AddressBook,
    DemoCompany,
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
)

CUSTOMERS_PER_STORE = 400
VISIT_SHARE = 0.25          # walk-ins who left their details and became customers
RETURN_SHARE = 0.06         # later visits of known customers
HISTORY_DAYS = 270

SOURCES = [("自然进店", 30), ("老客户介绍", 12), ("家装公司带客", 18), ("设计师推荐", 8), ("网络推广", 12),
           ("小区活动", 10), ("电话预约", 10)]
TAGS = [("全屋定制", 30), ("橱柜", 22), ("衣柜", 20), ("老人房", 8), ("儿童房", 10), ("急装", 7), ("婚房", 6),
        ("二次装修", 6), ("精装房改造", 8), ("别墅", 3), ("预算充足", 6), ("价格敏感", 8), ("有宠物", 4),
        ("环保要求高", 6), ("榻榻米", 6)]
NOTES = ["只在周末有空，工作日请发微信", "需要开具增值税发票", "预算有限，关注店庆促销", "二胎家庭，需要儿童房和大量收纳",
         "家中有老人，柜体要圆角防撞", "房子还在硬装，预计两个月后可量尺", "女主人做决定，沟通方案请约她", "喜欢无拉手设计",
         "对比了欧派和索菲亚，价格是关键", "精装房，橱柜要拆旧换新"]
SPECIAL_NOTES = ["对甲醛严重过敏：所有板材须 ENF 级并附检测报告，上门前先电话确认",
                 "VIP：集团董事长朋友，报价须经店长确认后再发", "曾投诉送货延误两次，联系前先看跟踪记录，语气要耐心",
                 "听障人士，请用微信文字沟通，不要打电话", "只能周六上午上门量尺，小区物业要求提前一天登记",
                 "客户是律师，合同条款请逐条解释并书面确认"]
RELATIONS = [("配偶", 60), ("父亲", 8), ("母亲", 12), ("儿子", 6), ("女儿", 8), ("岳母", 6)]
PRODUCTS = ["全屋定制衣柜", "整体橱柜", "榻榻米", "书柜书桌", "电视柜", "阳台柜", "玄关鞋柜", "衣帽间"]
STYLES = ["现代简约", "新中式", "轻奢", "北欧", "日式原木", "奶油风"]
COLORS = ["暖白", "胡桃木", "橡木灰", "奶咖", "雅士白", "黑胡桃"]
MEASURES = ["主卧衣柜 3.2m×2.6m，次卧榻榻米 2.4m×1.8m", "厨房 L 型 2.8m+1.9m，吊柜做到顶", "玄关 1.6m，鞋柜带换鞋凳",
            "书房整墙书柜 3.6m，窗下做书桌", "衣帽间 U 型 2.2m×2.0m", "阳台 3.0m，洗衣机与烘干机叠放"]
CHANGES = ["衣柜多加抽屉", "台面换石英石", "增加开放格展示", "改成无拉手", "吊柜改成平开门", "加装感应灯带"]


@dataclass
class CustomerPlan:
    id: int
    store: Store
    guide_id: int
    name: str
    phone: str
    address: Address
    source_id: int | None
    created_at: datetime
    stage: str
    designer_id: int | None = None
    channel_id: int | None = None
    deco_id: int | None = None
    tags: list[str] = field(default_factory=list)
    note: str = ""
    special: bool = False
    signed_at: datetime | None = None
    visit_id: int | None = None
    lead_id: int | None = None
    number: str = ""
    contacts: list[tuple[str, str, str]] = field(default_factory=list)
    followups: list[tuple] = field(default_factory=list)
    next_contact_on: date | None = None


def _weighted(rng: random.Random, pairs):
    return rng.choices([v for v, _w in pairs], [w for _v, w in pairs])[0]


def _stage(rng: random.Random, age_days: float) -> str:
    if age_days <= 3:
        table = [("new", 50), ("contacted", 50)]
    elif age_days <= 14:
        table = [("new", 10), ("contacted", 55), ("measured", 20), ("designing", 10), ("lost", 5)]
    elif age_days <= 45:
        table = [("contacted", 30), ("measured", 20), ("designing", 18), ("quoted", 15), ("signed", 7), ("lost", 10)]
    else:
        table = [("contacted", 20), ("measured", 8), ("designing", 8), ("quoted", 14), ("signed", 30), ("lost", 20)]
    return _weighted(rng, table)


@business_seeder("customers")
def seed_customers(cur, rng: random.Random, scale: int) -> int:
    cur.execute("SELECT count(*) FROM yiwei.customer")
    if cur.fetchone()[0] > 0:
        return 0
    require_superuser(cur)
    company = load_company(cur)
    addresses = AddressBook(rng)
    # the latest walk-ins of each store (a store with years of traffic gives only its recent ones)
    cur.execute("""SELECT id, store_id, guide_id, visited_at, source_id, community, community_id, intent
                     FROM (SELECT v.*, row_number() OVER (PARTITION BY v.store_id ORDER BY v.visited_at DESC) AS n
                             FROM yiwei.visit v WHERE v.customer_id IS NULL) x
                    WHERE n <= %s ORDER BY id""", (round(CUSTOMERS_PER_STORE * scale / VISIT_SHARE),))
    visits_by_store: dict[int, list] = {}
    for row in cur.fetchall():
        visits_by_store.setdefault(row[1], []).append(row)
    plans: list[CustomerPlan] = []
    returning: list[tuple[int, int]] = []  # (visit, customer) of known customers coming back
    for store in company.stores:
        if not store.guides:
            continue
        visits = visits_by_store.get(store.id, [])
        weights = [{"high": 3, "medium": 1.2, "low": 0.3}[v[7]] for v in visits]
        wanted = min(round(len(visits) * VISIT_SHARE), CUSTOMERS_PER_STORE * scale)
        chosen = _sample_weighted(rng, visits, weights, wanted)
        chosen_ids = {v[0] for v in chosen}
        store_plans = [_from_visit(rng, company, addresses, store, v) for v in chosen]
        for _ in range(CUSTOMERS_PER_STORE * scale - len(store_plans)):
            store_plans.append(_walk_in(rng, company, addresses, store))
        plans += store_plans
        returning += _returning_visits(rng, [v for v in visits if v[0] not in chosen_ids], store_plans)
    if not plans:
        return 0
    for plan, new_id in zip(plans, prefetch_ids(cur, "customer", len(plans))):
        plan.id = new_id
    for plan in plans:
        plan_details(rng, company, plan)
        plan_history(rng, company, plan)
    _write(cur, rng, company, plans, returning)
    return len(plans)


def _sample_weighted(rng: random.Random, items: list, weights: list[float], count: int) -> list:
    # Efraimidis–Spirakis: weighted sampling without replacement.
    keyed = sorted(((rng.random() ** (1 / w), i) for i, w in enumerate(weights)), reverse=True)
    return [items[i] for _k, i in keyed[:count]]


def _from_visit(rng, company: DemoCompany, addresses: AddressBook, store: Store, visit) -> CustomerPlan:
    visit_id, _store, guide_id, visited_at, source_id, community, community_id, _intent = visit
    created = min(visited_at + timedelta(minutes=rng.randint(15, 50)), company.now)
    matched = next((c for c in company.communities if c.id == community_id), None)
    address = addresses.new(company, store.region, community=matched) if matched else \
        Address(None, community, "", "", "")
    plan = CustomerPlan(0, store, guide_id, person_name(rng), new_phone(rng, company), address, source_id,
                        created, _stage(rng, (company.now - created).total_seconds() / 86400))
    plan.visit_id = visit_id
    return plan


def _walk_in(rng, company: DemoCompany, addresses: AddressBook, store: Store) -> CustomerPlan:
    age = HISTORY_DAYS * rng.random() ** 1.4
    created = moment(company, rng, age)
    source = _weighted(rng, SOURCES)
    address = addresses.new(company, store.region)
    if rng.random() < 0.04:  # no flat number yet: community only
        address = Address(address.community_id, address.community, "", "", "")
    plan = CustomerPlan(0, store, rng.choice(store.guides), person_name(rng), new_phone(rng, company), address,
                        company.sources.get(source), created, _stage(rng, (company.now - created).total_seconds() / 86400))
    kind = {"家装公司带客": "decoration_company", "设计师推荐": "designer", "老客户介绍": "old_customer"}.get(source)
    if kind and (kind != "old_customer" or rng.random() < 0.5):
        candidates = [ch for ch in company.channels if ch.kind == kind and ch.region in (store.region, None)
                      and (ch.active or age > 100)]
        if candidates:
            channel = rng.choice(candidates)
            plan.channel_id = channel.id
            if channel.designers and rng.random() < 0.75:
                plan.deco_id = rng.choice(channel.designers)
    return plan


def _returning_visits(rng, visits: list, plans: list[CustomerPlan]) -> list[tuple[int, CustomerPlan]]:
    """Visits of known customers coming back: to the guide who has them, after they were created."""
    by_guide: dict[int, list[CustomerPlan]] = {}
    for plan in sorted(plans, key=lambda p: p.created_at):
        by_guide.setdefault(plan.guide_id, []).append(plan)
    times = {guide: [p.created_at for p in known] for guide, known in by_guide.items()}
    links = []
    for visit in visits:
        if rng.random() >= RETURN_SHARE:
            continue
        known = by_guide.get(visit[2], [])
        before = bisect.bisect_left(times[visit[2]], visit[3]) if known else 0
        if before:
            links.append((visit[0], known[rng.randrange(before)]))
    return links


def plan_details(rng, company: DemoCompany, plan: CustomerPlan) -> None:
    stage = plan.stage
    if stage in ("measured", "designing", "quoted", "signed") or \
            (stage == "contacted" and rng.random() < 0.25) or (stage == "lost" and rng.random() < 0.4):
        plan.designer_id = plan.store.designer
    count = rng.choices([0, 1, 2, 3], [20, 40, 30, 10])[0]
    tags = set()
    while len(tags) < count:
        tags.add(_weighted(rng, TAGS))
    plan.tags = sorted(tags)
    if rng.random() < 0.015:
        plan.special = True
        plan.note = rng.choice(SPECIAL_NOTES)
    elif rng.random() < 0.15:
        plan.note = rng.choice(NOTES)
    for _ in range(rng.choices([0, 1, 2], [76, 20, 4])[0]):
        relation = _weighted(rng, RELATIONS)
        name = person_name(rng) if relation in ("配偶", "岳母") else plan.name[0] + rng.choice(["建国", "淑芬", "小明", "佳怡", "志刚"])
        plan.contacts.append((name, relation, new_phone(rng, company)))
    if stage == "signed":
        span = min((company.now - plan.created_at).total_seconds() / 86400, 60)
        plan.signed_at = later(company, rng, plan.created_at, 0.3 * span, 0.9 * span)


def plan_history(rng, company: DemoCompany, plan: CustomerPlan) -> None:
    """1–6 follow-ups telling the sale so far; the latest sets the last and next contact."""
    stage = plan.stage
    if stage == "new":
        return
    steps = ["contact"]
    steps += {"contacted": [], "measured": ["measure"], "designing": ["measure", "design"],
              "quoted": ["measure", "design", "quote"], "signed": ["measure", "design", "quote", "sign"],
              "lost": (["measure"] if plan.designer_id else []) + ["lost"]}[stage]
    for _ in range(rng.randint(0, 6 - len(steps))):  # calls and messages in between, never after the outcome
        steps.insert(rng.randint(1, max(1, len(steps) - 1)), "general")
    start = min(plan.created_at + timedelta(minutes=rng.randint(10, 120)), company.now)
    if stage == "signed":
        end = plan.signed_at
    elif stage == "lost":
        end = later(company, rng, plan.created_at, 3, 40)
    else:  # still in the sale: the last contact was mostly a few days ago
        end = max(company.now - timedelta(days=rng.expovariate(1 / 6)), start)
    end = max(min(end, company.now), start)
    span = (end - start).total_seconds()
    if span < 2 * 86400:  # a customer of the last day or two: no small talk yet
        steps = [step for step in steps if step != "general"]
    times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in steps[:-1]) + [end]
    for step, at in zip(steps, times):
        kind, content = _followup_text(rng, step)
        author = plan.designer_id if kind == "measure" and plan.designer_id else plan.guide_id
        plan.followups.append((at, kind, content, author))
    if stage in ("signed", "lost"):
        return
    last = times[-1].astimezone(company.zone).date()
    r = rng.random()
    if r < 0.12:
        plan.next_contact_on = company.today
    elif r < 0.32 and last < company.today - timedelta(days=1):
        plan.next_contact_on = min(last + timedelta(days=rng.randint(1, 7)), company.today - timedelta(days=1))
    elif r < 0.92:
        plan.next_contact_on = company.today + timedelta(days=rng.randint(1, 14))


def _followup_text(rng, step: str) -> tuple[str, str]:
    product = rng.choice(PRODUCTS)
    if step == "contact":
        return rng.choice([
            ("visit", f"客户到店，重点看了{product}，预算约 {rng.randint(3, 15)} 万，{rng.choice(STYLES)}风格"),
            ("call", f"电话回访：客户对{product}感兴趣，约本周末到店看样品"),
            ("wechat", f"已加微信，发送{product}实景案例和门店定位")])
    if step == "measure":
        return "measure", f"上门量尺：{rng.choice(MEASURES)}，已拍照记录水电点位"
    if step == "design":
        return rng.choice([("wechat", f"发送{product}初版方案，客户希望{rng.choice(CHANGES)}"),
                           ("visit", f"客户到店看方案，确定{rng.choice(STYLES)}风格，柜体颜色选{rng.choice(COLORS)}")])
    if step == "quote":
        amount = rng.randint(18, 120) * 1000
        return "quote", rng.choice([f"报价 {amount:,} 元（{product}），客户觉得略高，约周末再谈",
                                    f"调整方案后重新报价 {amount:,} 元，客户基本认可"])
    if step == "sign":
        return "visit", f"客户到店确认最终方案并签约，约定 {rng.choice([25, 30, 35, 45])} 天后安装"
    if step == "lost":
        return "call", rng.choice(["客户已在其他品牌下单，暂停跟进", "装修计划推迟到明年，暂停跟进",
                                   "客户觉得价格超出预算，已选择其他商家"])
    return rng.choice([("call", "电话未接通，已发短信，稍后再联系"), ("wechat", "节日问候，提醒周末店庆活动"),
                       ("other", "客户来电咨询板材环保等级，已解答 ENF 级标准"),
                       ("wechat", "发送工厂直播链接，客户表示会看")])


def _tasks(rng, company: DemoCompany, plan: CustomerPlan) -> list[tuple]:
    """Measure / design / drawing tasks of a customer with a designer, as far as the sale went."""
    if not plan.designer_id:
        return []
    today = company.today
    measures = [f[0] for f in plan.followups if f[1] == "measure"]
    created = plan.created_at + timedelta(hours=rng.randint(2, 48))
    done_measure = measures[0] if measures else None
    tasks = []

    def add(kind, status, due_on, created_at, done_at=None, result=""):
        created_at = min(max(created_at, plan.created_at), company.now)
        due_on = max(due_on, created_at.astimezone(company.zone).date())
        tasks.append((kind, status, due_on, created_at, done_at, result))

    def open_task(kind, since):
        if rng.random() < 0.3 and since.astimezone(company.zone).date() < today - timedelta(days=2):
            due = today - timedelta(days=rng.randint(1, 6))  # overdue
        else:
            due = today + timedelta(days=rng.randint(0, 7))
        add(kind, "open", due, since)

    stage = plan.stage
    if stage == "contacted":
        open_task("measure", max(created, company.now - timedelta(days=rng.randint(1, 5))))
        return tasks
    if done_measure:
        add("measure", "done", done_measure.astimezone(company.zone).date(), done_measure - timedelta(days=rng.randint(1, 4)),
            done_measure, "已量尺，尺寸图和现场照片已上传")
    if stage == "measured":
        open_task("design", done_measure or created)
    elif stage == "designing":
        open_task("design", done_measure or created)
    elif stage in ("quoted", "signed"):
        design_done = later(company, rng, done_measure or created, 2, 8)
        add("design", "done", design_done.astimezone(company.zone).date(), done_measure or created, design_done,
            "效果图两版已发客户确认")
        if stage == "signed":
            drawing_due = plan.signed_at + timedelta(days=rng.randint(2, 6))
            if drawing_due < company.now - timedelta(days=1):
                add("drawing", "done", drawing_due.astimezone(company.zone).date(), plan.signed_at, drawing_due,
                    "生产图纸已审核，已下单工厂")
            else:
                add("drawing", "open", drawing_due.astimezone(company.zone).date(), plan.signed_at)
    elif stage == "lost" and done_measure:
        add("design", "cancelled", done_measure.astimezone(company.zone).date() + timedelta(days=5), done_measure,
            result="客户已选择其他商家，取消设计")
    return tasks


def history_rows(rng, company: DemoCompany, plans: list[CustomerPlan]) -> tuple[list[tuple], list[tuple]]:
    """Follow-up and designer task rows of planned customers (after :func:`plan_history`)."""
    roles = company.roles
    followups, tasks = [], []
    for p in plans:
        for i, (at, kind, content, author) in enumerate(p.followups):
            next_on = p.next_contact_on if i == len(p.followups) - 1 else \
                (at + timedelta(days=rng.randint(1, 7))).astimezone(company.zone).date()
            followups.append((p.id, p.store.id, p.guide_id, p.designer_id, author, kind, content, at, next_on, at,
                              roles[author]))
        for kind, status, due_on, created_at, done_at, result in _tasks(rng, company, p):
            author = p.designer_id if rng.random() < 0.5 else p.guide_id
            note = rng.choice(["", "", "客户要求周六上午上门", "带上色板和门板样品", "先电话确认物业是否允许施工"])
            tasks.append((p.store.id, p.id, p.guide_id, p.designer_id, kind, due_on, status, note, result, done_at,
                          1 if status == "open" else 2, created_at, roles[author], done_at or created_at,
                          roles[p.designer_id]))
    return followups, tasks


def write_history(cur, followups: list[tuple], tasks: list[tuple]) -> None:
    """Insert follow-ups and tasks (inside ``replica``)."""
    copy_rows(cur, "customer_followup", ["customer_id", "store_id", "guide_id", "designer_id", "author_id", "kind",
                                         "content", "contacted_at", "next_contact_on", "created_at", "created_by"],
              followups)
    copy_rows(cur, "designer_task", ["store_id", "customer_id", "guide_id", "designer_id", "kind", "due_on",
                                     "status", "note", "result", "done_at", "version", "created_at", "created_by",
                                     "updated_at", "updated_by"], tasks)


def write_customers(cur, rng, company: DemoCompany, plans: list[CustomerPlan]) -> None:
    """Insert planned (and numbered) customers with their contacts, phones, follow-ups and tasks
    (inside ``replica``)."""
    roles = company.roles
    customers, phones, contacts = [], [], []
    contact_ids = iter(prefetch_ids(cur, "customer_contact", sum(len(p.contacts) for p in plans)))
    for p in plans:
        a = p.address
        last = p.followups[-1][0] if p.followups else None
        changed = max([p.created_at] + [f[0] for f in p.followups] + ([p.signed_at] if p.signed_at else []))
        customers.append((p.id, p.number, p.store.id, p.guide_id, p.designer_id, p.name, mask_phone(p.phone),
                          a.community_id, a.community, a.building, a.unit, a.room, a.key, p.source_id, p.channel_id,
                          p.deco_id, p.lead_id, p.stage, p.tags, p.note, p.special, last, p.next_contact_on,
                          p.signed_at, 1 + len(p.followups), p.created_at, roles[p.guide_id], changed,
                          roles[p.guide_id]))
        phones.append(("customer", p.id, p.store.id, p.guide_id, p.designer_id, p.phone))
        for name, relation, phone in p.contacts:
            contact_id = next(contact_ids)
            contacts.append((contact_id, p.id, p.store.id, p.guide_id, p.designer_id, name, relation, mask_phone(phone)))
            phones.append(("contact", contact_id, p.store.id, p.guide_id, p.designer_id, phone))
    copy_rows(cur, "customer", [
        "id", "number", "store_id", "guide_id", "designer_id", "name", "phone_masked", "community_id", "community",
        "building", "unit", "room", "address_key", "source_id", "channel_id", "decoration_designer_id", "lead_id",
        "stage", "tags", "note", "special", "last_followup_at", "next_contact_on", "signed_at", "version",
        "created_at", "created_by", "updated_at", "updated_by"], customers)
    copy_rows(cur, "customer_contact", ["id", "customer_id", "store_id", "guide_id", "designer_id", "name",
                                        "relation", "phone_masked"], contacts)
    copy_rows(cur, "phone_book", ["subject", "ref_id", "store_id", "owner_id", "designer_id", "phone"], phones)
    write_history(cur, *history_rows(rng, company, plans))


def _write(cur, rng, company: DemoCompany, plans: list[CustomerPlan], returning: list[tuple[int, CustomerPlan]]) -> None:
    numbering = Numbering(cur, "KH", company.zone)
    for plan in sorted(plans, key=lambda p: (p.created_at, p.id)):
        plan.number = numbering.take(plan.store, plan.created_at)
    links = [(p.visit_id, p.id) for p in plans if p.visit_id] + [(v, p.id) for v, p in returning]
    with replica(cur):
        write_customers(cur, rng, company, plans)
        if links:
            execute_values(cur, """UPDATE yiwei.visit v SET customer_id = x.customer_id
                                     FROM (VALUES %s) AS x(visit_id, customer_id) WHERE v.id = x.visit_id""",
                           links, page_size=5000)
    numbering.save(cur)
