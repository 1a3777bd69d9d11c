"""`yiwei print DOCTYPE NUMBER … --out FILE.pdf` — print documents headless, as an employee.

The same print path as the window: the login's permissions and row-level security apply, every
document is logged and a reprint is marked 补打. Several numbers make one PDF (one print job).
"""

from __future__ import annotations

from client.db.errors import UserFacingError
from client.documents.printing import render
from client.documents.registry import DocType, all_doctypes, get_doctype

from .common import add_employee_options, employee_session
from .registry import command


def _list_doctypes(args) -> int:
    doctypes = all_doctypes()
    numbers: dict[str, list[str]] = {}
    if args.user:
        # With a login, also say which numbers it may print (what a picker in the window offers).
        session = employee_session(args)
        try:
            with session.engine.connect() as conn:
                numbers = {d.name: d.numbers(conn) for d in doctypes if any(session.can(p) for p in d.permissions)}
        finally:
            session.engine.dispose()
    width = max(len(d.name) for d in doctypes)
    for d in doctypes:
        print(f"{d.name.ljust(width)}  {d.title}")
        print(f"{' ' * width}  NUMBER：{d.number_help}")
        if args.user:
            allowed = numbers.get(d.name)
            print(f"{' ' * width}  可打印：{' '.join(allowed) if allowed else '（无权限）'}")
    return 0


def _print(args) -> int:
    if not args.doctype:
        raise UserFacingError("请指定单据类型（yiwei print --list 列出全部单据类型）")
    doctype: DocType = get_doctype(args.doctype)
    if not args.numbers:
        raise UserFacingError(f"请指定要打印的编号：{doctype.number_help}")
    if not args.user:
        raise UserFacingError("请用 --user 指定员工登录名")
    if not args.out:
        raise UserFacingError("请用 --out 指定输出的 PDF 文件")
    session = employee_session(args)
    try:
        rendered = render(session, doctype.name, args.numbers, out=args.out)
    finally:
        session.engine.dispose()
    print(f"{rendered.summary()} → {args.out}")
    return 0


def run_print(args) -> int:
    return _list_doctypes(args) if args.list else _print(args)


@command
def register(sub) -> None:
    parser = sub.add_parser(
        "print", help="把单据打印成 PDF（无窗口，记录打印次数）",
        description="以员工身份把一份或多份单据打印成一个 PDF 文件；每次打印都会登记，重复打印标记“补打”。"
                    "yiwei print --list 列出全部单据类型及其编号的含义。")
    parser.add_argument("doctype", nargs="?", metavar="DOCTYPE", help="单据类型，例如 roster")
    parser.add_argument("numbers", nargs="*", metavar="NUMBER", help="单据编号，可以写多个（合并为一个 PDF）")
    parser.add_argument("--list", action="store_true", help="列出全部单据类型（加 --user 时同时列出可打印的编号）")
    parser.add_argument("--out", metavar="FILE.pdf", help="输出的 PDF 文件")
    add_employee_options(parser)
    # --list needs no login; printing asks for --user itself with a clear message.
    next(a for a in parser._actions if a.dest == "user").required = False
    parser.set_defaults(handler=run_print)
