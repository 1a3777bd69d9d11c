"""The fixed part of the demo company: regions, stores, warehouses, departments, positions, people."""

from __future__ import annotations

import random
from dataclasses import dataclass

DEMO_PASSWORD = "Yiwei2026"
COMPANY_NAME = "易维家居（演示公司）"

REGIONS = [("HD", "华东"), ("HN", "华南"), ("HB", "华北")]

# code, name, region, address, mall (建材城 that collects the money, if any)
STORES = [
    ("HZ01", "杭州城西展厅", "HD", "杭州市西湖区文一西路 998 号红星美凯龙 3 楼", "红星美凯龙文一西路商场"),
    ("HZ02", "杭州滨江展厅", "HD", "杭州市滨江区江南大道 1088 号", ""),
    ("SH01", "上海真北展厅", "HD", "上海市普陀区真北路 1108 号月星家居 2 楼", "月星家居真北商场"),
    ("NJ01", "南京河西展厅", "HD", "南京市建邺区江东中路 222 号", ""),
    ("GZ01", "广州天河展厅", "HN", "广州市天河区黄埔大道西 638 号", ""),
    ("SZ01", "深圳南山展厅", "HN", "深圳市南山区深南大道 9676 号居然之家 4 楼", "居然之家南山店"),
    ("FS01", "佛山顺德展厅", "HN", "佛山市顺德区乐从镇家具大道 12 号", ""),
    ("BJ01", "北京朝阳展厅", "HB", "北京市朝阳区东四环中路 58 号", ""),
    ("TJ01", "天津河西展厅", "HB", "天津市河西区友谊路 35 号", ""),
    ("SJZ01", "石家庄裕华网点", "HB", "石家庄市裕华区槐安东路 136 号", ""),
]

COMMUNITIES = {
    "HD": ["万科城一期", "绿城桂花城", "龙湖天街花园", "融创玉兰公馆", "滨江金色海岸", "仁恒河滨花园"],
    "HN": ["保利天悦", "碧桂园凤凰城", "华润城润府", "招商臻园", "万科金域华府"],
    "HB": ["远洋山水", "首开国风尚樾", "金茂府", "天房天拖", "恒大名都"],
}

ALL_CUSTOMERS = ["customers.visit", "customers.visit.delete", "customers.lead", "customers.lead_audit",
                 "customers.lead_stats", "customers.customer", "customers.customer.transfer",
                 "customers.customer.merge", "customers.phone_full", "customers.followup", "customers.designer_task"]
REPORTS = ["reports.sales", "reports.finance", "reports.showroom", "reports.service"]


@dataclass(frozen=True)
class PositionSpec:
    code: str
    name: str
    scope: str
    permissions: tuple[str, ...]
    description: str
    # 最低折扣: the lowest rate (price ÷ list price) the position may grant or pass in price review;
    # "1" grants no discount. Text, so that it reaches numeric(5,4) exactly.
    min_discount_rate: str = "1"


POSITIONS = [
    PositionSpec("guide", "导购", "own", ("customers.visit", "customers.lead", "customers.customer",
                 "customers.followup", "orders.contract"), "展厅导购：本人客户与合同", "0.90"),
    PositionSpec("designer", "设计师", "own", ("customers.customer", "customers.followup", "customers.designer_task",
                 "orders.contract"), "门店设计师：量尺、设计与图纸", "0.90"),
    # The store manager signs (orders.sign): signing commits the company to the reviewed price.
    PositionSpec("store_manager", "店长", "store", (*ALL_CUSTOMERS, "orders.contract", "orders.sign",
                 "orders.change_order", "orders.responsibility", "aftersales.delivery", "finance.receipt",
                 "finance.receipt_store_audit", "inventory.stock", *REPORTS, "system.employee.view"), "门店全部数据",
                 "0.85"),
    PositionSpec("region_director", "大区总监", "region", (*ALL_CUSTOMERS, "orders.contract", "orders.drawing_review",
                 "orders.price_review", "orders.change_order", "orders.responsibility", "orders.commissionable",
                 "finance.receivable", "inventory.stock", *REPORTS, "system.employee.view"), "本大区各门店", "0.80"),
    PositionSpec("channel_auditor", "渠道审核", "company", ("customers.lead", "customers.lead_audit",
                 "customers.lead_stats", "customers.phone_full", "rebates.application", "rebates.approval",
                 "masterdata.decoration_designer", "masterdata.channel", "masterdata.community"),
                 "业务部：渠道报备审核、渠道与家装设计师"),
    PositionSpec("channel_clerk", "渠道专员", "company", ("customers.lead", "customers.lead_stats"),
                 "业务部：受理渠道电话/微信报备并录入"),
    PositionSpec("channel_partner", "渠道用户", "own", ("customers.lead",),
                 "合作渠道（家装公司、设计师）的账号：只报备、只看本渠道自己的报备"),
    PositionSpec("store_finance", "门店财务", "store", ("finance.receipt", "finance.receipt_store_audit",
                 "finance.invoice", "finance.mall_receipt", "finance.receivable", "reports.finance",
                 "system.employee.view"), "门店收款、收据与发票；本店员工花名册（提成核算）"),
    PositionSpec("region_finance", "大区财务", "region", ("finance.receipt", "finance.receipt_audit",
                 "finance.invoice", "finance.mall_receipt", "finance.receivable", "finance.writeoff_stats",
                 "reports.finance"), "大区财务审核"),
    PositionSpec("finance", "总部财务", "company", ("finance.payment_type", "finance.payment_method",
                 "finance.settlement_method", "finance.stock_audit", "finance.purchase_audit",
                 "finance.stocktake_audit", "finance.receipt", "finance.receipt_audit", "finance.invoice",
                 "finance.mall_receipt", "finance.subcontract_audit", "finance.receivable", "finance.payable",
                 "finance.writeoff_stats", "rebates.settlement", "rebates.collected_writeoff",
                 "orders.commissionable", "orders.cost_view", "inventory.price_view", "reports.finance",
                 "reports.sales"), "总部财务：审核、应收应付、核销"),
    PositionSpec("warehouse_clerk", "库管", "store", ("inventory.location", "inventory.contract_purchase",
                 "inventory.batch_purchase", "inventory.purchase_tracking", "inventory.arrival",
                 "inventory.purchase_return", "inventory.outbound", "inventory.outbound_return", "inventory.stock",
                 "inventory.stocktake", "inventory.transfer", "inventory.stats"), "库房：采购到货、出库、盘点（不看价格）"),
    PositionSpec("dispatcher", "售后派单", "region", ("aftersales.driver", "aftersales.vehicle",
                 "aftersales.delivery", "aftersales.dispatch", "aftersales.return_visit", "aftersales.service_centre",
                 "customers.customer", "reports.service"), "送货、派单、安装"),
    PositionSpec("customer_service", "客服", "company", ("aftersales.visit_template", "aftersales.return_visit",
                 "aftersales.service_centre", "customers.customer", "masterdata.sms_template", "reports.service"),
                 "客户回访与投诉"),
    PositionSpec("head_office", "总部管理", "company", ("customers.customer", "customers.lead_stats",
                 "customers.phone_full", "orders.contract", "orders.commissionable", "orders.cost_view",
                 "finance.receivable", "finance.payable", "finance.writeoff_stats", "inventory.stock",
                 "inventory.stats", "inventory.price_view", *REPORTS, "system.employee.view", "system.audit.view"),
                 "总部：全公司数据，以查看为主", "0.70"),
    PositionSpec("admin", "系统管理员", "company", ("system.employee.view", "system.employee.manage",
                 "system.position.manage", "system.org.manage", "system.parameter.manage", "system.audit.view",
                 "masterdata.product", "masterdata.checklist", "masterdata.customer_source", "masterdata.promotion",
                 "masterdata.sms_template", "masterdata.decoration_designer", "masterdata.channel",
                 "masterdata.community", "masterdata.supplier",
                 "masterdata.sales_target", "orders.template", "rebates.approval_flow", "rebates.item",
                 "rebates.policy"), "用户、岗位、参数与基础信息"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏辉建华亮晨宇浩然子涵欣怡思远佳琪梓轩雨桐俊杰婷婷晓东海燕志强丹丹文博雅琴"


def person_names(rng: random.Random):
    """An endless supply of distinct, realistic Chinese names."""
    seen = set()
    while True:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        name = rng.choice(SURNAMES) + given
        if name not in seen:
            seen.add(name)
            yield name


@dataclass(frozen=True)
class EmployeeSpec:
    login: str
    position: str
    store: str | None = None
    region: str | None = None
    department: str | None = None


def employee_specs() -> list[EmployeeSpec]:
    specs = [EmployeeSpec("admin", "admin", department="信息部"),
             EmployeeSpec("hq.boss", "head_office", department="总经办"),
             EmployeeSpec("hq.finance", "finance", department="财务部"),
             EmployeeSpec("hq.channel", "channel_auditor", department="业务部"),
             EmployeeSpec("hq.channeldesk", "channel_clerk", department="业务部"),
             EmployeeSpec("ch.wanjia", "channel_partner", store="HZ01"),
             EmployeeSpec("hq.service", "customer_service", department="客服中心")]
    for code, _name in REGIONS:
        r = code.lower()
        specs += [EmployeeSpec(f"{r}.director", "region_director", region=code),
                  EmployeeSpec(f"{r}.finance", "region_finance", region=code),
                  EmployeeSpec(f"{r}.dispatch", "dispatcher", region=code)]
    for code, *_rest in STORES:
        s = code.lower()
        specs += [EmployeeSpec(f"{s}.manager", "store_manager", store=code, department="销售部"),
                  EmployeeSpec(f"{s}.guide1", "guide", store=code, department="销售部"),
                  EmployeeSpec(f"{s}.guide2", "guide", store=code, department="销售部"),
                  EmployeeSpec(f"{s}.designer", "designer", store=code, department="设计部"),
                  EmployeeSpec(f"{s}.finance", "store_finance", store=code, department="财务室"),
                  EmployeeSpec(f"{s}.warehouse", "warehouse_clerk", store=code, department="仓储部")]
    return specs
