"""Demo master data of the customers module: channels of all four kinds with their decoration
designers, and the residential communities of every region with the other names people use.

Seeded before the showroom traffic, so that the communities typed at the reception are matched to
the master data as they would be in real use. Written through the checked save_* functions.
"""

from __future__ import annotations

import json
import random

from . import business_seeder
from .company import COMMUNITIES

# The decoration company whose own login (ch.wanjia, 渠道用户) reports its leads.
WANJIA_CHANNEL = "万家装饰杭州公司"
WANJIA_LOGIN = "ch.wanjia"

# kind, name, region (None: works with every region), contact person, address, note
CHANNELS = [
    ("decoration_company", WANJIA_CHANNEL, "HD", "周建平", "杭州市拱墅区莫干山路 1418 号万家大厦 6 楼",
     "年度战略合作，报备走渠道账号 ch.wanjia"),
    ("decoration_company", "业之峰装饰杭州分公司", "HD", "陈经理", "杭州市西湖区天目山路 398 号", ""),
    ("decoration_company", "圣都装饰城西店", "HD", "吴晓梅", "杭州市西湖区文二西路 808 号", ""),
    ("decoration_company", "东易日盛上海分公司", "HD", "沈国华", "上海市长宁区延安西路 1566 号", ""),
    ("decoration_company", "金螳螂家南京分公司", "HD", "孙立群", "南京市建邺区江东中路 369 号", "2026 年 8 月起暂停合作"),
    ("decoration_company", "星艺装饰广州分公司", "HN", "梁志强", "广州市天河区天河北路 233 号", ""),
    ("decoration_company", "名雕装饰深圳公司", "HN", "黄丽娟", "深圳市福田区车公庙泰然九路 8 号", ""),
    ("decoration_company", "华浔品味装饰佛山店", "HN", "何伟明", "佛山市顺德区大良街道南国东路 66 号", ""),
    ("decoration_company", "业之峰装饰北京分公司", "HB", "王海涛", "北京市朝阳区东三环中路 7 号", ""),
    ("decoration_company", "龙发装饰天津分公司", "HB", "刘振东", "天津市河西区友谊路 41 号", ""),
    ("decoration_company", "生活家装饰石家庄分公司", "HB", "赵红梅", "石家庄市裕华区槐中路 88 号", ""),
    ("decoration_company", "东易日盛家居装饰集团", None, "郭总监", "北京市朝阳区北四环东路 115 号", "全国大客户，按客户所在城市分配门店"),
    ("designer", "陈默设计工作室", "HD", "陈默", "杭州市西湖区西溪路 525 号 B 座 302", "独立设计师，擅长新中式"),
    ("designer", "木子空间设计", "HD", "李木子", "上海市徐汇区漕溪北路 88 号 1205 室", ""),
    ("designer", "简舍设计工作室", "HN", "林简", "深圳市南山区科技园南区 R2-B 栋 601", ""),
    ("designer", "原点室内设计", "HB", "张原", "北京市朝阳区望京 SOHO T3-1808", ""),
    ("designer", "栖居设计事务所", "HD", "许栖", "南京市鼓楼区湖南路 1 号凤凰国际 2103", ""),
    ("agent", "我爱我家杭州城西店", "HD", "方经理", "杭州市西湖区古墩路 702 号", "二手房成交客户"),
    ("agent", "链家上海真北路店", "HD", "顾晓峰", "上海市普陀区真北路 958 号", ""),
    ("agent", "中原地产广州天河店", "HN", "邓丽萍", "广州市天河区体育西路 103 号", ""),
    ("agent", "链家北京朝阳门店", "HB", "马俊", "北京市朝阳区朝阳门外大街 19 号", ""),
    ("old_customer", "老客户 王丽华", "HD", "王丽华", "杭州市西湖区绿城桂花城 12 幢", "2025 年全屋定制客户，介绍亲友"),
    ("old_customer", "老客户 刘建国", "HD", "刘建国", "上海市普陀区中远两湾城 3 期", ""),
    ("old_customer", "老客户 黄志明", "HN", "黄志明", "广州市海珠区珠江帝景 D 区", ""),
    ("old_customer", "老客户 赵淑芬", "HB", "赵淑芬", "北京市石景山区远洋山水 北区", ""),
]
INACTIVE_CHANNELS = {"金螳螂家南京分公司"}

SPECIALITIES = ["现代简约", "新中式", "轻奢", "北欧", "美式", "日式原木", "法式", "意式极简", "侘寂风", "工业风"]
DESIGNER_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏"
DESIGNER_GIVEN = ["晓峰", "思远", "雅琴", "子涵", "一鸣", "静怡", "浩然", "梦瑶", "建新", "佳慧", "文杰", "欣然",
                  "立伟", "嘉怡", "少华", "若曦", "志远", "婉婷", "国栋", "雨桐", "博文", "晓丽", "俊豪", "诗涵"]

# Every community the reception types (company.COMMUNITIES) plus more per region:
# name, region, district, address, other names people write (not just spacing or 1/一/小区 variants,
# which the key already treats as the same).
COMMUNITY_DETAILS = {
    "万科城一期": ("余杭区", "杭州市余杭区良渚街道古墩路 1899 号", ["万科城首期", "良渚万科城一期"]),
    "绿城桂花城": ("西湖区", "杭州市西湖区文一西路 3 号", ["桂花城"]),
    "龙湖天街花园": ("滨江区", "杭州市滨江区江汉路 1515 号", ["天街花园"]),
    "融创玉兰公馆": ("普陀区", "上海市普陀区真南路 822 弄", ["玉兰公馆"]),
    "滨江金色海岸": ("上城区", "杭州市上城区钱江路 1366 号", ["金色海岸"]),
    "仁恒河滨花园": ("长宁区", "上海市长宁区芙蓉江路 388 弄", ["仁恒河滨"]),
    "保利天悦": ("海珠区", "广州市海珠区阅江中路 688 号", ["保利天悦府"]),
    "碧桂园凤凰城": ("增城区", "广州市增城区新塘镇广园东路 1 号", ["凤凰城"]),
    "华润城润府": ("南山区", "深圳市南山区科技园深云路 2 号", ["润府"]),
    "招商臻园": ("南山区", "深圳市南山区蛇口望海路 1166 号", []),
    "万科金域华府": ("顺德区", "佛山市顺德区大良街道云路 18 号", ["金域华府"]),
    "远洋山水": ("石景山区", "北京市石景山区鲁谷路 74 号", ["远洋山水北区"]),
    "首开国风尚樾": ("朝阳区", "北京市朝阳区东坝中路 1 号", ["国风尚樾"]),
    "金茂府": ("丰台区", "北京市丰台区南四环西路 66 号", ["北京金茂府"]),
    "天房天拖": ("南开区", "天津市南开区红旗路 288 号", ["天拖小区"]),
    "恒大名都": ("长安区", "石家庄市长安区建设北大街 106 号", ["石家庄恒大名都"]),
}
MORE_COMMUNITIES = {
    "HD": [("绿城西溪诚园", "西湖区", "杭州市西湖区紫金港路 21 号", ["西溪诚园"]),
           ("滨江万家星城", "滨江区", "杭州市滨江区长河路 590 号", ["万家星城"]),
           ("龙湖春江彼岸", "滨江区", "杭州市滨江区闻涛路 1888 号", ["春江彼岸"]),
           ("中远两湾城", "普陀区", "上海市普陀区远景路 97 弄", ["两湾城"]),
           ("古北国际花园", "长宁区", "上海市长宁区红宝石路 500 号", ["古北国际"]),
           ("仁恒江湾城", "建邺区", "南京市建邺区江东中路 329 号", ["江湾城"]),
           ("万科金域蓝湾", "建邺区", "南京市建邺区乐山路 199 号", ["金域蓝湾"]),
           ("金地自在城", "栖霞区", "南京市栖霞区仙林大道 9 号", ["自在城"])],
    "HN": [("珠江帝景", "海珠区", "广州市海珠区艺苑南路 8 号", ["帝景苑"]),
           ("汇景新城", "天河区", "广州市天河区天河北路 908 号", ["天河汇景新城"]),
           ("星河湾半岛", "番禺区", "广州市番禺区市桥街道番禺大道 1 号", ["番禺星河湾"]),
           ("深圳湾一号", "南山区", "深圳市南山区深湾一路 1 号", ["深湾一号"]),
           ("万科第五园", "龙岗区", "深圳市龙岗区坂田五和大道 1 号", ["第五园"]),
           ("美的君兰江山", "顺德区", "佛山市顺德区北滘镇君兰路 3 号", ["君兰江山"]),
           ("碧桂园翡翠湾", "顺德区", "佛山市顺德区容桂街道容奇大道 10 号", []),
           ("保利中央公馆", "禅城区", "佛山市禅城区季华五路 38 号", ["中央公馆"])],
    "HB": [("万科星园", "朝阳区", "北京市朝阳区惠新东街 10 号", []),
           ("望京花园", "朝阳区", "北京市朝阳区望京西路 43 号", ["望京花园东区"]),
           ("华润橡树湾", "海淀区", "北京市海淀区清河中街 68 号", ["橡树湾"]),
           ("万科水晶城", "河西区", "天津市河西区洞庭路 2 号", ["水晶城"]),
           ("梅江蓝水园", "西青区", "天津市西青区友谊南路 9 号", ["蓝水园"]),
           ("保利玫瑰湾", "河东区", "天津市河东区津塘路 60 号", ["玫瑰湾"]),
           ("万科翡翠书院", "长安区", "石家庄市长安区中山东路 660 号", ["翡翠书院"]),
           ("融创御河宸院", "裕华区", "石家庄市裕华区槐安东路 289 号", ["御河宸院"])],
}

MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186",
                   "187", "188", "189", "198", "199"]


def mobile(rng: random.Random, taken: set[str]) -> str:
    """A mobile number nobody in `taken` has (added to it)."""
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def all_communities() -> list[tuple[str, str, str, str, list[str]]]:
    """(name, region code, district, address, aliases) of every demo community."""
    rows = []
    for region, names in COMMUNITIES.items():
        for name in names:
            district, address, aliases = COMMUNITY_DETAILS[name]
            rows.append((name, region, district, address, aliases))
        rows += [(name, region, district, address, aliases)
                 for name, district, address, aliases in MORE_COMMUNITIES[region]]
    return rows


def _one(cur, sql, params=()):
    cur.execute(sql, params)
    return cur.fetchone()[0]


@business_seeder("masterdata")
def seed_masterdata(cur, rng: random.Random, scale: int) -> int:
    """Channels, decoration designers and communities (not multiplied by the scale: master data
    does not grow with business volume). Returns the rows added."""
    if _one(cur, "SELECT count(*) FROM yiwei.channel") > 0:
        return 0
    cur.execute("SELECT code, id FROM yiwei.region")
    regions = dict(cur.fetchall())
    taken: set[str] = set()
    added = 0
    channel_ids = {}
    for kind, name, region, contact, address, note in CHANNELS:
        phone = (mobile(rng, taken) if kind in ("designer", "old_customer") or rng.random() < 0.5
                 else f"{_area_code(address)}-{rng.randint(80000000, 89999999)}")
        channel_ids[name] = _one(cur, "SELECT yiwei.save_channel(NULL, NULL, %s)", (json.dumps({
            "kind": kind, "name": name, "contact_person": contact, "phone": phone, "address": address,
            "region_id": regions.get(region), "note": note, "active": name not in INACTIVE_CHANNELS}),))
        added += 1
    # About five designers per decoration company; an independent studio is its own designer.
    names = set()
    for kind, name, _region, contact, _address, _note in CHANNELS:
        if kind == "designer":
            people = [(contact, "工作室主理人")]
        elif kind == "decoration_company":
            people = [(_designer_name(rng, names), "") for _ in range(5)]
        else:
            continue
        for person, note in people:
            _one(cur, "SELECT yiwei.save_decoration_designer(NULL, NULL, %s)", (json.dumps({
                "name": person, "phone": mobile(rng, taken), "channel_id": channel_ids[name],
                "speciality": "、".join(rng.sample(SPECIALITIES, rng.choice([1, 2, 2]))), "note": note}),))
            added += 1
    for name, region, district, address, aliases in all_communities():
        _one(cur, "SELECT yiwei.save_community(NULL, NULL, %s)", (json.dumps({
            "name": name, "region_id": regions[region], "district": district, "address": address,
            "aliases": aliases}),))
        added += 1
    cur.execute("""SELECT yiwei.set_employee_channel(e.id, %s) FROM yiwei.employee e
                    WHERE e.login = %s""", (channel_ids[WANJIA_CHANNEL], WANJIA_LOGIN))
    return added


def _area_code(address: str) -> str:
    for city, code in (("杭州", "0571"), ("上海", "021"), ("南京", "025"), ("广州", "020"), ("深圳", "0755"),
                       ("佛山", "0757"), ("北京", "010"), ("天津", "022"), ("石家庄", "0311")):
        if address.startswith(city):
            return code
    return "010"


def _designer_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(DESIGNER_SURNAMES) + rng.choice(DESIGNER_GIVEN)
        if name not in taken:
            taken.add(name)
            return name
