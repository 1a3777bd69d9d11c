"""`yiwei bench …` — benchmarks that report ratios against a baseline measured in the same run.

All of them work on the embedded server by default (or `--dsn`, a superuser DSN): the schema is
upgraded and the demo company seeded first, then the data is topped up to the size measured.
"""

from __future__ import annotations

import json
import sys

from client.db.connection import ServerProfile, connect_raw, engine_for
from client.demo.company import DEMO_PASSWORD

from .common import add_installer_options, embedded, installer_params
from .db_cmd import ensure_embedded_database
from .registry import command


def _prepare(args) -> tuple[dict, ServerProfile]:
    """Superuser parameters and the employees' server profile of a migrated, seeded database."""
    from client.demo.seed import seed_demo
    from server_schema.migrate import upgrade

    ensure_embedded_database(args)
    admin_params = installer_params(args)
    engine = engine_for(admin_params, pool_size=1)
    upgrade(engine)
    engine.dispose()
    conn = connect_raw(admin_params)
    seed_demo(conn)
    conn.close()
    if args.dsn:
        profile = ServerProfile(host=admin_params.get("host", "127.0.0.1"), port=int(admin_params.get("port", 5432)),
                                dbname=admin_params["dbname"], sslmode=admin_params.get("sslmode", "prefer"))
    else:
        info = embedded(args).info()
        profile = ServerProfile(host=info.host, port=info.port, dbname=admin_params["dbname"], sslmode="disable")
    return admin_params, profile


def _print(result: dict) -> None:
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def _rls(args) -> int:
    from client.bench.rls import run

    admin_params, profile = _prepare(args)
    employee_params = {"host": profile.host, "port": profile.port, "dbname": profile.dbname, "sslmode": profile.sslmode}
    result = run(admin_params, employee_params, args.logins.split(","), rows=args.rows, repeats=args.repeats)
    _print(result)
    for login_name, entry in result["logins"].items():
        for query in ("list_first_100", "count"):
            e = entry[query]
            print(f"{login_name:<14} {entry['scope']:<7} {query:<15} RLS {e['rls_ms']:>8.2f} ms"
                  f"  explicit {e['explicit_ms']:>8.2f} ms  ratio {e['ratio']}")
    return 0


def _customers(args) -> int:
    from client.bench.customers import run, table

    admin_params, profile = _prepare(args)
    employee_params = {"host": profile.host, "port": profile.port, "dbname": profile.dbname, "sslmode": profile.sslmode}
    result = run(admin_params, employee_params, customers=args.customers, leads=args.leads, repeats=args.repeats,
                 report=lambda text: print(text, file=sys.stderr))
    if args.json:
        _print(result)
    else:
        print("\n".join(table(result)))
    return 0


def _orders(args) -> int:
    from client.bench.orders import run, table

    admin_params, profile = _prepare(args)
    employee_params = {"host": profile.host, "port": profile.port, "dbname": profile.dbname, "sslmode": profile.sslmode}
    result = run(admin_params, employee_params, lines=args.lines, documents=args.documents, repeats=args.repeats,
                 report=lambda text: print(text, file=sys.stderr))
    if args.json:
        _print(result)
    else:
        print("\n".join(table(result)))
    return 0


def _list(args) -> int:
    from client.db.connection import login
    from client.lists.benchmark import run_list_benchmark

    admin_params, profile = _prepare(args)
    session = login(profile, args.login, DEMO_PASSWORD)
    try:
        result = run_list_benchmark(session, args.rows, admin_connect=lambda: connect_raw(admin_params),
                                    export_rows=args.export_rows)
    finally:
        session.engine.dispose()
    _print(result)
    export = result["export"]
    print(f"first page of {result['visible_rows']:,} rows: {result['first_page_ms']} ms;"
          f" export {export['rows']:,}x{export['cols']}: ratio {export['ratio']} to plain openpyxl")
    return 0


def _startup(args) -> int:
    from client.ui.benchmark import run_startup_benchmark

    _admin_params, profile = _prepare(args)
    _print(run_startup_benchmark(profile, args.login, DEMO_PASSWORD))
    return 0


@command
def register(sub) -> None:
    bench = sub.add_parser("bench", help="性能基准（与同次运行的基线对比）").add_subparsers(dest="bench", metavar="BENCH")
    p = bench.add_parser("rls", help="行级安全的开销：员工（RLS）对比所有者（显式过滤）")
    add_installer_options(p)
    p.add_argument("--rows", type=int, default=1_000_000, help="来访记录总行数")
    p.add_argument("--repeats", type=int, default=25)
    p.add_argument("--logins", default="hz01.finance,hz01.guide1,hd.director,hq.boss",
                   help="以哪些演示员工登录测量（逗号分隔）")
    p.set_defaults(handler=_rls)
    p = bench.add_parser("customers", help="客户与报备：报备撞单检查、客户列表搜索（员工 RLS 对比所有者显式过滤）")
    add_installer_options(p)
    p.add_argument("--customers", type=int, default=1_000_000, help="客户总数")
    p.add_argument("--leads", type=int, default=300_000, help="渠道报备总数")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--json", action="store_true", help="以 JSON 输出全部数据")
    p.set_defaults(handler=_customers)
    p = bench.add_parser("orders", help="合同：打开大合同（员工 RLS 对比所有者显式过滤）、应用套餐重新计价、批量生成合同 PDF")
    add_installer_options(p)
    p.add_argument("--lines", type=int, default=200, help="所打开合同的明细行数")
    p.add_argument("--documents", type=int, default=200, help="一次打印的合同份数")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--json", action="store_true", help="以 JSON 输出全部数据")
    p.set_defaults(handler=_orders)
    p = bench.add_parser("list", help="百万行列表的首屏与翻页；10 万行导出对比纯 openpyxl")
    add_installer_options(p)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--export-rows", type=int, default=100_000)
    p.add_argument("--login", default="hq.boss", help="测量所用的演示员工")
    p.set_defaults(handler=_list)
    p = bench.add_parser("startup", help="启动到登录窗口、登录到主窗口的时间")
    add_installer_options(p)
    p.add_argument("--login", default="hz01.finance", help="测量所用的演示员工")
    p.set_defaults(handler=_startup)
