"""What the demo business seeders share: the company as the database has it (stores, people, master
data), realistic names, phones, addresses and moments, acting as a real employee, bulk loading and
numbering back-dated documents.

Demo history lies in the past, but checked functions stamp `now()`. The seeders therefore load the
bulk as the installer (superuser, ``session_replication_role = replica`` so that the stamps keep the
back-dated times; the rows satisfy the rules by construction), run the steps that matter — reporting
and auditing leads — through the checked functions as the employees who would do them, and then
move those rows' times into the past and number the documents by the month they were made.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg2
import psycopg2.extras

from .company import SURNAMES
from .masterdata import mobile

GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞",
               "平", "刚", "辉", "鹏", "华", "建国", "建华", "志强", "海燕", "秀英", "桂英", "玉兰", "晓东", "丽娟",
               "文博", "雅琴", "子涵", "欣怡", "思远", "佳琪", "梓轩", "雨桐", "俊杰", "婷婷", "浩然", "晨曦",
               "国庆", "红梅", "春燕", "立新", "振华", "淑芬", "凤英", "志明", "家豪", "嘉欣", "宇航", "一帆"]
UNKNOWN_COMMUNITIES = {  # typed at the desk, not (yet) in the master data
    "HD": ["文三新村", "城西银泰公寓", "普陀区曹杨五村", "河西万达公寓"],
    "HN": ["猎德花园", "南山村自建房", "乐从新村"],
    "HB": ["团结湖北里", "八里台小区", "裕华路职工宿舍"],
}


@dataclass
class Store:
    id: int
    code: str
    region: str
    guides: list[int]
    manager: int | None
    designer: int | None


@dataclass
class Community:
    id: int
    name: str
    region: str
    aliases: list[str]


@dataclass
class Channel:
    id: int
    name: str
    kind: str
    region: str | None
    active: bool
    designers: list[int] = field(default_factory=list)


@dataclass
class DemoCompany:
    """The seeded organisation and master data, read back from the database."""

    namespace: str
    zone: ZoneInfo
    now: datetime                       # the transaction's now(), company time
    stores: list[Store]
    logins: dict[str, int]              # login → employee id
    roles: dict[int, str]               # employee id → login role
    communities: list[Community]
    channels: list[Channel]
    sources: dict[str, int]
    phones: set[str]                    # every phone already in the phone book
    unknown_keys: dict[str, str]        # community key of the names typed that are not master data

    @property
    def today(self) -> date:
        return self.now.date()

    def stores_in(self, region: str | None) -> list[Store]:
        return [s for s in self.stores if region is None or s.region == region]

    def communities_in(self, region: str) -> list[Community]:
        return [c for c in self.communities if c.region == region]

    def store(self, store_id: int) -> Store:
        return next(s for s in self.stores if s.id == store_id)


def load_company(cur) -> DemoCompany:
    cur.execute("SELECT namespace FROM yiwei.instance")
    namespace = cur.fetchone()[0]
    cur.execute("SELECT yiwei.company_timezone(), now()")
    zone_name, now = cur.fetchone()
    zone = ZoneInfo(zone_name)
    cur.execute("""SELECT e.id, e.login, e.role_name, e.store_id, p.code FROM yiwei.employee e
                     JOIN yiwei.position p ON p.id = e.position_id WHERE e.active ORDER BY e.id""")
    staff = cur.fetchall()
    by_store = defaultdict(lambda: defaultdict(list))
    for emp_id, _login, _role, store_id, position in staff:
        by_store[store_id][position].append(emp_id)
    cur.execute("SELECT s.id, s.code, r.code FROM yiwei.store s JOIN yiwei.region r ON r.id = s.region_id"
                " WHERE s.active ORDER BY s.id")
    stores = [Store(sid, code, region, by_store[sid]["guide"], (by_store[sid]["store_manager"] or [None])[0],
                    (by_store[sid]["designer"] or [None])[0]) for sid, code, region in cur.fetchall()]
    cur.execute("""SELECT c.id, c.name, r.code, coalesce(array_agg(a.alias ORDER BY a.id)
                            FILTER (WHERE a.id IS NOT NULL), '{}')
                     FROM yiwei.community c JOIN yiwei.region r ON r.id = c.region_id
                     LEFT JOIN yiwei.community_alias a ON a.community_id = c.id
                    WHERE c.active GROUP BY c.id, r.code ORDER BY c.id""")
    communities = [Community(*row) for row in cur.fetchall()]
    cur.execute("""SELECT ch.id, ch.name, ch.kind, r.code, ch.active,
                          coalesce(array_agg(d.id ORDER BY d.id) FILTER (WHERE d.id IS NOT NULL), '{}')
                     FROM yiwei.channel ch LEFT JOIN yiwei.region r ON r.id = ch.region_id
                     LEFT JOIN yiwei.decoration_designer d ON d.channel_id = ch.id AND d.active
                    GROUP BY ch.id, r.code ORDER BY ch.id""")
    channels = [Channel(*row) for row in cur.fetchall()]
    cur.execute("SELECT name, id FROM yiwei.customer_source")
    sources = dict(cur.fetchall())
    cur.execute("SELECT phone FROM yiwei.phone_book")
    phones = {row[0] for row in cur.fetchall()}
    cur.execute("SELECT n, yiwei.community_key(n) FROM unnest(%s::text[]) n",
                ([n for names in UNKNOWN_COMMUNITIES.values() for n in names],))
    unknown_keys = dict(cur.fetchall())
    return DemoCompany(namespace=namespace, zone=zone, now=now.astimezone(zone), stores=stores,
                       logins={login: emp_id for emp_id, login, _r, _s, _p in staff},
                       roles={emp_id: role for emp_id, _l, role, _s, _p in staff},
                       communities=communities, channels=channels, sources=sources, phones=phones,
                       unknown_keys=unknown_keys)


def require_superuser(cur) -> None:
    cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not cur.fetchone()[0]:
        raise ValueError("演示客户与渠道报备数据需以超级用户连接生成（以各员工身份调用报备、审核等函数，并回填历史时间）")


# --- people, phones, addresses, moments ----------------------------------------------------------


def person_name(rng: random.Random) -> str:
    """A customer's name as the desk writes it: usually the full name, sometimes 王先生 / 李女士."""
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.07:
        return surname + rng.choice(["先生", "女士"])
    return surname + rng.choice(GIVEN_NAMES)


@dataclass(frozen=True)
class Address:
    community_id: int | None
    community: str
    building: str
    unit: str
    room: str
    key: str | None = None     # yiwei.address_key of it (None without a flat number)


class AddressBook:
    """Hands out home addresses no one else in the demo has, written the way staff type them.
    `taken` holds the address keys already in use.

    Buildings start at 4 so that tests writing their own "1栋1单元101" never meet demo data.
    """

    def __init__(self, rng: random.Random, taken: set[str] | None = None):
        self.rng = rng
        self.taken = set(taken or ())

    def new(self, company: DemoCompany, region: str, *, community: Community | None = None,
            known: bool = False) -> Address:
        """A flat in `community`, or in any community of the region (now and then one that is not in
        the master data, unless `known`)."""
        rng = self.rng
        while True:
            if community is None and not known and rng.random() < 0.05:
                name = rng.choice(UNKNOWN_COMMUNITIES[region])
                cid = None
            else:
                chosen = community or rng.choice(company.communities_in(region))
                name, cid = chosen.name, chosen.id
            building = rng.randint(4, 36)
            unit = rng.choice([1, 1, 2, 2, 3])
            room = f"{rng.randint(2, 32)}{rng.randint(1, 4):02d}"
            # the database's address_key of it (see yiwei.address_key): known communities by id
            key = (f"c{cid}" if cid else f"n{company.unknown_keys[name]}") + f"|{building}|{unit}|{room}"
            if key in self.taken:
                continue
            self.taken.add(key)
            style = rng.random()
            b = f"{building}号楼" if style < 0.2 else f"{building}幢" if style < 0.35 else f"{building}栋"
            return Address(cid, name, b, f"{unit}单元", room, key)


def moment(company: DemoCompany, rng: random.Random, days_ago: float) -> datetime:
    """A moment in opening hours (09:00–21:00 company time) about `days_ago` days back, never
    later than now."""
    day = company.today - timedelta(days=int(days_ago))
    at = datetime(day.year, day.month, day.day, 9, tzinfo=company.zone) + timedelta(minutes=rng.randint(0, 719))
    if at > company.now:
        at = company.now - timedelta(minutes=rng.randint(5, 600))
    return at


def later(company: DemoCompany, rng: random.Random, start: datetime, min_days: float, max_days: float) -> datetime:
    """A moment in opening hours between `min_days` and `max_days` after `start` (not after now)."""
    at = start + timedelta(days=rng.uniform(min_days, max_days))
    local = at.astimezone(company.zone)
    if not 9 <= local.hour < 21:
        local = local.replace(hour=rng.randint(9, 20), minute=rng.randint(0, 59))
        if local < start:
            local += timedelta(days=1)
    return min(local, company.now)


def prefetch_ids(cur, table: str, count: int) -> list[int]:
    """`count` fresh ids of a table's serial, so that bulk rows can reference each other."""
    if count <= 0:
        return []
    cur.execute(f"SELECT nextval(pg_get_serial_sequence('yiwei.{table}', 'id')) FROM generate_series(1, %s)", (count,))
    return [row[0] for row in cur.fetchall()]


def mask_phone(phone: str) -> str:
    """What yiwei.mask_phone shows of a mobile number: 138****1234."""
    return phone[:3] + "****" + phone[-4:]


def copy_rows(cur, table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into a table (values: None, str, numbers, bool, date/datetime, lists of text)."""
    if not rows:
        return
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cur.copy_expert(f"COPY yiwei.{table} ({', '.join(columns)}) FROM STDIN", buffer)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, list):
        value = "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value) + "}"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@contextmanager
def replica(cur):
    """Row triggers off for the rest of this block (stamps, audit, foreign-key checks): bulk rows
    keep their back-dated times. The rows must satisfy the rules by construction."""
    cur.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        cur.execute("SET LOCAL session_replication_role = origin")


class Employees:
    """Runs checked functions as a real employee login: ``SET SESSION AUTHORIZATION`` changes
    session_user, which is who the functions (and the audit trail) see."""

    def __init__(self, cur, company: DemoCompany):
        self.cur = cur
        self.company = company
        self._current: str | None = None

    def call(self, employee_id: int, sql: str, params=()):
        """The first column of the statement's first row, run as that employee."""
        self._become(employee_id)
        self.cur.execute(sql, params)
        row = self.cur.fetchone() if self.cur.description else None
        return row[0] if row else None

    def try_call(self, employee_id: int, sql: str, params=()):
        """Like call, but a refusal of the checked function (a YW error) is returned instead of
        raised, and the transaction goes on."""
        self._become(employee_id)
        self.cur.execute("SAVEPOINT demo_step")
        try:
            value = self.call(employee_id, sql, params)
        except psycopg2.Error as exc:
            if not (exc.pgcode or "").startswith("YW"):
                raise
            self.cur.execute("ROLLBACK TO SAVEPOINT demo_step; RELEASE SAVEPOINT demo_step")
            return exc
        self.cur.execute("RELEASE SAVEPOINT demo_step")
        return value

    def reset(self) -> None:
        """Back to the installer."""
        if self._current is not None:
            self.cur.execute("RESET SESSION AUTHORIZATION")
            self._current = None

    def _become(self, employee_id: int) -> None:
        role = self.company.roles[employee_id]
        if role != self._current:
            self.cur.execute(f"SET SESSION AUTHORIZATION {_ident(role)}")
            self._current = role


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- numbering ------------------------------------------------------------------------------------


class Numbering:
    """Document numbers as next_document_number would have issued them at the time: series, store,
    month (company time), serial gap-free per store and month. Take numbers in time order."""

    def __init__(self, cur, series: str, zone: ZoneInfo):
        self.series = series
        self.zone = zone
        cur.execute("SELECT store_id, period, last_value FROM yiwei.document_counter WHERE series = %s", (series,))
        self.last = {(store_id, period): value for store_id, period, value in cur.fetchall()}

    def take(self, store: Store, at: datetime) -> str:
        period = at.astimezone(self.zone).strftime("%Y%m")
        value = self.last.get((store.id, period), 0) + 1
        self.last[(store.id, period)] = value
        return f"{self.series}-{store.code}-{period}-{value:06d}"

    def save(self, cur) -> None:
        """The counters continue after the numbers taken."""
        execute_values = psycopg2.extras.execute_values
        execute_values(cur, """INSERT INTO yiwei.document_counter AS c (series, store_id, period, last_value) VALUES %s
                               ON CONFLICT (series, store_id, period) DO UPDATE SET last_value = EXCLUDED.last_value""",
                       [(self.series, store_id, period, value) for (store_id, period), value in self.last.items()])


def sync_counters(cur, table: str, series: str) -> None:
    """Counters equal to the highest number each store and month holds (after numbers issued by
    the checked functions were replaced by the ones of their back-dated month)."""
    cur.execute("DELETE FROM yiwei.document_counter WHERE series = %s", (series,))
    cur.execute(f"""INSERT INTO yiwei.document_counter (series, store_id, period, last_value)
                    SELECT %s, store_id, m[1], max(m[2]::integer)
                      FROM (SELECT store_id, regexp_match(number, '-([0-9]{{6}})-([0-9]+)$') AS m
                              FROM yiwei.{table}) x
                     WHERE m IS NOT NULL GROUP BY store_id, m[1]""", (series,))


def new_phone(rng: random.Random, company: DemoCompany) -> str:
    return mobile(rng, company.phones)
