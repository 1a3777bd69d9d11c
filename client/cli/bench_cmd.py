"""`yiwei bench …` — benchmarks that report ratios against a baseline measured in the same run."""

from __future__ import annotations

import json

from .common import add_installer_options, embedded, installer_params
from .db_cmd import ensure_embedded_database
from .registry import command


def _rls(args) -> int:
    from client.bench.rls import run
    from client.demo.seed import seed_demo
    from client.db.connection import connect_raw, engine_for
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
        employee_params = {k: v for k, v in admin_params.items() if k in ("host", "port", "dbname", "sslmode")}
    else:
        info = embedded(args).info()
        employee_params = {"host": info.host, "port": info.port, "dbname": admin_params["dbname"]}
    result = run(admin_params, employee_params, args.logins.split(","), rows=args.rows, repeats=args.repeats)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for login_name, entry in result["logins"].items():
        for query in ("list_first_100", "count"):
            e = entry[query]
            print(f"{login_name:<14} {entry['scope']:<7} {query:<15} RLS {e['rls_ms']:>8.2f} ms"
                  f"  explicit {e['explicit_ms']:>8.2f} ms  ratio {e['ratio']}")
    return 0


@command
def register(sub) -> None:
    bench = sub.add_parser("bench", help="性能基准（与同次运行的基线对比）").add_subparsers(dest="bench", metavar="BENCH")
    p = bench.add_parser("rls", help="行级安全的开销：员工（RLS）对比所有者（显式过滤）")
    add_installer_options(p)
    p.add_argument("--rows", type=int, default=1_000_000, help="来访记录总行数")
    p.add_argument("--repeats", type=int, default=25)
    p.add_argument("--logins", default="hz01.finance,hd.director", help="以哪些员工登录测量（逗号分隔）")
    p.set_defaults(handler=_rls)
