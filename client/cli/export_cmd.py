"""`yiwei export LIST --out FILE.xlsx [--filter key=value …]` — the list export without a window,
for accountants who schedule it; `yiwei export --list` names every list and its filter keys."""

from __future__ import annotations

import sys
from pathlib import Path

from client.db.errors import UserFacingError, translate
from client.lists.catalog import all_lists, get_list, require_allowed
from client.lists.export import export_list
from client.lists.query import (SEARCH_KEY, ListQuery, parse_filter_args, resolve_columns, resolve_filters)
from client.lists.spec import FilterKind, ListSpec

from .common import add_employee_options, employee_session
from .registry import command

_KIND_NAMES = {
    FilterKind.TEXT: ("文本", "包含该文字即可（不区分大小写）"),
    FilterKind.DATE_RANGE: ("日期范围", "例：{key}=2026-11-01..2026-11-30，{key}=2026-11（整月），{key}=2026-11-01..（起）"),
    FilterKind.STORE: ("门店", "门店代码或名称，例：{key}=HZ01"),
    FilterKind.PERSON: ("员工", "登录名或姓名，例：{key}=hz01.guide1"),
    FilterKind.CHOICE: ("选项", ""),
    FilterKind.BOOL: ("是/否", ""),
}


def describe_lists() -> str:
    """What `yiwei export --list` prints: every list, its filter keys with their kinds, its columns."""
    blocks = []
    for spec in all_lists():
        blocks.append(_describe_list(spec))
    return "\n\n".join(blocks)


def _describe_list(spec: ListSpec) -> str:
    lines = [f"{spec.name}  {spec.title}" + (f"（需要权限：{' 或 '.join(spec.permissions)}）" if spec.permissions else "")]
    lines.append("  筛选（--filter 键=值）：")
    for spec_filter in spec.filters:
        kind_name, hint = _KIND_NAMES[spec_filter.kind]
        if spec_filter.kind is FilterKind.CHOICE:
            if spec_filter.choices:
                hint = "可选：" + "、".join(f"{value}（{label}）" for value, label in spec_filter.choices)
            else:
                hint = "取值为名称或编号（从数据库读取）"
        elif spec_filter.kind is FilterKind.BOOL:
            labels = dict(spec_filter.choices)
            hint = f"可选：true（{labels.get('true', '是')}）、false（{labels.get('false', '否')}）"
        lines.append(f"    {spec_filter.key:<10} {spec_filter.label}［{kind_name}］ {hint.format(key=spec_filter.key)}")
    if spec.search:
        searched = "、".join(c.title for c in spec.columns if c.expr in spec.search)
        lines.append(f"    {SEARCH_KEY:<10} 快速搜索［文本］ 搜索：{searched}")
    lines.append("  列（--columns，--sort 列[:desc]）：" + "，".join(f"{c.key}（{c.title}）" for c in spec.columns))
    default = spec.default_sort or spec.key
    lines.append(f"  默认排序：{default}{' 降序' if spec.descending else ' 升序'}")
    return "\n".join(lines)


def parse_sort(spec: ListSpec, text: str | None) -> tuple[str, bool | None]:
    """`visited_at`, `visited_at:desc`, `人数:asc` → (column key, descending or None)."""
    if not text:
        return "", None
    name, _sep, direction = text.partition(":")
    direction = direction.strip().lower()
    if direction not in ("", "asc", "desc"):
        raise UserFacingError(f"排序方向只能是 asc 或 desc，而不是“{direction}”")
    key = resolve_columns(spec, [name])[0]
    if not spec.column(key).sortable:
        raise UserFacingError(f"不能按“{spec.column(key).title}”排序")
    return key, (None if not direction else direction == "desc")


def _output_path(text: str | None) -> Path:
    if not text:
        raise UserFacingError("请用 --out 指定输出文件，例如 --out 客户流量.xlsx")
    path = Path(text).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise UserFacingError(f"输出文件应以 .xlsx 结尾：{text}")
    if not path.parent.is_dir():
        raise UserFacingError(f"输出文件夹不存在：{path.parent}")
    return path


def _progress_printer():
    if not sys.stderr or not sys.stderr.isatty():
        return None

    def report(done: int, total: int, _text: str = "") -> None:
        shown = f"{done:,} / {total:,}" if total else f"{done:,}"
        print(f"\r已导出 {shown} 行", end="", file=sys.stderr, flush=True)

    return report


def run_export(args) -> int:
    if args.show_lists:
        print(describe_lists())
        return 0
    if not args.list_name:
        raise UserFacingError("请指定要导出的列表，例如 yiwei export visits --user hz01.manager --out 客户流量.xlsx；"
                              "yiwei export --list 列出全部列表")
    spec = get_list(args.list_name)
    # Everything that can be checked without the database is checked before asking for a password.
    raw_filters = parse_filter_args(spec, args.filter or [])
    sort, descending = parse_sort(spec, args.sort)
    columns = resolve_columns(spec, [c for c in args.columns.split(",") if c.strip()]) if args.columns else None
    path = _output_path(args.out)
    if not args.user:
        raise UserFacingError("请用 --user 指定员工登录名，例如 --user hz01.finance")

    session = employee_session(args)
    report = _progress_printer()
    try:
        require_allowed(spec, session)
        with session.engine.begin() as conn:
            filters, search = resolve_filters(conn, spec, raw_filters)
            query = ListQuery(spec, filters=filters, search=search, sort=sort, descending=descending)
            result = export_list(conn, query, path, user=session.full_name, columns=columns, report=report)
    except UserFacingError:
        raise
    except OSError as exc:
        raise UserFacingError(f"无法写入文件 {path}：{exc.strerror or exc}") from exc
    except Exception as exc:
        raise translate(exc) from exc
    finally:
        if report is not None:
            print(file=sys.stderr)
        session.engine.dispose()
    print(f"已导出 {result.row_count:,} 行到 {result.path}")
    return 0


@command
def register(sub) -> None:
    # "resolve": --user is required for every other employee command but not for --list.
    parser = sub.add_parser("export", help="把列表导出为 Excel（无界面，可定时执行）", conflict_handler="resolve",
                            description="按筛选条件把列表导出为 Excel，与界面中的“导出 Excel”相同；"
                                        "yiwei export --list 列出所有列表及筛选键。")
    parser.add_argument("list_name", nargs="?", metavar="LIST", help="列表名，例如 visits")
    parser.add_argument("--list", action="store_true", dest="show_lists", help="列出所有可导出的列表及其筛选条件")
    add_employee_options(parser)
    parser.add_argument("--user", help="员工登录名，例如 hz01.finance（密码取自 PGPASSWORD 或终端输入）")
    parser.add_argument("--out", help="输出文件（.xlsx）")
    parser.add_argument("--filter", action="append", metavar="KEY=VALUE",
                        help="筛选条件，可多次使用，例如 --filter store=HZ01 --filter visited=2026-11-01..2026-11-30 "
                             f"--filter {SEARCH_KEY}=万科")
    parser.add_argument("--sort", metavar="COLUMN[:desc]", help="排序列，例如 visited_at:desc")
    parser.add_argument("--columns", metavar="A,B,C", help="导出的列及顺序（列名或列标题，逗号分隔）；默认为列表的默认列")
    parser.set_defaults(handler=run_export)
