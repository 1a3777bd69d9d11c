"""Demo product catalogue (产品信息 and the master data around it): six product lines with grades and
head-office supply packages, several hundred products with style, colour, spec, unit and cost,
style aliases, three retail price lists (one expired, the current one, one that starts next month),
promotions, packages (套餐), the order checklist, responsibility reasons and contract templates per
product line with real clause text.

Everything is written as the administrator (the ``admin`` login) through the checked functions the
master-data screens and the Excel import use — products and prices through import_products /
import_price_list, as head office would load its sheets — and then moved back in time to before
the demo's business history, so that no contract is older than the catalogue it was made from.

Codes start with the line codes below (CG, YG, MM, DB, WY, RZ): the tests make catalogues of their
own with T…, P…, L… and IMP… codes, and must never meet these.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import business_seeder
from .business import Employees, load_company, replica, require_superuser

ADMIN_LOGIN = "admin"

# Price list periods, in days from today: the expired list ran until the current one began; the
# next one starts in a month (when the current one ends).
EXPIRED_FROM, CURRENT_FROM, NEXT_FROM = -420, -120, 30

LINES = [  # code, name
    ("CG", "橱柜"), ("YG", "衣柜"), ("MM", "木门"), ("DB", "地板"), ("WY", "卫浴"), ("RZ", "软装")]
GRADES = [  # code, name, price factor
    ("STD", "标准级", Decimal("1.00")), ("PRM", "精品级", Decimal("1.25")), ("FLG", "旗舰级", Decimal("1.60"))]
SUPPLY_PACKAGES = [
    ("橱柜柜体整装箱", "柜体板件按柜号分箱，五金单独袋装"),
    ("台面木架包装", "石英石/岩板台面木架加护角，运输须立放"),
    ("衣柜板件分包", "板件按房间分包，门板单独纸箱"),
    ("木门三层纸箱护角", "门扇、门套、五金各自成箱"),
    ("地板原厂纸箱", "每箱约 2.0㎡，防潮膜密封"),
    ("卫浴原厂泡沫箱", "陶瓷件泡沫整箱，易碎标识"),
    ("软装散件", "窗帘、灯具、家具按订单打包"),
]
STYLES = ["现代简约", "简欧", "新中式", "轻奢", "北欧", "日式原木", "意式极简", "奶油风"]
# Other ways people write a style; products saved with one are stored under the style.
STYLE_ALIASES = [("简欧", "欧式简约"), ("简欧", "简约欧式"), ("新中式", "新中式风格"), ("新中式", "现代中式"),
                 ("轻奢", "轻奢风"), ("北欧", "北欧风"), ("日式原木", "原木风"), ("日式原木", "日式"),
                 ("意式极简", "极简风"), ("奶油风", "法式奶油"), ("现代简约", "简约现代")]
COLOURS = {
    "CG": ["暖白", "雅士白", "橡木灰", "奶咖", "胡桃木", "墨绿"],
    "YG": ["暖白", "胡桃木", "橡木灰", "浅咖", "雾霾蓝", "黑胡桃"],
    "MM": ["原木色", "胡桃色", "象牙白", "深灰", "柚木色"],
    "DB": ["北美白橡", "烟熏橡木", "柚木", "浅灰橡", "胡桃木"],
    "WY": ["亮白", "哑光黑", "枪灰", "香槟金"],
    "RZ": ["米白", "浅灰", "燕麦色", "墨蓝", "咖色"],
}
# Per line: item name, spec, unit, base list price (yuan, standard grade), supply package index,
# variants (styles × colours drawn per item).
ITEMS = {
    "CG": [("地柜", "深600×高720mm", "米", 1680, 0, 12), ("吊柜", "深350×高720mm", "米", 1180, 0, 10),
           ("高柜（电器柜）", "600×600×2200mm", "件", 3280, 0, 8), ("石英石台面", "厚15mm，深620mm", "米", 980, 1, 8),
           ("岩板台面", "厚12mm，深620mm", "米", 1580, 1, 6), ("水槽柜", "900×560×720mm", "件", 1380, 0, 6),
           ("转角拉篮", "900型，左开", "套", 1260, 0, 4), ("调味拉篮", "300型", "套", 580, 0, 4),
           ("踢脚板", "高100mm", "米", 68, 0, 4), ("吊柜灯带", "感应式，3000K", "米", 120, 0, 3)],
    "YG": [("平开门衣柜", "深600mm，按投影面积", "㎡", 980, 2, 12), ("推拉门衣柜", "深650mm，按投影面积", "㎡", 1180, 2, 10),
           ("衣帽间柜体", "深550mm，按投影面积", "㎡", 890, 2, 8), ("榻榻米", "高400mm，按面积", "㎡", 1360, 2, 6),
           ("书柜", "深350mm，按投影面积", "㎡", 860, 2, 6), ("玄关柜", "深380mm，按投影面积", "㎡", 920, 2, 6),
           ("顶线", "高60mm", "米", 58, 2, 3), ("裤架", "伸缩，600型", "个", 260, 2, 3),
           ("抽屉", "阻尼导轨，800宽", "个", 420, 2, 4)],
    "MM": [("实木复合门", "2100×900×45mm，含门套", "樘", 2680, 3, 10), ("原木门", "2100×900×45mm，含门套", "樘", 4580, 3, 6),
           ("静音移门", "2100×1600mm，双扇", "樘", 3680, 3, 6), ("厨房玻璃移门", "2100×1500mm，长虹玻璃", "樘", 2980, 3, 5),
           ("垭口套", "宽≤1200mm", "樘", 880, 3, 4), ("门锁五金套装", "静音磁吸锁+合页", "套", 480, 3, 3)],
    "DB": [("实木地板", "910×125×18mm", "㎡", 468, 4, 8), ("实木复合地板", "1210×165×15mm", "㎡", 298, 4, 10),
           ("强化复合地板", "1218×198×12mm", "㎡", 138, 4, 8), ("人字拼地板", "600×100×15mm", "㎡", 528, 4, 5),
           ("踢脚线", "高80mm，同色", "米", 46, 4, 4), ("地板铺装辅料", "防潮膜+龙骨", "㎡", 32, 4, 2)],
    "WY": [("智能马桶", "坑距400mm", "件", 4280, 5, 6), ("浴室柜", "800mm，含镜柜", "套", 3280, 5, 8),
           ("花洒套装", "恒温，顶喷250mm", "套", 1680, 5, 6), ("淋浴房", "一字形，8mm钢化玻璃，按面积", "㎡", 1280, 5, 5),
           ("台上盆", "500×380mm", "件", 680, 5, 4), ("地漏", "防臭，不锈钢", "个", 128, 5, 3)],
    "RZ": [("窗帘（遮光布）", "定高2.7m", "米", 268, 6, 8), ("纱帘", "定高2.7m", "米", 128, 6, 5),
           ("吸顶灯", "客厅，直径800mm", "件", 1580, 6, 5), ("布艺沙发", "三人位，2300mm", "件", 6880, 6, 5),
           ("餐桌椅", "1400mm 桌 + 4 椅", "套", 4680, 6, 4), ("地毯", "2000×3000mm", "件", 1280, 6, 4)],
}
PROMOTIONS = [  # name, line code (None: all lines), min rate, first day, last day (from today), active
    ("国庆木门特价", "MM", "0.80", -260, -230, True),
    ("春季橱柜焕新季", "CG", "0.75", -110, -60, True),
    ("五一全屋定制节", None, "0.80", -75, -45, True),
    ("地板清仓特惠", "DB", "0.70", -40, 20, True),
    ("衣柜以旧换新", "YG", "0.78", -20, 40, True),
    ("双十二卫浴节", "WY", "0.75", 35, 50, True),
    ("周年庆（已取消）", None, "0.70", -10, 10, False),
]
CHECKLIST = [  # name, line code (None: every contract)
    ("客户已签字确认全部图纸", None), ("量尺数据已复核（与现场照片一致）", None), ("水电点位已标注", None),
    ("颜色、型号与客户确认单一致", None), ("交货日期与客户装修进度相符", None),
    ("台面开孔尺寸（水槽、灶具）已标注", "CG"), ("吊柜离地高度已确认", "CG"), ("烟机、电器尺寸已核对", "CG"),
    ("顶线、踢脚线收口方式已确认", "YG"), ("移门轨道与吊顶关系已确认", "YG"),
    ("门洞尺寸与开向已确认", "MM"), ("地面平整度已检测", "DB"), ("下水口、坑距已确认", "WY"),
]
RETIRED_CHECKLIST = "旧版图纸编号已作废（停用）"
RESPONSIBILITY_REASONS = ["量尺错误", "设计错误", "下单错误", "生产质量问题", "运输损坏", "安装损坏", "客户变更需求",
                          "客户原因退货", "导购沟通失误", "现场条件变化"]


@dataclass(frozen=True)
class PackageSpec:
    code: str
    label: str                      # the name before the price: "全屋定制" → "全屋定制 19800 套餐"
    items: tuple[tuple[str, str, str], ...]  # (line code, item name, quantity)
    share: Decimal                  # the package price ≈ this share of the list value
    list_key: str                   # "expired", "current", "next"
    rules: str


PACKAGES = [
    PackageSpec("QW-A", "全屋定制", (("YG", "平开门衣柜", "8"), ("CG", "地柜", "3"), ("CG", "吊柜", "2"),
                                    ("CG", "石英石台面", "3"), ("MM", "实木复合门", "2")), Decimal("0.87"), "current",
                "含主卧衣柜 8㎡、厨房橱柜 3 米地柜 + 2 米吊柜 + 3 米台面、2 樘室内门；超出部分按零售价九折计。"),
    PackageSpec("CF-A", "厨房焕新", (("CG", "地柜", "3"), ("CG", "吊柜", "2"), ("CG", "石英石台面", "3"),
                                    ("CG", "水槽柜", "1")), Decimal("0.80"), "current",
                "3 米地柜 + 2 米吊柜 + 3 米石英石台面 + 水槽柜，限标准级板材。"),
    PackageSpec("WS-A", "卧室衣柜", (("YG", "平开门衣柜", "6"), ("YG", "顶线", "3"), ("YG", "抽屉", "2")),
                Decimal("0.82"), "current", "6㎡ 平开门衣柜含顶线、两只阻尼抽屉。"),
    PackageSpec("MM-3", "木门三樘", (("MM", "实木复合门", "3"), ("MM", "门锁五金套装", "3")), Decimal("0.80"), "current",
                "3 樘实木复合门含门套、静音锁；第 4 樘起按零售价九折。"),
    PackageSpec("DB-50", "地板铺装", (("DB", "实木复合地板", "50"), ("DB", "踢脚线", "40"), ("DB", "地板铺装辅料", "50")),
                Decimal("0.80"), "current", "50㎡ 实木复合地板含踢脚线与辅料，含铺装。"),
    PackageSpec("QW-OLD", "全屋定制", (("YG", "平开门衣柜", "8"), ("CG", "地柜", "3"), ("CG", "吊柜", "2"),
                                      ("MM", "实木复合门", "2")), Decimal("0.80"), "expired", "上一价格体系的全屋套餐（已结束）。"),
    PackageSpec("QW-NEW", "全屋焕新", (("YG", "推拉门衣柜", "8"), ("CG", "地柜", "4"), ("CG", "岩板台面", "4"),
                                      ("MM", "静音移门", "1")), Decimal("0.78"), "next", "下月新价格体系的全屋套餐（预告）。"),
]

TEMPLATE_COMMON = """第一条 合同标的
甲方（客户）{客户姓名}（联系电话 {联系电话}）向乙方{门店}订购本合同明细所列产品，安装地址：{地址}。导购：{导购}；设计师：{设计师}。

第二条 合同金额与付款
合同金额人民币 {合同金额} 元（大写：{合同金额大写}）。甲方于签订本合同时支付定金 {定金} 元，其余款项按本合同付款计划支付。定金在合同履行后抵作货款。

第三条 交货
乙方于 {交货日期} 前将产品送至上述地址；因甲方现场不具备安装条件而延误的，交货日期相应顺延，乙方应提前三日电话告知。
"""
TEMPLATE_TAIL = """
第六条 变更与解除
合同签订后如需变更产品、尺寸或颜色，须由双方签署改补单；因甲方原因变更产生的费用由甲方承担。产品已投产后甲方单方解除合同的，定金不予退还。

第七条 争议解决
本合同履行中发生争议，双方协商解决；协商不成的，任何一方可向乙方门店所在地人民法院起诉。

本合同编号 {合同编号}，一式两份，甲乙双方各执一份，自双方签字（盖章）之日起生效。签订日期：{签订日期}。
"""
TEMPLATES = {  # line code (None: general) → (name, the clauses between the common head and tail)
    None: ("全屋定制销售合同", """第四条 质量标准
板材甲醛释放量符合 GB/T 39600 ENF 级要求，五金件质保五年，柜体质保十年。

第五条 验收
安装完成后甲方应在三日内验收，逾期未提出书面异议的视为验收合格。"""),
    "CG": ("橱柜销售合同", """第四条 质量标准
柜体板材符合 GB/T 39600 ENF 级要求；台面按图纸尺寸现场复尺后加工，台面开孔以复尺确认单为准。

第五条 验收
台面安装后 24 小时内勿放置重物。甲方应在安装完成后三日内验收，逾期未提出书面异议的视为验收合格。"""),
    "YG": ("衣柜销售合同", """第四条 质量标准
柜体按投影面积计价，尺寸以设计师量尺确认的图纸为准；板材符合 ENF 级要求，柜体质保十年。

第五条 验收
移门、抽屉应开合顺畅，柜体垂直误差不超过 2mm；甲方应在安装完成后三日内验收。"""),
    "MM": ("木门销售合同", """第四条 质量标准
门洞尺寸以乙方复尺为准，甲方须在墙面完成后通知复尺；门扇含水率 8%–12%。

第五条 验收
门扇开关灵活、无异响，门缝均匀不超过 3mm；甲方应在安装完成后三日内验收。"""),
    "DB": ("地板销售合同", """第四条 质量标准
铺装前地面含水率须低于 10%，平整度 2 米内高差不超过 3mm；不符合的，乙方有权暂缓铺装。

第五条 验收
铺装面积按实际铺装计算，损耗不超过 5% 的由乙方承担；甲方应在铺装完成后三日内验收。"""),
    "WY": ("卫浴销售合同", """第四条 质量标准
产品符合国家节水标准，陶瓷件质保五年，智能件质保三年。安装须在防水闭水试验合格后进行。

第五条 验收
安装完成后当场试水验收，甲方签字确认。"""),
}
# The general template was reworded three months ago: older contracts keep version 1.
TEMPLATE_V2_DAYS_AGO = 90
TEMPLATE_V2_ADDITION = "\n\n第八条 个人信息\n乙方仅为履行本合同使用甲方的姓名、电话与地址，不向第三方提供。"


@dataclass
class Product:
    id: int
    code: str
    line: str
    name: str
    unit: str
    active: bool


def _yuan(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), ROUND_HALF_UP)


def _product_rows(rng: random.Random) -> tuple[list[dict], dict[str, Decimal]]:
    """Import rows (as head office's product sheet) and each product's current list price."""
    rows, prices = [], {}
    for line_code, line_name in LINES:
        for item_no, (item, spec, unit, base, package, variants) in enumerate(ITEMS[line_code], start=1):
            combos = [(s, c) for s in STYLES for c in COLOURS[line_code]]
            # more variants of an item than the table's count: a real range has each in several finishes
            for variant, (style, colour) in enumerate(rng.sample(combos, variants * 3 // 2), start=1):
                grade_code, grade_name, factor = GRADES[(variant - 1) % len(GRADES)]
                code = f"{line_code}{item_no:02d}{variant:02d}-{grade_code[0]}"
                price = _yuan(Decimal(base) * factor * Decimal(rng.choice(["0.95", "1", "1", "1.05", "1.1"])))
                cost = (price * Decimal(rng.uniform(0.36, 0.55)).quantize(Decimal("0.0001"))).quantize(Decimal("0.01"))
                # a sheet is typed by people: now and then a style in one of its other spellings
                typed_style = next((a for s, a in STYLE_ALIASES if s == style), style) if rng.random() < 0.08 else style
                rows.append({"row": len(rows) + 2, "code": code, "name": f"{style}{item}", "line": line_name,
                             "grade": grade_name, "style": typed_style, "colour": colour, "spec": spec, "unit": unit,
                             "supply_package": SUPPLY_PACKAGES[package][0], "cost": str(cost),
                             # a few discontinued finishes (never the standard grade packages are made of)
                             "active": "否" if grade_code != "STD" and rng.random() < 0.04 else "是"})
                prices[code] = price
    return rows, prices


def _on(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


@business_seeder("catalogue")
def seed_catalogue(cur, rng: random.Random, scale: int) -> int:
    """The catalogue does not grow with --scale: a company sells the same products however busy."""
    cur.execute("SELECT count(*) FROM yiwei.product WHERE code ~ '^(CG|YG|MM|DB|WY|RZ)[0-9]'")
    if cur.fetchone()[0] > 0:
        return 0
    require_superuser(cur)
    company = load_company(cur)
    admin = company.logins.get(ADMIN_LOGIN)
    if admin is None:
        return 0
    today = company.today
    staff = Employees(cur, company)

    def call(function: str, *args):
        params = [json.dumps(a, ensure_ascii=False) if isinstance(a, (dict, list)) else a for a in args]
        return staff.call(admin, f"SELECT yiwei.{function}({', '.join(['%s'] * len(params))})", params)

    try:
        line_ids = {code: call("save_product_line", None, None, {"code": code, "name": name, "sort_order": i * 10})
                    for i, (code, name) in enumerate(LINES, start=1)}
        for i, (code, name, _factor) in enumerate(GRADES, start=1):
            call("save_product_grade", None, None, {"code": code, "name": name, "sort_order": i})
        for name, note in SUPPLY_PACKAGES:
            call("save_supply_package", None, None, {"name": name, "note": note})
        for style, alias in STYLE_ALIASES:
            call("save_style_alias", None, None, {"style": style, "alias": alias})
        rows, prices = _product_rows(rng)
        call("import_products", rows)
        lists = {
            "expired": call("save_price_list", None, None, {
                "code": "RETAIL-2025", "name": "2025 零售价", "valid_from": _on(today, EXPIRED_FROM),
                "valid_to": _on(today, CURRENT_FROM - 1), "note": "上一年度零售价，已被新价格体系取代"}),
            "current": call("save_price_list", None, None, {
                "code": "RETAIL-2026", "name": "2026 零售价", "valid_from": _on(today, CURRENT_FROM),
                "valid_to": _on(today, NEXT_FROM - 1), "note": "全国统一零售价（含税）"}),
            "next": call("save_price_list", None, None, {
                "code": "RETAIL-2026H2", "name": "2026 下半年零售价", "valid_from": _on(today, NEXT_FROM),
                "note": "下月起执行，平均上调约 6%"}),
        }
        active = {r["code"] for r in rows if r["active"] == "是"}
        # the old list priced everything sold then (about 5 % less); the current and the next one
        # only what is still sold
        call("import_price_list", lists["expired"], [
            {"row": i + 2, "code": code, "price": str(_yuan(price / Decimal("1.05")))}
            for i, (code, price) in enumerate(prices.items())])
        call("import_price_list", lists["current"], [
            {"row": i + 2, "code": code, "price": str(price)}
            for i, (code, price) in enumerate(p for p in prices.items() if p[0] in active)])
        call("import_price_list", lists["next"], [
            {"row": i + 2, "code": code, "price": str(_yuan(price * Decimal("1.06")))}
            for i, (code, price) in enumerate(p for p in prices.items() if p[0] in active)])
        for name, line, rate, first, last, is_active in PROMOTIONS:
            call("save_promotion", None, None, {
                "name": name, "line_id": line_ids[line] if line else None, "min_rate": rate,
                "valid_from": _on(today, first), "valid_to": _on(today, last), "active": is_active,
                "note": "限活动期间签订的合同；与套餐不同享"})
        _packages(cur, call, lists, today)
        for i, (name, line) in enumerate(CHECKLIST, start=1):
            call("save_checklist_item", None, None, {"name": name, "line_id": line_ids[line] if line else None,
                                                     "sort_order": i * 10})
        call("save_checklist_item", None, None, {"name": RETIRED_CHECKLIST, "sort_order": 999, "active": False})
        for i, name in enumerate(RESPONSIBILITY_REASONS, start=1):
            call("save_responsibility_reason", None, None, {"name": name, "sort_order": i * 10})
        templates = {}
        for line, (name, middle) in TEMPLATES.items():
            templates[line] = call("save_contract_template", None, None, {
                "name": name, "line_id": line_ids[line] if line else None,
                "body": TEMPLATE_COMMON + "\n" + middle + "\n" + TEMPLATE_TAIL})
        name, middle = TEMPLATES[None]
        v2 = call("save_contract_template", templates[None], 1, {
            "name": name, "body": TEMPLATE_COMMON + "\n" + middle + "\n" + TEMPLATE_TAIL + TEMPLATE_V2_ADDITION})
    finally:
        staff.reset()
    with replica(cur):
        _back_date(cur, company, today, v2)
    return len(rows)


def _packages(cur, call, lists: dict, today: date) -> None:
    """Packages priced as a round figure ending in 800 (19800, 6800…) below the list value."""
    for spec in PACKAGES:
        list_id = lists[spec.list_key]
        items, value = [], Decimal(0)
        for line, item, quantity in spec.items:
            # the standard-grade variant of the item that the list holds, cheapest first
            cur.execute("""SELECT p.id, i.price FROM yiwei.product p
                             JOIN yiwei.price_list_item i ON i.product_id = p.id AND i.price_list_id = %s
                            WHERE p.code LIKE %s AND p.name LIKE %s AND p.active AND p.code LIKE '%%-S'
                            ORDER BY i.price, p.code LIMIT 1""", (list_id, f"{line}%", f"%{item}"))
            product_id, price = cur.fetchone()
            items.append({"product_id": product_id, "quantity": quantity})
            value += price * Decimal(quantity)
        price = max(Decimal(800), (value * spec.share / 1000).to_integral_value() * 1000 - 200)
        # within the validity of the package's price list (save_package refuses anything else)
        valid = {"expired": (EXPIRED_FROM + 30, CURRENT_FROM - 1), "current": (CURRENT_FROM, NEXT_FROM - 1),
                 "next": (NEXT_FROM, None)}[spec.list_key]
        call("save_package", None, None, {
            "code": spec.code, "name": f"{spec.label} {price} 套餐", "price_list_id": list_id, "price": str(price),
            "valid_from": _on(today, valid[0]), "valid_to": _on(today, valid[1]) if valid[1] is not None else None,
            "rules": spec.rules, "items": items})


def _back_date(cur, company, today: date, template_v2: int) -> None:
    """Stamp the catalogue as made before the history it serves (inside ``replica``): head office
    loaded it when the old price list began; the reworded template is three months old."""
    made = datetime.combine(today + timedelta(days=EXPIRED_FROM - 5), time(10, 0), tzinfo=company.zone)
    for table in ("product_line", "product_grade", "supply_package", "product", "product_cost", "style_alias",
                  "price_list", "price_list_item", "promotion", "package", "checklist_item", "responsibility_reason"):
        cur.execute(f"UPDATE yiwei.{table} SET created_at = %s, updated_at = %s WHERE created_at > %s",
                    (made, made, made))
    cur.execute("UPDATE yiwei.contract_template SET created_at = %s WHERE id <> %s", (made, template_v2))
    cur.execute("UPDATE yiwei.contract_template SET created_at = %s WHERE id = %s",
                (datetime.combine(today - timedelta(days=TEMPLATE_V2_DAYS_AGO), time(15, 30), tzinfo=company.zone),
                 template_v2))
