"""Demo showroom traffic: a few months of walk-in visits in every store, by its guides."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from psycopg2.extras import execute_values

from . import business_seeder
from .company import COMMUNITIES

VISITS_PER_STORE = 300
SOURCES = ["自然进店", "老客户介绍", "家装公司带客", "网络推广", "小区活动", "电话预约"]
STAGES = ["未交房", "已交房未装修", "硬装进行中", "硬装完成", "入住后翻新"]


@business_seeder("visits")
def seed_visits(cur, rng: random.Random, scale: int) -> int:
    cur.execute("SELECT count(*) FROM yiwei.visit")
    if cur.fetchone()[0] > 0:
        return 0
    cur.execute("""SELECT s.id, r.code, array_agg(e.id ORDER BY e.id)
                     FROM yiwei.store s JOIN yiwei.region r ON r.id = s.region_id
                     JOIN yiwei.employee e ON e.store_id = s.id
                     JOIN yiwei.position p ON p.id = e.position_id AND p.code = 'guide'
                    GROUP BY s.id, r.code ORDER BY s.id""")
    guides_by_store = cur.fetchall()
    cur.execute("SELECT name, id FROM yiwei.customer_source")
    source_ids = dict(cur.fetchall())
    zone = ZoneInfo("Asia/Shanghai")
    now = datetime.now(zone)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for store_id, region_code, guide_ids in guides_by_store:
        for _ in range(VISITS_PER_STORE * scale):
            # opening hours 09:00–21:00 company time, over the last 120 days
            visited_at = today - timedelta(days=rng.randint(0, 120)) + timedelta(minutes=9 * 60 + rng.randint(0, 719))
            if visited_at > now:  # nobody has visited later today yet
                visited_at -= timedelta(days=1)
            rows.append((store_id, rng.choice(guide_ids), visited_at, rng.choice([1, 1, 2, 2, 2, 3, 4]),
                         source_ids[rng.choice(SOURCES)], rng.choice(["high", "medium", "medium", "low"]),
                         rng.choice(COMMUNITIES[region_code]), rng.choice(STAGES)))
    execute_values(cur, "INSERT INTO yiwei.visit (store_id, guide_id, visited_at, party_size, source_id, intent,"
                        " community, renovation_stage) VALUES %s", rows, page_size=2000)
    return len(rows)
